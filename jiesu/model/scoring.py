"""Turning per-class scores into calibrated probabilities (temperature-scaled softmax), and the
decisions made from them (top-k, margin, meets-threshold)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]


def softmax(scores: npt.NDArray[np.floating], temperature: float = 1.0) -> Matrix:
    scaled = np.asarray(scores, dtype=np.float64) / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    np.exp(scaled, out=scaled)
    scaled /= scaled.sum(axis=1, keepdims=True)
    return scaled.astype(np.float32)


def top_k(probabilities: Matrix, k: int) -> tuple[npt.NDArray[np.int64], Matrix]:
    """Indices and probabilities of the k best classes per row, best first."""
    k = min(k, probabilities.shape[1])
    order = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(probabilities, order, axis=1)
