"""Probability calibration: one temperature per head, fitted on out-of-fold scores by minimising the
negative log-likelihood; and expected calibration error (ECE) to report how well it worked."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize_scalar


def fit_temperature(scores: npt.NDArray[np.floating], y: npt.NDArray[np.int64]) -> float:
    """The temperature T minimising the NLL of softmax(scores / T) for the true classes y."""
    scores64 = np.asarray(scores, dtype=np.float64)

    def nll(log_t: float) -> float:
        scaled = scores64 / np.exp(log_t)
        scaled -= scaled.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(scaled).sum(axis=1))
        return float(np.mean(log_norm - scaled[np.arange(len(y)), y]))

    result = minimize_scalar(
        nll, bounds=(np.log(1e-3), np.log(1e2)), method="bounded", options={"xatol": 1e-4}
    )
    return float(np.exp(result.x))


def expected_calibration_error(
    confidence: npt.NDArray[np.floating], correct: npt.NDArray[np.bool_], bins: int = 15
) -> float:
    """Top-label ECE with equal-width bins: Σ |bin| / n · |accuracy(bin) − confidence(bin)|."""
    if len(confidence) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() / len(confidence) * abs(correct[mask].mean() - confidence[mask].mean())
    return float(total)
