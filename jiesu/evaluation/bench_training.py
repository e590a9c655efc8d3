"""`jiesu bench training`: the calibrated fit of the seed corpus with its fold models in worker processes
(the default, jiesu.training.fold_workers) beside the same fit in one process (the baseline), each in a
fresh interpreter so that its peak memory is its own: seconds, peak memory of the process and of its
workers, and whether the two models are the same (weights and thresholds)."""

from __future__ import annotations

import hashlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

RUN_TIMEOUT_S = 1800


def fit_once(workers: int, rows: int | None) -> dict[str, Any]:
    """One calibrated fit of the seed corpus (its first `rows` rows, if given) with `workers`."""
    from jiesu.model.linear import LinearBackend
    from jiesu.training.datasets import SEED, load_training_data
    from jiesu.training.pipeline import fit_calibrated

    data = load_training_data(SEED)
    texts, targets = data.texts, data.targets
    if rows is not None:
        texts, targets = texts[:rows], {head: labels[:rows] for head, labels in targets.items()}
    started = time.perf_counter()
    model, _ = fit_calibrated(texts, targets, source=data.source, workers=workers)
    seconds = time.perf_counter() - started
    digest = hashlib.sha256(json.dumps([model.thresholds_, model.temperatures_], sort_keys=True).encode())
    if isinstance(model.backend_, LinearBackend):
        for head in sorted(model.backend_.weights):
            digest.update(np.ascontiguousarray(model.backend_.weights[head]).tobytes())
    return {
        "workers": workers,
        "rows": len(texts),
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "workers_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "model_digest": digest.hexdigest(),
    }


def _in_fresh_interpreter(workers: int, rows: int | None) -> dict[str, Any]:
    command = [sys.executable, "-m", "jiesu.evaluation.bench_training", str(workers), str(rows or 0)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run_benchmark(output: Path, workers: int, rows: int | None = None) -> dict[str, Any]:
    report = {"ours": _in_fresh_interpreter(workers, rows), "baseline": _in_fresh_interpreter(1, rows)}
    report["same_model"] = report["ours"]["model_digest"] == report["baseline"]["model_digest"]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return report


def format_report(report: dict[str, Any]) -> str:
    ours, baseline = report["ours"], report["baseline"]
    lines = [
        f"calibrated fit of the seed corpus ({ours['rows']} rows): fold models in {ours['workers']} worker "
        "process(es) vs all in one process",
        f"{'':28}{'ours':>12}{'one process':>14}",
        f"{'seconds':28}{ours['seconds']:12.1f}{baseline['seconds']:14.1f}",
        f"{'peak memory, process (MB)':28}{ours['peak_rss_mb']:12.0f}{baseline['peak_rss_mb']:14.0f}",
        f"{'peak memory, a worker (MB)':28}{ours['workers_peak_rss_mb']:12.0f}{baseline['workers_peak_rss_mb']:14.0f}",
        f"the same model (weights, thresholds, temperatures): {'yes' if report['same_model'] else 'NO'}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # one measured fit, in the interpreter `_in_fresh_interpreter` started
    workers_arg, rows_arg = int(sys.argv[1]), int(sys.argv[2])
    print(json.dumps(fit_once(workers_arg, rows_arg or None)))
