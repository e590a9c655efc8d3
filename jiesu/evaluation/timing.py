"""Throughput and latency of a batch function, measured the same way by every benchmark."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

SINGLE_TEXTS = 500


def batch_and_single(function: Callable[[list[str]], object], texts: Sequence[str]) -> dict[str, float]:
    """docs/s for the whole batch (after a small warm-up call), and p50/p99 ms for one text at a time."""
    items = list(texts)
    function(items[:20])  # warm caches: jieba's prefix dictionary, BLAS, the automata
    started = time.perf_counter()
    function(items)
    seconds = time.perf_counter() - started
    latencies = []
    for text in items[:SINGLE_TEXTS]:
        started = time.perf_counter()
        function([text])
        latencies.append((time.perf_counter() - started) * 1000)
    return {
        "docs_per_s": len(items) / seconds,
        "p50_ms": float(np.percentile(latencies, 50)),
        "p99_ms": float(np.percentile(latencies, 99)),
    }
