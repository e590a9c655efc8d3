"""A small deterministic classifier for tests that need a model but not the trained one.

`keyword_classifier()` is a real `RequestClassifier` (the real `predict`, calibration, thresholds,
`metadata()`, and so the real `Suggester` over it) whose backend scores by keywords instead of learnt
weights: a text that contains a rule's keyword gets that rule's label with a confidence near 1, a text
that matches no rule gets a flat category distribution (low confidence, ambiguous category) and leans
weakly to a dispatched complaint, as the trained model does for gibberish. Building it takes milliseconds; fitting the seed model takes ~10 s.

The rules mirror what the seed model says for the texts the tests use (heating → 供暖 → 北京市热力集团,
restaurant fumes → 餐饮油烟, a fire → emergency:119, a question → answer_now). Tests that check what the
*trained* model predicts use the `seed_model` fixture instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from jiesu.data.taxonomy import load_taxonomy
from jiesu.model.backend import PreparedTexts
from jiesu.model.classifier import RequestClassifier, TrainingRecord
from jiesu.model.config import ClassifierConfig
from jiesu.model.segmentation import jieba_dictionary_path

MODEL_ID = "keyword-test-model"
MATCH_SCORE = 12.0  # softmax over ~120 classes: a matched label gets confidence ≈ 0.9993
THRESHOLD = 0.9

REQUEST_TYPES = ["举报", "咨询", "建议", "投诉", "求助", "表扬"]
DISPOSITIONS = [
    "answer_now", "dispatch", "duplicate", "emergency:110", "emergency:119", "emergency:120",
    "emergency:122", "legal_channel:arbitration", "legal_channel:litigation", "out_of_scope", "unlawful",
]  # fmt: skip

# head → (keyword, label) in order; the first rule whose keyword is in the text wins.
RULES: dict[str, list[tuple[str, str]]] = {
    "category": [
        ("着火", "消防安全"),
        ("油烟", "餐饮油烟"),
        ("暖气", "供暖"),
        ("供暖", "供暖"),
        ("噪音", "社会生活噪声"),
    ],
    "request_type": [("快来人", "求助"), ("怎么办", "咨询"), ("不热", "投诉"), ("扰民", "投诉")],
    "disposition": [
        ("着火", "emergency:119"),
        ("怎么办", "answer_now"),
        ("暖气", "dispatch"),
        ("油烟", "dispatch"),
        ("噪音", "dispatch"),
    ],
}
# What a text that matches no rule leans to (the trained model dispatches a complaint it cannot read,
# with low confidence); its category stays flat.
DEFAULTS: dict[str, tuple[str, float]] = {"request_type": ("投诉", 1.0), "disposition": ("dispatch", 1.0)}


class KeywordBackend:
    """The `Backend` protocol over `RULES`: a matched label scores MATCH_SCORE, every other label 0."""

    def __init__(self, classes: Mapping[str, Sequence[str]]) -> None:
        self.classes = {head: list(labels) for head, labels in classes.items()}

    def prepare(self, normalised: Sequence[str]) -> PreparedTexts:
        return PreparedTexts(list(normalised), [[] for _ in normalised])

    def fit(
        self,
        prepared: PreparedTexts,
        targets: Mapping[str, npt.NDArray[np.int64]],
        classes: Mapping[str, int],
        sample_weight: npt.NDArray[np.float64] | None = None,
    ) -> None:
        raise NotImplementedError("the keyword backend has fixed rules; it is not trained")

    def scores(self, prepared: PreparedTexts) -> dict[str, npt.NDArray[np.float32]]:
        out: dict[str, npt.NDArray[np.float32]] = {}
        for head, labels in self.classes.items():
            matrix = np.zeros((len(prepared), len(labels)), dtype=np.float32)
            for row, text in enumerate(prepared.texts):
                label = next((label for keyword, label in RULES[head] if keyword in text), None)
                if label is not None:
                    matrix[row, labels.index(label)] = MATCH_SCORE
                elif head in DEFAULTS:
                    default, score = DEFAULTS[head]
                    matrix[row, labels.index(default)] = score
            out[head] = matrix
        return out

    def scores_and_unfamiliarity(
        self, prepared: PreparedTexts
    ) -> tuple[dict[str, npt.NDArray[np.float32]], npt.NDArray[np.float64] | None]:
        return self.scores(prepared), None  # every text is as familiar as any to a keyword list

    def n_classes(self, head: str) -> int:
        return len(self.classes[head])

    def save(self, directory: Path) -> list[str]:
        raise NotImplementedError("the keyword backend is built in memory by the tests, never saved")


def keyword_classifier() -> RequestClassifier:
    """A fitted-looking `RequestClassifier` over `KeywordBackend` (built as `RequestClassifier.load` does)."""
    classes = {
        "category": sorted(load_taxonomy().second_level),
        "request_type": REQUEST_TYPES,
        "disposition": DISPOSITIONS,
    }
    model = RequestClassifier(ClassifierConfig())
    model.heads_ = list(classes)
    model.classes_ = classes
    model.temperatures_ = dict.fromkeys(classes, 1.0)
    model.thresholds_ = dict.fromkeys(classes, THRESHOLD)
    model.margin_ = model.config.calibration.margin
    # No decision threshold: the consultation judges the category head against THRESHOLD.
    model.decision_threshold_ = None
    model.decision_measured_ = False
    model.unfamiliar_threshold_ = None
    model.model_id_ = MODEL_ID
    model.created_at_ = datetime(2026, 1, 1, tzinfo=UTC)
    model.training_ = TrainingRecord(fingerprint="0" * 64, source="tests/keyword_classifier.py")
    model.backend_ = KeywordBackend(classes)
    model.jieba_dictionary_ = jieba_dictionary_path()  # as a fitted model: the installed jieba's
    model._check_shapes()
    return model
