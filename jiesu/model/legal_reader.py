"""A learned reader of legal-channel evidence: how likely a text's sentences that name a legal body say
that the matter is in (or belongs to) a legal channel.

The phrase rules of jiesu.model.legal reach the phrasings they were written for; this reader generalises
from the seed corpus to others. It reads only the sentences that name a legal body or procedure (the
plain words `legal_bodies` of disposition.json: 法院, 仲裁, 纪委, 信访 …), as character 1–3-grams
(sublinear TF-IDF, L2-normalised), scored by a binary logistic regression trained on the rows with a
disposition label that name such a body: legal-channel rows against the others (complaints about a
court's staff, questions about a channel, dispatched matters that mention a suit). A text that names no
legal body reads 0.

It is fitted with the classifier (`RequestClassifier.fit`, from the same rows) and saved in the model
directory as arrays (`legal_reader.safetensors`) and JSON (`legal_reader.json`: the n-grams, the body
words it was trained with): nothing is pickled, and a loaded reader splits sentences by the words it
learnt with, whatever the shipped resource says later. How its reading is used: jiesu.model.disposition.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from safetensors.numpy import load_file, save_file
from sklearn.linear_model import LogisticRegression

from jiesu.data.disposition_rules import load_disposition_rules
from jiesu.model.heads import decode_disposition
from jiesu.model.legal import strip_glosses

ARRAYS_FILE = "legal_reader.safetensors"
VOCABULARY_FILE = "legal_reader.json"
FILES = (ARRAYS_FILE, VOCABULARY_FILE)
FORMAT = 1
# Model parameters (chosen on the seed corpus and the development halves of the real texts).
NGRAMS = (1, 2, 3)
MIN_DF = 2
C = 1.0
# The reader is read only where the disposition head gives the legal channels at least this much: below
# it, its reading is not used (jiesu.model.disposition), and most texts cost nothing.
HEAD_SUPPORT = 0.3
# Too few rows of either kind to learn from: no reader (the rules and the disposition head decide alone).
MIN_ROWS = 10
# No fitted reader comes near it (IDF ≤ log(n) + 1, weights of a regularised fit): a larger value is a
# damaged file, and could overflow a reading.
MAX_MAGNITUDE = 1e6
SENTENCE_END = re.compile(r"[。！？!?；;]|\s+")


@dataclass(frozen=True)
class LegalReading:
    """The reader's probability that the text is a legal-channel matter, with what the disposition head
    says of the legal channels: their summed probability, and the one it believes most. The probability
    is None where the head's support is under HEAD_SUPPORT (the text was not read)."""

    probability: float | None
    head_support: float
    head_channel: str | None


def body_sentences(text: str, bodies: re.Pattern[str]) -> str:
    """The sentences of `text` (normalised) that name a legal body, joined by a space; "" where none."""
    clean = strip_glosses(text)[0]  # 法(fǎ)院 names a court too
    if bodies.search(clean) is None:  # most texts: one scan, no split
        return ""
    return " ".join(part for part in SENTENCE_END.split(clean) if part and bodies.search(part))


def _grams(text: str) -> Counter[str]:
    return Counter(text[i : i + n] for n in NGRAMS for i in range(len(text) - n + 1))


def _bodies_pattern(words: Sequence[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)))


