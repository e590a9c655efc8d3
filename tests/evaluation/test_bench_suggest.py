"""The table `jiesu bench suggest` prints: each figure beside its target, whether it is met, and the
targets missed named at the end (jiesu.evaluation.bench_suggest.format_report)."""

from __future__ import annotations

from typing import Any

from jiesu.evaluation.bench_suggest import TARGETS, format_report


def _report(district: float, contrasts: float, docs_per_s: float) -> dict[str, Any]:
    def figure(value: float | None) -> dict[str, Any]:
        return {"value": value, "n": 100}

    ours = {"district_accuracy": figure(district), "contrasts_wrongly_excluded": figure(contrasts)}
    return {
        "split": "test",
        "rows": 100,
        "model_id": "linear-test",
        "ours": ours,
        "baseline": {key: figure(0.5) for key in ours},
        "speed": {
            "texts": 10,
            "ours": {"docs_per_s": docs_per_s, "p50_ms": 1.0, "p99_ms": 4.0},
            "baseline": {"docs_per_s": 2000.0, "p50_ms": 1.0, "p99_ms": 3.0},
        },
    }


def test_every_target_met_is_said_once() -> None:
    table = format_report(_report(0.99, 0.01, TARGETS["docs_per_s"]))
    assert table.splitlines()[-1] == "every target met"
    assert "district_accuracy" in table
    assert table.count(" yes") == 2


def test_a_target_missed_is_named_whichever_way_it_points() -> None:
    # Accuracy must reach its target; the share of contrasts wrongly excluded must stay under its own.
    table = format_report(_report(0.97, 0.06, 1400.0))
    assert (
        table.splitlines()[-1] == "targets missed: district_accuracy, contrasts_wrongly_excluded, docs_per_s"
    )


def test_a_figure_with_no_rows_is_not_met() -> None:
    report = _report(0.99, 0.01, 1600.0)
    report["ours"]["district_accuracy"]["value"] = None
    assert format_report(report).splitlines()[-1] == "targets missed: district_accuracy"
