"""What `jiesu rescore` prints at the end (jiesu.batch.summary.format_summary)."""

from __future__ import annotations

from jiesu.batch.summary import Agreement, Disagreement, RescoreSummary, Timing, format_summary


def summary(disagreements: list[Disagreement]) -> RescoreSummary:
    agreement = Agreement(rows=10, agreeing=7, rate=0.7)
    return RescoreSummary(
        model_id="m",
        inputs=["a.csv"],
        rows=10,
        errors=1,
        consultation_share=0.4,
        low_confidence_share=0.3,
        consult_reasons={"low_confidence": 3},
        unit_agreement=agreement,
        category_agreement=agreement,
        unit_agreement_by_unit={},
        category_agreement_by_category={},
        top_disagreements=disagreements,
        suggested_units={},
    )


def test_the_disagreements_are_listed_under_a_header_that_says_what_they_are() -> None:
    printed = format_summary(
        summary([Disagreement(historical_unit="朝阳区城市管理委员会", suggested_unit=None, count=3)])
    ).splitlines()
    header = printed.index("most frequent disagreements (rows, historical unit → suggested unit):")
    assert printed[header + 1].split() == ["3", "朝阳区城市管理委员会", "→", "(no", "unit)"]
    assert printed[0] == "model m: 10 rows scored, 1 refused (errors.jsonl)"


def test_no_header_without_disagreements() -> None:
    assert "disagreements" not in format_summary(summary([]))


def timed(rows_scored: int, seconds: float, workers: int) -> RescoreSummary:
    timing = Timing(
        engine="local",
        workers=workers,
        seconds=seconds,
        rows_scored=rows_scored,
        rows_per_second=round(rows_scored / seconds, 1),
        resumed=False,
        started_at="2026-12-07T00:00:00+00:00",
        finished_at="2026-12-07T00:00:14+00:00",
    )
    return summary([]).model_copy(update={"timing": timing})


def test_a_run_of_a_few_rows_says_it_was_too_short_to_measure_a_rate_instead_of_0_rows_per_s() -> None:
    last = format_summary(timed(4, 13.8, workers=2)).splitlines()[-1]
    assert last.startswith("4 rows in 13.8 s (too few rows to measure a rate")
    assert "rows/s" not in last
    assert last.endswith("2 worker(s), engine local)")


def test_a_long_enough_run_prints_its_rate_with_model_loading_included() -> None:
    last = format_summary(timed(200_000, 80.0, workers=2)).splitlines()[-1]
    assert last == (
        "200,000 rows in 80.0 s (2,500 rows/s, model loading included; 2 worker(s), engine local)"
    )


def test_a_resumed_run_with_nothing_left_prints_no_timing() -> None:
    done = timed(4, 1.0, workers=1)
    assert done.timing is not None
    nothing = done.model_copy(update={"timing": done.timing.model_copy(update={"rows_scored": 0})})
    assert "rows in" not in format_summary(nothing)
