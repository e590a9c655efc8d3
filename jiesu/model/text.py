"""Text normalisation applied before any model sees a request.

- full-width → half-width for ASCII letters, digits and punctuation (NFKC on those code points only:
  NFKC on Chinese text would also rewrite some CJK compatibility characters);
- Traditional → Simplified, character by character from OpenCC's TSCharacters table ("where cheap":
  one `str.translate`, no phrase conversion);
- phone numbers, ID-card numbers and e-mail addresses in their plain forms masked (13812345678,
  010-65123456, +86 138 1234 5678), so models never learn from them. What people see is masked further
  (`mask_contact_details`: numbers in groups with other separators, in Chinese numerals or with a country
  code); the classifier's features keep the plain patterns, which cost a suggestion far less;
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

# --- numbers the plain patterns miss -----------------------------------------------------------------
# A run of digits (ASCII after folding, Chinese numerals as written or spoken: 幺 is 1 read out) with
# separators between groups: dots, dashes of every width, slashes, spaces of every kind, zero-width
# characters, and the brackets of an area code. Each run is cut into its groups; the longest run of whole
# groups that reads as a mobile, a landline or an ID number, in a grouping people write, is masked. Dates
# (2026.12.06: 4-2-2), amounts, times and house numbers (3-2-501) read as none of them.
_CHINESE_DIGITS = "〇零一二三四五六七八九幺壹贰叁肆伍陆柒捌玖"
_TO_ASCII_DIGITS = str.maketrans(_CHINESE_DIGITS, "001234567891123456789")
_GROUP_SEPARATORS = (
    r" .\-/()·"
    "\u00a0\u1680\u2000-\u200d\u2010-\u2015\u2024\u2027\u2028\u2029\u202f\u205f\u2060"
    "\u2212\u3000\u30fb\ufeff\uff0d\uff0e\uff65"
)
_DIGIT_CLASS = f"[0-9{_CHINESE_DIGITS}]"
_DIGITS_AHEAD = (
    f"(?=(?:[{_GROUP_SEPARATORS}]{{0,3}}{_DIGIT_CLASS}){{7}})"  # seven digits at least: cheap to refuse
)
_GROUPED_RUN = re.compile(
    rf"{_DIGIT_CLASS}{_DIGITS_AHEAD}{_DIGIT_CLASS}*(?:[{_GROUP_SEPARATORS}]{{1,3}}{_DIGIT_CLASS}+)*[Xx]?"
)
_GROUP = re.compile(rf"{_DIGIT_CLASS}+[Xx]?")
_ID_DIGITS = re.compile(r"[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]")
_MOBILE_DIGITS = re.compile(r"1[3-9]\d{9}")
# Groupings, first group first: a mobile as 3-4-4, 3-8, 7-4 or 4-3-4, a local landline as 4-4 or 3-4.
_MOBILE_SHAPES = {(11,), (3, 4, 4), (3, 8), (7, 4), (4, 3, 4), (1,) * 11}
_LOCAL_SHAPES = {(8,), (7,), (4, 4), (3, 4)}  # after an area code
_MAX_GROUPS = 18
_YEAR = re.compile(r"19\d\d|20\d\d")


def _with_area_code(digits: str, sizes: tuple[int, ...]) -> bool:
    """0, a 2- or 3-digit area code, a 7- or 8-digit local number: 010 6512 3456, (010)65123456."""
    if len(digits) < 10 or digits[0] != "0" or digits[1] == "0":
        return False
    for area in (3, 4):
        local = digits[area:]
        if len(local) not in (7, 8) or local[0] == "0":
            continue
        if sizes[0] == area and sizes[1:] in _LOCAL_SHAPES:  # the area code written apart: 010-12345678
            return True
        if len(sizes) == 1 and local[0] != "1":
            return True
    return False


def _phone(digits: str, sizes: tuple[int, ...], whole: bool) -> bool:
    if _MOBILE_DIGITS.fullmatch(digits):
        return sizes in _MOBILE_SHAPES
    if len(digits) == 8:
        # A local landline without its area code: 4-4 or in one piece, and nothing else in its run
        # (8890.4890 in 92.8890.4890.1 is a table of scores), and no year in it (2016—2017, (2011)1778).
        years = _YEAR.fullmatch(digits[:4]) or _YEAR.fullmatch(digits[4:])
        return whole and digits[0] in "2345678" and sizes in {(4, 4), (8,)} and not years
    return _with_area_code(digits, sizes)


def _classify_groups(groups: list[str], plus: bool, whole: bool) -> str | None:
    """What a sequence of whole groups is: ID_MASK, PHONE_MASK or None."""
    digits = "".join(groups).translate(_TO_ASCII_DIGITS)
    sizes = tuple(len(group) for group in groups)
    if len(digits) == 18 and _ID_DIGITS.fullmatch(digits):
        return ID_MASK
    if not digits.isdigit():
        return None
    if _phone(digits, sizes, whole):
        return PHONE_MASK
    # A country code, as its own group or run into the number: 0086, or 86 after a + or before a mobile.
    for prefix in ("0086", "86"):
        if not digits.startswith(prefix) or sizes[0] < len(prefix):
            continue
        rest = digits[len(prefix) :]
        rest_sizes = sizes[1:] if sizes[0] == len(prefix) else (sizes[0] - len(prefix), *sizes[1:])
        if prefix == "86" and not plus and not _MOBILE_DIGITS.fullmatch(rest):
            continue
        if _MOBILE_DIGITS.fullmatch(rest) and (rest_sizes in _MOBILE_SHAPES or len(rest_sizes) == 1):
            return PHONE_MASK
        if rest[:1] != "0" and _with_area_code("0" + rest, (rest_sizes[0] + 1, *rest_sizes[1:])):
            return PHONE_MASK
    return None


def _grouped_number_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, mask) of the numbers written in groups in `text` (folded): leftmost, longest first."""
    spans: list[tuple[int, int, str]] = []
    for run in _GROUPED_RUN.finditer(text):
        before = text[run.start() - 1 : run.start()]
        groups = [(m.start(), m.end(), m.group()) for m in _GROUP.finditer(text, run.start(), run.end())]
        first = 0
        while first < len(groups):
            for last in range(min(len(groups), first + _MAX_GROUPS), first, -1):
                words = [group for _, _, group in groups[first:last]]
                mask = _classify_groups(
                    words, first == 0 and before == "+", first == 0 and last == len(groups)
                )
                if mask is not None:
                    start = groups[first][0] - (first == 0 and before in ("+", "("))
                    spans.append((start, groups[last - 1][1], mask))
                    first = last
                    break
            else:
                first += 1
    return spans