class LegalReader:
    def __init__(
        self,
        bodies: Sequence[str],
        grams: Sequence[str],
        idf: npt.NDArray[np.float64],
        coef: npt.NDArray[np.float64],
        intercept: float,
        rows: int = 0,
        positives: int = 0,
    ) -> None:
        if not bodies:
            raise ValueError("a legal reader needs at least one body word")
        if not (len(grams) == idf.shape[0] == coef.shape[0]):
            raise ValueError("the reader's n-grams, IDF and weights differ in length")
        self.bodies = list(bodies)
        self.grams = list(grams)
        self.index = {gram: i for i, gram in enumerate(self.grams)}
        self.idf = idf
        self.coef = coef
        self.intercept = float(intercept)
        self.rows = rows
        self.positives = positives
        self._pattern = _bodies_pattern(self.bodies)
        # One weight per n-gram with its IDF folded in: a text's score is Σ tf·w / ‖tf·idf‖ + b.
        self._weights = (idf * coef).tolist()
        self._idf = idf.tolist()

    # --- fitting ------------------------------------------------------------------------------------
    @classmethod
    def fit(
        cls, texts: Sequence[str], legal: Sequence[bool | None], bodies: Sequence[str], seed: int = 0
    ) -> LegalReader | None:
        """Fit on the `texts` (normalised) whose `legal` is not None (True: a legal-channel row) and that
        name a body; None where either kind has fewer than MIN_ROWS rows, or no body words are given."""
        if not bodies:
            return None
        pattern = _bodies_pattern(bodies)
        docs, labels = [], []
        for text, is_legal in zip(texts, legal, strict=True):
            if is_legal is None:
                continue
            sentences = body_sentences(text, pattern)
            if sentences:
                docs.append(_grams(sentences))
                labels.append(bool(is_legal))
        positives = sum(labels)
        if positives < MIN_ROWS or len(labels) - positives < MIN_ROWS:
            return None
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(doc.keys())
        grams = sorted(gram for gram, count in df.items() if count >= MIN_DF)
        index = {gram: i for i, gram in enumerate(grams)}
        n = len(docs)
        idf = np.array([math.log((1 + n) / (1 + df[gram])) + 1 for gram in grams], dtype=np.float64)
        matrix = _matrix(docs, index, idf)
        model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000, random_state=seed)
        model.fit(matrix, np.array(labels, dtype=np.int64))
        return cls(
            bodies, grams, idf, model.coef_[0].astype(np.float64), float(model.intercept_[0]), n, positives
        )

    @classmethod
    def from_dispositions(
        cls, normalised: Sequence[str], dispositions: Sequence[str | None] | None, seed: int = 0
    ) -> LegalReader | None:
        """The reader of a classifier's training rows, from their disposition labels and the shipped body
        words (None: no disposition labels, or too few rows of either kind)."""
        if dispositions is None:
            return None
        legal = [label.startswith("legal_channel") if label else None for label in dispositions]
        return cls.fit(normalised, legal, load_disposition_rules().legal_bodies, seed)

    # --- reading ------------------------------------------------------------------------------------
    def probabilities(self, texts: Iterable[str]) -> list[float]:
        """Per text (normalised), the probability of a legal-channel matter; 0.0 where no body is named."""
        return [self._probability(body_sentences(text, self._pattern)) for text in texts]

    def _probability(self, sentences: str) -> float:
        if not sentences:
            return 0.0
        index, weights, idf = self.index, self._weights, self._idf
        dot = norm = 0.0
        for gram, count in _grams(sentences).items():
            i = index.get(gram)
            if i is None:
                continue
            tf = 1.0 + math.log(count)
            dot += tf * weights[i]
            norm += (tf * idf[i]) ** 2
        score = self.intercept + (dot / math.sqrt(norm) if norm else 0.0)
        if score < 0:  # the logistic function without overflow on either side
            odds = math.exp(score)
            return odds / (1.0 + odds)
        return 1.0 / (1.0 + math.exp(-score))

    # --- persistence --------------------------------------------------------------------------------
    def save(self, directory: Path) -> list[str]:
        save_file(
            {"idf": self.idf, "coef": self.coef, "intercept": np.array([self.intercept])},
            str(directory / ARRAYS_FILE),
        )
        vocabulary = {
            "format": FORMAT,
            "bodies": self.bodies,
            "grams": self.grams,
            "rows": self.rows,
            "positives": self.positives,
        }
        (directory / VOCABULARY_FILE).write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
        return list(FILES)

    @classmethod
    def load(cls, directory: Path) -> LegalReader:
        """Raises ValueError (or OSError, KeyError) where the files are not a reader's: a reader that loads
        reads every text to a finite probability."""
        vocabulary = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        if not isinstance(vocabulary, dict) or vocabulary.get("format") != FORMAT:
            raise ValueError(f"{VOCABULARY_FILE} is not a legal reader of format {FORMAT}")
        bodies, grams = vocabulary.get("bodies"), vocabulary.get("grams")
        rows, positives = vocabulary.get("rows"), vocabulary.get("positives")
        if not (_strings(bodies) and _strings(grams)):
            raise ValueError(f"{VOCABULARY_FILE}: 'bodies' and 'grams' must be lists of non-empty strings")
        if not (_count(rows) and _count(positives)):
            raise ValueError(f"{VOCABULARY_FILE}: 'rows' and 'positives' must be counts")
        arrays = load_file(str(directory / ARRAYS_FILE))
        idf, coef, intercept = (_finite_vector(arrays, name) for name in ("idf", "coef", "intercept"))
        if len(intercept) != 1:
            raise ValueError(f"{ARRAYS_FILE}: 'intercept' must hold one value")
        return cls(bodies, grams, idf, coef, float(intercept[0]), rows, positives)

    def describe(self) -> dict[str, int]:
        """What the metadata records."""
        return {"rows": self.rows, "positives": self.positives, "ngrams": len(self.grams)}


