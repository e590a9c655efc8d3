"""What `jiesu rescore` prints at the end (jiesu.batch.summary.format_summary)."""

from __future__ import annotations

from jiesu.batch.summary import Agreement, Disagreement, RescoreSummary, format_summary


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
