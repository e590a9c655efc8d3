"""The drift lines of `jiesu audit model` (jiesu.serving.model_metrics.format_table): a large PSI on too few
live values is explained, not left to read as a silent alarm."""

from __future__ import annotations

from datetime import date

from jiesu.serving.model_metrics import format_table
from jiesu.training.drift import MIN_LIVE, Histogram
from jiesu.workflow.promise import DriftSignal, ModelDrift, ModelMetricsOut


def _table(live_values: int, psi: float, warning: bool) -> str:
    reference = Histogram(edges=[0.5], shares=[0.5, 0.5], n=1000, mean=0.5)
    live = Histogram(edges=[0.5], shares=[0.0, 1.0], n=live_values, mean=0.9)
    signal = DriftSignal(
        measure="decision_confidence", reference=reference, live=live, psi=psi, warning=warning
    )
    report = ModelMetricsOut(
        date_from=date(2026, 12, 1),
        date_to=date(2026, 12, 7),
        period="week",
        method="",
        rows=[],
        drift=[ModelDrift(model_id="linear-x", suggestions=live_values, signals=[signal])],
    )
    return format_table(report).splitlines()[-1]


def test_a_large_psi_on_few_live_values_says_why_there_is_no_warning() -> None:
    line = _table(3, 5.669, warning=False)
    assert (
        line
        == f"drift linear-x decision_confidence: PSI 5.669  (on 3 live values: no warning under {MIN_LIVE})"
    )


def test_enough_live_values_warn() -> None:
    assert _table(MIN_LIVE, 0.5, warning=True).endswith("WARNING: live traffic has parted from training")


def test_a_stable_signal_on_enough_values_says_nothing_more() -> None:
    assert _table(MIN_LIVE, 0.05, warning=False) == "drift linear-x decision_confidence: PSI 0.050"
