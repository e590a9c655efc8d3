import numpy as np
import pytest

from jiesu.model.scoring import softmax
from jiesu.training.calibration import expected_calibration_error, fit_temperature
from jiesu.training.thresholds import choose_threshold, coverage_at, risk_coverage


def test_threshold_is_the_lowest_confidence_that_keeps_the_target_accuracy() -> None:
    confidence = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6])
    correct = np.array([True, True, True, True, False, False])
    assert choose_threshold(confidence, correct, 0.97) == 0.8
    assert coverage_at(confidence, correct, 0.8) == (4 / 6, 1.0)
    # 5 of 6 kept would be 80% accurate: enough for a 0.8 target, not for 0.85.
    assert choose_threshold(confidence, correct, 0.8) == 0.7
    assert choose_threshold(confidence, correct, 0.85) == 0.8


def test_ties_are_never_split_and_unreachable_targets_give_none() -> None:
    confidence = np.array([0.9, 0.9, 0.5])
    correct = np.array([True, False, False])
    assert choose_threshold(confidence, correct, 0.9) is None
    assert coverage_at(confidence, correct, None) == (0.0, None)
    assert choose_threshold(np.array([]), np.array([], dtype=bool), 0.9) is None


def test_risk_coverage_shrinks_as_the_target_rises() -> None:
    rng = np.random.default_rng(0)
    confidence = rng.uniform(0.3, 1.0, 2000)
    correct = rng.uniform(size=2000) < confidence
    points = risk_coverage(confidence, correct)
    coverages = [point.coverage for point in points]
    assert coverages == sorted(coverages, reverse=True)
    for point in points:
        if point.accuracy is not None:
            assert point.accuracy >= point.target_accuracy


def test_temperature_recovers_a_known_temperature() -> None:
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(5000, 4)) * 3
    true_probabilities = softmax(logits, 2.0)
    y = np.array([rng.choice(4, p=p / p.sum()) for p in true_probabilities.astype(np.float64)])
    assert fit_temperature(logits, y) == pytest.approx(2.0, rel=0.1)


def test_ece_is_small_when_calibrated_and_large_when_overconfident() -> None:
    rng = np.random.default_rng(2)
    confidence = rng.uniform(0.5, 1.0, 20000)
    calibrated_correct = rng.uniform(size=20000) < confidence
    assert expected_calibration_error(confidence, calibrated_correct) < 0.02
    overconfident = rng.uniform(size=20000) < confidence - 0.3
    assert expected_calibration_error(confidence, overconfident) > 0.25