def legal_readings(
    reader: LegalReader | None,
    texts: Sequence[str],
    disposition_classes: Sequence[str],
    disposition: npt.NDArray[np.float32] | None,
) -> list[LegalReading | None]:
    """Per text, the disposition head's legal belief (summed probability of the legal channels and the
    most probable one) and, where it reaches HEAD_SUPPORT, the reader's probability (else None: it would
    not be used); None without a reader or a disposition head."""
    columns = [i for i, name in enumerate(disposition_classes) if name.startswith("legal_channel")]
    if reader is None or disposition is None or not columns:
        return [None] * len(texts)
    legal = disposition[:, columns]
    supports = legal.sum(axis=1).tolist()
    channels = [
        decode_disposition(disposition_classes[columns[i]]).channel for i in legal.argmax(axis=1).tolist()
    ]
    read = [row for row, support in enumerate(supports) if support >= HEAD_SUPPORT]  # a few texts
    probabilities = dict(zip(read, reader.probabilities([texts[row] for row in read]), strict=True))
    return [
        LegalReading(probabilities.get(row), support, channel)
        for row, (support, channel) in enumerate(zip(supports, channels, strict=True))
    ]


def _strings(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(item, str) and item for item in value)


def _count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _finite_vector(arrays: dict[str, npt.NDArray[np.generic]], name: str) -> npt.NDArray[np.float64]:
    array = arrays[name]
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.floating) or not np.isfinite(array).all():
        raise ValueError(f"{ARRAYS_FILE}: '{name}' must be a vector of finite numbers")
    if np.abs(array).max(initial=0.0) > MAX_MAGNITUDE:
        raise ValueError(
            f"{ARRAYS_FILE}: '{name}' holds values no fitted reader has (over {MAX_MAGNITUDE:g})"
        )
    return array.astype(np.float64)


def _matrix(
    docs: Sequence[Counter[str]], index: dict[str, int], idf: npt.NDArray[np.float64]
) -> sp.csr_matrix:
    """Sublinear TF-IDF rows, L2-normalised (what `_probability` computes for one text)."""
    data: list[float] = []
    columns: list[int] = []
    pointers = [0]
    for doc in docs:
        row = [
            (index[gram], (1.0 + math.log(count)) * idf[index[gram]])
            for gram, count in doc.items()
            if gram in index
        ]
        norm = math.sqrt(sum(value * value for _, value in row)) or 1.0
        row.sort()
        columns.extend(i for i, _ in row)
        data.extend(value / norm for _, value in row)
        pointers.append(len(columns))
    return sp.csr_matrix(
        (np.array(data), np.array(columns, dtype=np.int64), np.array(pointers, dtype=np.int64)),
        shape=(len(docs), len(index)),
    )