def _apply_spans(text: str, spans: list[tuple[int, int, str]]) -> str:
    if not spans:
        return text
    pieces, position = [], 0
    for start, end, mask in sorted(spans):
        pieces += [text[position:start], f"〔{mask}〕"]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


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
    # surrogatepass: request texts with a lone surrogate are refused by check_string, but other callers may
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
    # A number in groups takes the place of the plain matches inside it (a mobile within an ID in groups).
    for start, end, mask in _grouped_number_spans(folded):
        inside = [span for span in spans if start <= span[0] and span[1] <= end]
        rest = [span for span in spans if span not in inside]
        if all(end <= taken_start or start >= taken_end for taken_start, taken_end, _ in rest):
            spans = [*rest, (start, end, mask)]
    return _apply_spans(text, spans)


_SURROGATE = re.compile("[\ud800-\udfff]")
# Chinese characters (the CJK unified ideographs, their extensions and the compatibility block): one of
# them and a text can hold a request.
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# Latin letters, full-width ones too: a word or two of them (ok, asdf, test) is no request.
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff\uff21-\uff3a\uff41-\uff5a"
_LATIN_WORD = re.compile(f"[{_LATIN}]+")
_LATIN_LETTER = re.compile(f"[{_LATIN}]")
MIN_LATIN_WORDS = 3
MIN_LATIN_LETTERS = 8


def check_string(text: object) -> str:
    """The text itself, or InputTextError for non-strings, empty/whitespace-only strings and strings with
    an unpaired surrogate: what any text analysis (the classifier, the jurisdiction resolver) needs."""
    if text is None:  # a JSON line or a body without its text ({"id": "3"})
        raise InputTextError(message(Messages.missing_input_text))
    if not isinstance(text, str):
        raise InputTextError(message(Messages.non_string_input, kind=type(text).__name__))
    if not text.strip():
        raise InputTextError(message(Messages.empty_input_text))
    bad = _SURROGATE.search(text)
    if bad is not None:
        # A lone surrogate is not a character: no UTF-8 encoder, segmenter or database accepts it.
        raise InputTextError(message(Messages.unpaired_surrogate, position=bad.start()))
    return text


def holds_request(text: str) -> bool:
    """Whether `text` can hold a request: a Chinese character, a letter of another script than Latin
    (a request in Tibetan or Uyghur is still one), or at least MIN_LATIN_WORDS words of Latin letters
    with MIN_LATIN_LETTERS letters in all ("I need help"). Emoji, punctuation, symbols, zero-width
    characters, numbers and a word or two of Latin letters are none."""
    if _HAN.search(text):
        return True
    words = _LATIN_WORD.findall(text)
    if len(words) >= MIN_LATIN_WORDS and sum(map(len, words)) >= MIN_LATIN_LETTERS:
        return True
    return any(char.isalpha() and not _LATIN_LETTER.match(char) for char in text)


def check_text(text: object) -> str:
    """The text of a request itself, or InputTextError: `check_string`'s problems, or no request in it
    (only emoji, punctuation, invisible characters, a number or a few letters), which no category fits:
    such a text is refused before it can become a category-labelled ticket."""
    raw = check_string(text)
    if not holds_request(raw):
        raise InputTextError(message(Messages.no_request_in_text))
    return raw


def normalise(text: object) -> NormalisedText:
    raw = check_string(text)
    truncated = len(raw) > MAX_TEXT_CHARS
    cut = raw[:MAX_TEXT_CHARS]
    converted = fold_characters(cut).replace("\x00", " ")
    masked = converted
    for pattern, mask in _CONTACT_PATTERNS:
        if pattern is not _EMAIL or "@" in masked:  # no "@", no e-mail: skip the slowest scan
            masked = pattern.sub(mask, masked)
    return NormalisedText(text=_SPACE.sub(" ", masked).strip(), truncated=truncated, original_length=len(raw))
