"""Text normalisation applied before any model sees a request.

- full-width → half-width for ASCII letters, digits and punctuation (NFKC on those code points only:
  NFKC on Chinese text would also rewrite some CJK compatibility characters);
- Traditional → Simplified, character by character from OpenCC's TSCharacters table ("where cheap":
  one `str.translate`, no phrase conversion);
- phone numbers, ID-card numbers and e-mail addresses masked, so models never learn from them;
- whitespace collapsed;
- texts longer than MAX_TEXT_CHARS are cut there (and the caller is told), because a 100,000-character
  paste must not cost a hundred times the latency of a normal request. Requests are a few hundred
  characters; 5,000 keeps every realistic request whole.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from jiesu.errors import InputTextError, Messages, message

MAX_TEXT_CHARS = 5000
PHONE_MASK = "电话号码"
ID_MASK = "证件号码"
EMAIL_MASK = "邮箱地址"

# Each pattern starts by matching a character (the "no digit before" check follows it as a lookbehind),
# so that the regex engine skips ahead to candidate characters instead of trying every position: 3-4x
# faster on long texts, same matches (tests/model/test_text.py compares them with the plain forms).
_ID_CARD = re.compile(r"[1-9](?<![0-9]{2})\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[0-9Xx](?![0-9])")
_MOBILE = re.compile(
    r"(?:\+(?<![0-9]\+)86[- ]?1|8(?<![0-9]8)6[- ]?1|1(?<![0-9]1))[3-9]\d(?:[- ]?[\d*xX]{4}){2}(?![0-9])"
)
_LANDLINE = re.compile(r"[02-8](?<![0-9]{2})(?:(?<=0)\d{2,3}[- ]?[2-8]|(?<=[2-8]))\d{3}[- ]?\d{4}(?![0-9])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_SPACE = re.compile(r"\s+")
# In the order they are applied: an e-mail's digits are not a phone number, an ID's not a landline.
_CONTACT_PATTERNS = (
    (_EMAIL, EMAIL_MASK),
    (_ID_CARD, ID_MASK),
    (_MOBILE, PHONE_MASK),
    (_LANDLINE, PHONE_MASK),
)


@dataclass(frozen=True)
class NormalisedText:
    text: str
    truncated: bool
    original_length: int


def _opencc_table() -> Path | None:
    spec = importlib.util.find_spec("opencc")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "dictionary" / "TSCharacters.txt"


@lru_cache(maxsize=1)
def _translation_table() -> dict[int, str]:
    table: dict[int, str] = {}
    # Full-width ASCII (U+FF01–U+FF5E) and the ideographic space map to ASCII.
    for code in range(0xFF01, 0xFF5F):
        table[code] = unicodedata.normalize("NFKC", chr(code))
    table[0x3000] = " "
    path = _opencc_table()
    if path is not None and path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            traditional, _, simplified = line.partition("\t")
            candidates = simplified.split()
            # Single characters only: folding must keep every offset of the original text valid.
            if len(traditional) == 1 and candidates and len(candidates[0]) == 1:
                table[ord(traditional)] = candidates[0]
    return table


@lru_cache(maxsize=1)
def _code_point_table() -> npt.NDArray[np.uint32]:
    """The translation table as an array indexed by code point: folding becomes one numpy gather,
    several times faster than str.translate with a dict of 4,000 entries."""
    table = np.arange(0x110000, dtype=np.uint32)
    for code, replacement in _translation_table().items():
        table[code] = ord(replacement)
    return table


def fold_characters(text: str) -> str:
    """Full-width → half-width and Traditional → Simplified, one character for one: the result has the
    same length as `text`, so offsets found in it are offsets in the original (evidence spans)."""
    if not text:
        return text
    return translate_code_points(text, _code_point_table())


def translate_code_points(text: str, table: npt.NDArray[np.uint32]) -> str:
    """`text` with every character c replaced by chr(table[ord(c)]): one numpy gather, one for one, so
    offsets are kept. `table` covers every code point (0x110000 entries)."""
    if not text:
        return text
    # surrogatepass: request texts with a lone surrogate are refused by check_text, but other callers may
    # fold any string; it passes through, not crash.
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return table[codes].tobytes().decode("utf-32-le", "surrogatepass")


def mask_contact_details(text: str) -> str:
    """`text` with phone numbers, ID numbers and e-mail addresses replaced by 〔电话号码〕 etc., found as
    `normalise` finds them (full-width digits too); everything else is kept as written. For showing a
    request to those who may not see the caller's details (auditors, reviewers, other units)."""
    folded = fold_characters(text)
    spans: list[tuple[int, int, str]] = []
    for pattern, mask in _CONTACT_PATTERNS:
        for match in pattern.finditer(folded):
            start, end = match.span()
            if all(end <= taken_start or start >= taken_end for taken_start, taken_end, _ in spans):
                spans.append((start, end, mask))
    if not spans:
        return text
    pieces, position = [], 0
    for start, end, mask in sorted(spans):
        pieces += [text[position:start], f"〔{mask}〕"]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(text: object) -> str:
    """The text itself, or InputTextError for non-strings and empty/whitespace-only strings."""
    if not isinstance(text, str):
        raise InputTextError(message(Messages.non_string_input, kind=type(text).__name__))
    if not text.strip():
        raise InputTextError(message(Messages.empty_input_text))
    bad = _SURROGATE.search(text)
    if bad is not None:
        # A lone surrogate is not a character: no UTF-8 encoder, segmenter or database accepts it.
        raise InputTextError(message(Messages.unpaired_surrogate, position=bad.start()))
    return text


def normalise(text: object) -> NormalisedText:
    raw = check_text(text)
    truncated = len(raw) > MAX_TEXT_CHARS
    cut = raw[:MAX_TEXT_CHARS]
    converted = fold_characters(cut).replace("\x00", " ")
    masked = converted
    for pattern, mask in _CONTACT_PATTERNS:
        if pattern is not _EMAIL or "@" in masked:  # no "@", no e-mail: skip the slowest scan
            masked = pattern.sub(mask, masked)
    return NormalisedText(text=_SPACE.sub(" ", masked).strip(), truncated=truncated, original_length=len(raw))
