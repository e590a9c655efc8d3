"""Confidence thresholds: the lowest confidence above which predictions are at least `target` accurate
(largest coverage), and the risk–coverage table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

REPORT_TARGETS = (0.95, 0.97, 0.98, 0.99)


@dataclass(frozen=True)
class CoveragePoint:
    target_accuracy: float
    threshold: float | None
    coverage: float
    accuracy: float | None

    def to_dict(self) -> dict[str, float | None]:
        return asdict(self)


def choose_threshold(
    confidence: npt.NDArray[np.floating], correct: npt.NDArray[np.bool_], target: float
) -> float | None:
    """Lowest threshold t such that predictions with confidence ≥ t are ≥ target accurate.

    Ties are kept together (a threshold can't split equal confidences). None when no non-empty set of
    top-confidence predictions reaches the target: nothing may then be acted on automatically."""
    if len(confidence) == 0:
        return None
    order = np.argsort(-confidence, kind="stable")
    sorted_conf = confidence[order]
    cumulative_accuracy = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    # Only positions where the next confidence is strictly lower are valid cut points.
    last_of_tie = np.append(sorted_conf[:-1] > sorted_conf[1:], True)
    valid = np.flatnonzero(last_of_tie & (cumulative_accuracy >= target))
    if len(valid) == 0:
        return None
    return float(sorted_conf[valid[-1]])


def coverage_at(
    confidence: npt.NDArray[np.floating], correct: npt.NDArray[np.bool_], threshold: float | None
) -> tuple[float, float | None]:
    """(coverage, accuracy) of the predictions whose confidence is ≥ threshold."""
    if threshold is None or len(confidence) == 0:
        return 0.0, None
    kept = confidence >= threshold
    if not kept.any():
        return 0.0, None
    return float(kept.mean()), float(correct[kept].mean())


def risk_coverage(
    confidence: npt.NDArray[np.floating],
    correct: npt.NDArray[np.bool_],
    targets: Sequence[float] = REPORT_TARGETS,
) -> list[CoveragePoint]:
    """For each target accuracy: the threshold chosen on these predictions and the coverage it gives."""
    points = []
    for target in targets:
        threshold = choose_threshold(confidence, correct, target)
        coverage, accuracy = coverage_at(confidence, correct, threshold)
        points.append(CoveragePoint(target, threshold, coverage, accuracy))
    return points
