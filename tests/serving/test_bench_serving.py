"""Smoke test of the load benchmark: a real uvicorn subprocess, a few requests, the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiesu.evaluation.bench_serving import format_report, run_benchmark


@pytest.mark.slow
def test_benchmark_runs_end_to_end(seed_model_dir: Path, tmp_path: Path) -> None:
    report = run_benchmark(
        tmp_path / "serving.json",
        model_dir=seed_model_dir,
        postgres_url=None,
        creates=24,
        create_clients=4,
        suggest_requests=40,
        suggest_clients=4,
        warmup_creates=8,
    )
    sqlite = report["backends"]["sqlite"]
    assert sqlite["creates"]["tickets_in_db"] == 24  # the measured ones
    assert sqlite["creates"]["warmup_tickets_in_db"] == 8  # counted apart
    assert (sqlite["creates"]["lost"], sqlite["creates"]["duplicated"], sqlite["creates"]["errors"]) == (
        0,
        0,
        0,
    )
    assert sqlite["creates"]["same_ticket_on_retry"] == "24/24"
    assert sqlite["suggest"]["errors"] == 0
    assert sqlite["suggest"]["p99_ms"] > 0
    text = format_report(report)
    assert "lost / duplicated" in text
    assert "suggest p99" in text
    assert (tmp_path / "serving.json").exists()
