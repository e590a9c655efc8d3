"""Sample weights reach the fitted heads: a heavier label wins a conflict, and bad weights are refused."""

from __future__ import annotations

import pytest

from jiesu.errors import DataValidationError
from jiesu.model.classifier import RequestClassifier
from tests.model.conftest import CATEGORIES, TEXTS

CONTESTED = "暖气不热，楼下油烟也很大"


def _fit(weights: tuple[float, float]) -> RequestClassifier:
    texts = [*TEXTS, CONTESTED, CONTESTED]
    labels: list[str | None] = [*CATEGORIES, "供暖", "餐饮油烟"]
    sample_weight = [1.0] * len(TEXTS) + list(weights)
    return RequestClassifier().fit(texts, {"category": labels}, sample_weight=sample_weight)


@pytest.mark.slow
def test_the_heavier_of_two_conflicting_labels_wins() -> None:
    assert _fit((20.0, 0.05)).predict(CONTESTED).category_l2 == "供暖"
    assert _fit((0.05, 20.0)).predict(CONTESTED).category_l2 == "餐饮油烟"


@pytest.mark.parametrize("weights", [[1.0] * 3, [1.0] * 9 + [-1.0], [0.0] * 10, [1.0] * 9 + [float("nan")]])
def test_bad_weights_are_refused(weights: list[float]) -> None:
    with pytest.raises(DataValidationError, match="sample_weight"):
        RequestClassifier().fit(TEXTS, {"category": list(CATEGORIES)}, sample_weight=weights)


@pytest.mark.parametrize("extra", [-1, 1])
def test_fit_calibrated_refuses_weights_of_another_length_before_any_fold(extra: int) -> None:
    from jiesu.training.pipeline import fit_calibrated

    weights = [1.0] * (len(TEXTS) + extra)
    with pytest.raises(DataValidationError, match="sample_weight has"):
        fit_calibrated(TEXTS, {"category": list(CATEGORIES)}, sample_weight=weights)
