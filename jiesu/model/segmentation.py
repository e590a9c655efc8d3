"""Word segmentation: jieba's dictionary and algorithm (exact DAG route, HMM off), run by the C++
implementation in `jieba_fast_dat`, plus a user dictionary built from the gazetteer, the alias table and
the taxonomy. The user dictionary is saved in the model directory so segmentation travels with the model.

Why the C++ engine: jieba in pure Python cuts ~1,500 requests/s on this machine, which alone would miss
the throughput target; with jieba's own dict.txt and HMM off, jieba_fast_dat gives token-for-token the
same output (tests/model/test_segmentation.py checks that against jieba) about ten times faster.
Why HMM off: HMM guesses new words differently in the two engines, and place names, estates and
category terms, the out-of-vocabulary words that matter here, come from the user dictionary instead.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import jieba
import jieba_fast_dat

from jiesu.data.gazetteer import Gazetteer
from jiesu.data.taxonomy import Taxonomy
from jiesu.model.text import EMAIL_MASK, ID_MASK, PHONE_MASK

# Both engines attach a chatty logger of their own at import; keep it quiet unless asked.
logging.getLogger("jieba_fast_dat").setLevel(logging.WARNING)

USER_WORD_FREQ = 20000
_TOKEN_SPLIT = re.compile(r"[、，,；;/（）()与和及]")
_KEEP = re.compile(r"[\w]", re.UNICODE)


def jieba_dictionary_path() -> Path:
    return Path(jieba.__file__).parent / "dict.txt"


def build_user_words(gazetteer: Gazetteer, taxonomy: Taxonomy) -> list[str]:
    """Place names (official, short forms, communities, aliases) and category terms, sorted, unique."""
    words: set[str] = {PHONE_MASK, ID_MASK, EMAIL_MASK}
    for district in gazetteer.districts.values():
        words |= {district.name, district.short}
    for street in gazetteer.streets:
        words |= {street.name, street.short}
    words |= {community.name for community in gazetteer.communities}
    words |= {alias.alias for alias in gazetteer.aliases}
    # Category names and their parts (出租车与网约车 → 出租车, 网约车). Description phrases are left out:
    # they glue words into phrases (暖气不热) and cost accuracy on real messages.
    for category in taxonomy:
        words.add(category.l2)
        words |= {part for part in _TOKEN_SPLIT.split(category.l2) if part}
    return sorted(word for word in words if len(word) >= 2 and " " not in word)


class Segmenter:
    """Cuts normalised text into words. Build with the user words, or load them from a model directory."""

    def __init__(self, user_words: Sequence[str] = ()) -> None:
        self.user_words = list(user_words)
        self._tokenizer = jieba_fast_dat.Tokenizer(dictionary=str(jieba_dictionary_path()))
        self._tokenizer.initialize()
        for word in self.user_words:
            self._tokenizer.add_word(word, USER_WORD_FREQ)

    def cut(self, text: str) -> list[str]:
        """Words of `text`, without whitespace and punctuation-only tokens."""
        # isalnum() settles almost every token without the regex (same result: alnum implies a \w char).
        return [
            token for token in self._tokenizer.lcut(text, HMM=False) if token.isalnum() or _KEEP.search(token)
        ]

    def cut_many(self, texts: Iterable[str]) -> list[list[str]]:
        return [self.cut(text) for text in texts]

    def save(self, path: Path) -> None:
        path.write_text("".join(f"{word} {USER_WORD_FREQ}\n" for word in self.user_words), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Segmenter:
        words = [
            line.rsplit(" ", 1)[0] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
        return cls(words)
