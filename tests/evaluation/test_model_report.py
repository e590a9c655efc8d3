from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from jiesu.data.corpus import load_seed_corpus
from jiesu.evaluation.classification import (
    coverage_curve,
    evaluate_decisions,
    evaluate_model,
    format_decisions,
    reliability_bins,
)
from jiesu.evaluation.model_report import write_model_report
from jiesu.model.classifier import RequestClassifier
from jiesu.model.suggestion import Suggester, SuggestionRequest


def test_reliability_bins_hold_each_bins_mean_confidence_and_accuracy() -> None:
    confidence = np.array([0.05, 0.15, 0.95, 0.97, 0.99])
    correct = np.array([False, True, True, True, False])
    bins = reliability_bins(confidence, correct)
    assert [b["n"] for b in bins] == [1, 1, 3]  # empty bins are left out
    assert bins[2]["accuracy"] == 2 / 3
    assert abs(bins[2]["confidence"] - 0.97) < 1e-9


def test_the_coverage_curve_keeps_the_surest_first() -> None:
    confidence = np.array([0.9, 0.8, 0.7, 0.6])
    correct = np.array([True, True, False, False])
    curve = coverage_curve(confidence, correct, points=4)
    assert [p["coverage"] for p in curve] == [0.25, 0.5, 0.75, 1.0]
    assert [p["accuracy"] for p in curve] == [1.0, 1.0, 2 / 3, 0.5]


def _seed_rows(n: int) -> list[dict[str, str]]:
    return load_seed_corpus(split="test").to_list()[:n]  # type: ignore[no-any-return]


def test_decisions_count_what_goes_without_a_person_and_how_right_it_is(
    seed_model: RequestClassifier,
) -> None:
    rows = _seed_rows(80)
    texts = [row["text"] for row in rows]
    targets = {
        "disposition": [row["disposition"] for row in rows],
        "category": [row["category_l2"] for row in rows],
    }
    units = [row["unit"] or None for row in rows]
    decisions = evaluate_decisions(seed_model, texts, targets, units)

    suggestions = Suggester.with_reference_data(seed_model).suggest_many(
        [SuggestionRequest(t) for t in texts]
    )
    alone = [i for i, s in enumerate(suggestions) if not s.consult.required]
    assert decisions["without_person"] == len(alone)
    category_right = sum(suggestions[i].category.l2 == rows[i]["category_l2"] for i in alone)
    assert decisions["right"]["category"] == {"n": len(alone), "right": category_right}
    # The decision: the disposition (with its channel or number), and the unit where the row was dispatched.
    expected = 0
    for i in alone:
        d = suggestions[i].disposition
        shown = (
            f"{d.label}:{d.channel or d.emergency_number}" if (d.channel or d.emergency_number) else d.label
        )
        ok = shown == rows[i]["disposition"]
        if rows[i]["disposition"] == "dispatch" and rows[i]["unit"]:
            route = suggestions[i].route
            ok = ok and route is not None and route.unit == rows[i]["unit"]
        expected += ok
    assert decisions["decision_right"]["right"] == expected
    assert decisions["decision_right"]["parts"] == ["disposition", "unit"]
    assert decisions["promised"] == seed_model.config.calibration.target_accuracy
    assert "without a person" in format_decisions(decisions)


def test_the_report_page_is_one_file_with_its_plots_and_the_surest_errors(
    seed_model: RequestClassifier, tmp_path: Path
) -> None:
    rows = _seed_rows(120)
    texts = [row["text"] for row in rows]
    targets = {
        "category": [row["category_l2"] for row in rows],
        "disposition": [row["disposition"] for row in rows],
    }
    report = evaluate_model(seed_model, texts, targets)
    report["data"] = "seed:test"
    report["decisions"] = evaluate_decisions(seed_model, texts, targets)
    errors = report["heads"]["category"]["confident_errors"]
    assert errors
    assert [e["confidence"] for e in errors] == sorted((e["confidence"] for e in errors), reverse=True)
    assert all(e["true"] != e["predicted"] and e["text"] == texts[e["row"]] for e in errors)

    errors[0]["id"] = rows[errors[0]["row"]]["id"]  # as `jiesu evaluate` names them where the data has ids
    page = write_model_report(report, tmp_path / "report").read_text(encoding="utf-8")
    assert f"{errors[0]['id']} ({errors[0]['row']})" in page
    assert page.count('src="data:image/png;base64,') == len(report["heads"])  # one figure per head, inline
    assert "http" not in re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)  # nothing fetched
    assert errors[0]["true"] in page
    assert "<script" not in page
