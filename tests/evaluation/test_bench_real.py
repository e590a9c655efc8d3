"""`jiesu bench real`: the scoring functions on hand-made suggestions, the table, the baseline's errors
and the command's error for a missing data folder. No shared data needed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from jiesu.cli import main
from jiesu.evaluation.bench_real import (
    BASELINE_REVISION,
    FIGURES,
    BaselineUnavailable,
    format_report,
    macro_f1,
    missed_targets,
    resolve_revision,
    run_benchmark,
    score_real,
    score_seed,
)
from jiesu.evaluation.real_text import RAW_FILE, RealText


def suggestion(
    l1: str | None = "城乡建设",
    reasons: tuple[str, ...] = (),
    disposition: str = "dispatch",
    channel: str | None = None,
    number: str | None = None,
    unit: str | None = None,
    confidence: float = 0.9,
) -> dict[str, Any]:
    """The fields of a suggestion's JSON that the scores read."""
    return {
        "id": None,
        "category": {"l1": l1, "l2": None, "confidence": confidence, "top": []},
        "disposition": {"label": disposition, "channel": channel, "emergency_number": number},
        "route": {"unit": unit} if unit else None,
        "consult": {"required": bool(reasons), "reasons": list(reasons)},
        "versions": {"model_id": "m"},
    }


def gold(unit: str | None, disposition: str = "dispatch", **rest: Any) -> dict[str, Any]:
    return {"unit": unit, "disposition": disposition, "channel": None, "emergency_number": None} | rest


def test_cli_names_the_missing_data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere"
    code = main(["bench", "real", "--real-data", str(missing), "--output", str(tmp_path / "r.json")])
    assert code == 2
    err = capsys.readouterr().err
    assert str(missing / RAW_FILE) in err
    assert "--real-data" in err
    assert not (tmp_path / "r.json").exists()


# --- scoring -------------------------------------------------------------------------------------------
def test_macro_f1_is_over_the_gold_classes() -> None:
    # a: tp 1, fn 1 → 2/3; b: tp 1, fp 1, fn 1 → 1/2; c is not a gold class.
    assert macro_f1(["a", "a", "b", "b"], ["a", "b", "b", "c"]) == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert macro_f1(["a", "b"], [None, "b"]) == pytest.approx((0 + 1) / 2)
    assert macro_f1([], []) is None


def test_real_score_leaves_place_reasons_out() -> None:
    labels = ["城乡建设", "城乡建设", "环境保护", "环境保护", "交通运输", "交通运输"]
    answers = [
        suggestion("城乡建设", ("no_jurisdiction",)),  # right, place reason only: without a person
        suggestion("城乡建设", ("low_confidence", "no_jurisdiction")),  # right, the model's own reason
        suggestion("城乡建设", ("outside_beijing", "ambiguous_jurisdiction")),  # wrong, without a person
        suggestion("环境保护", disposition="legal_channel", channel="petition"),  # right, not dispatched
        None,  # no suggestion: wrong and sent to a person
        {"id": "x", "line": 6, "error": "bad line"},  # a line error: the same
    ]
    score = score_real(labels, answers)
    assert score["l1_accuracy"] == {"value": 3 / 6, "hits": 3, "n": 6}
    assert score["auto_share"] == {"value": 3 / 6, "hits": 3, "n": 6}
    assert score["sent_share"] == {"value": 3 / 6, "hits": 3, "n": 6}
    assert score["auto_l1_accuracy"] == {"value": 2 / 3, "hits": 2, "n": 3}
    assert score["not_dispatched"]["hits"] == 1
    assert score["not_dispatched"]["by_disposition"] == {"legal_channel": 1}
    assert score["unanswered"] == 2
    # No route in any of them (the helper's suggestions name a unit only when asked), none for the two
    # unanswered either.
    assert score["no_unit"] == {"value": 6 / 6, "hits": 6, "n": 6}
    assert score["l1_macro_f1"]["value"] == pytest.approx(
        macro_f1(labels, ["城乡建设"] * 3 + ["环境保护", None, None])
    )


def test_real_score_counts_the_suggestions_without_a_unit() -> None:
    answers = [
        suggestion(unit="北京市人力资源和社会保障局"),  # a city-wide duty: its city-level unit
        suggestion(unit="北京市生态环境局", reasons=("no_jurisdiction",)),  # local: a unit and a person
        suggestion(disposition="answer_now"),  # answered now: no unit
        {"id": "x", "line": 4, "error": "bad line"},  # no suggestion: no unit either
    ]
    assert score_real(["城乡建设"] * 4, answers)["no_unit"] == {"value": 2 / 4, "hits": 2, "n": 4}


def test_real_score_without_anyone_auto_has_no_accuracy() -> None:
    score = score_real(["城乡建设"], [suggestion(reasons=("low_confidence",))])
    assert score["auto_share"]["value"] == 0
    assert score["auto_l1_accuracy"] == {"value": None, "hits": 0, "n": 0}


def test_seed_score_needs_unit_and_whole_disposition_right() -> None:
    rows = [
        gold("北京市热力集团"),
        gold("朝阳区人民政府"),
        gold(None, "legal_channel", channel="petition"),
        gold(None, "emergency", emergency_number="119"),
        gold(None, "answer_now"),
        gold("海淀区城市管理委员会"),
        gold("西城区人民政府"),
    ]
    answers = [
        suggestion(unit="北京市热力集团"),  # auto, right
        suggestion(unit="北京市热力集团"),  # auto, wrong unit
        suggestion(disposition="legal_channel", channel="litigation"),  # auto, wrong channel
        suggestion(disposition="emergency", number="119"),  # auto, right (no gold unit, no route)
        suggestion(disposition="answer_now", unit="x"),  # auto, a route where the gold wants none
        suggestion(unit="海淀区城市管理委员会", reasons=("no_jurisdiction",)),  # every reason counts here
        None,
    ]
    score = score_seed(rows, answers)
    assert score["auto_share"] == {"value": 5 / 7, "hits": 5, "n": 7}
    assert score["auto_unit_disposition"] == {"value": 2 / 5, "hits": 2, "n": 5}
    # rows the gold dispatches: 0 right, 1 wrong, 5 right (consulted, still scored), 6 unanswered
    assert score["unit_accuracy"] == {"value": 2 / 4, "hits": 2, "n": 4}
    assert score["unanswered"] == 1


# --- the report ----------------------------------------------------------------------------------------
def figures(real_right: int, auto: int) -> dict[str, Any]:
    labels = ["城乡建设"] * 10
    answers = [
        suggestion("城乡建设" if i < real_right else "环境保护", () if i < auto else ("low_confidence",))
        for i in range(10)
    ]
    return {
        "real": score_real(labels, answers),
        "seed": score_seed([gold("u")], [suggestion(unit="u")]),
    }


def test_missed_targets_name_the_figures_below_target() -> None:
    assert missed_targets(figures(real_right=10, auto=3)) == []
    assert missed_targets(figures(real_right=8, auto=2)) == ["real.l1_accuracy", "real.auto_share"]
    assert "real.auto_l1_accuracy" in missed_targets(figures(real_right=10, auto=0))  # n/a is not met


def test_emergency_transfers_on_real_texts_have_a_ceiling() -> None:
    labels = ["城乡建设"] * 400
    calm = [suggestion() for _ in range(399)]
    one = score_real(labels, [*calm, suggestion(disposition="emergency", number="120")])
    assert one["emergency_share"] == {"value": 1 / 400, "hits": 1, "n": 400}
    seed = score_seed([gold("u")], [suggestion(unit="u")])
    assert "real.emergency_share" not in missed_targets({"real": one, "seed": seed})  # 0.0025 ≤ 0.003
    two = score_real(labels, [*calm[:-1], *[suggestion(disposition="emergency", number="110")] * 2])
    assert "real.emergency_share" in missed_targets({"real": two, "seed": seed})
    table = format_report(
        {
            "half": "dev",
            "real_texts": 400,
            "seed_split": "test",
            "seed_rows": 1,
            "candidate": {"real": two, "seed": seed, "model_id": "m", "model_dir": "d"},
            "baseline": None,
            "missed": missed_targets({"real": two, "seed": seed}),
            "seconds": 1.0,
        }
    )
    line = next(line for line in table.splitlines() if "suggested as emergency transfer" in line)
    assert "0.005 (2/400)" in line
    assert "≤ 0.003" in line
    assert line.rstrip().endswith("no")
    assert "real.emergency_share (0.005 (2/400) > 0.003)" in table


def report(half: str, baseline: dict[str, Any] | None) -> dict[str, Any]:
    ours = figures(real_right=9, auto=3) | {"model_id": "m-new", "model_dir": "var/models/default"}
    return {
        "half": half,
        "real_texts": 10,
        "seed_split": "test",
        "seed_rows": 1,
        "candidate": ours,
        "baseline": baseline,
        "missed": missed_targets(ours),
        "seconds": 1.0,
    }


def test_table_shows_both_sides_targets_and_the_place_note() -> None:
    old = figures(real_right=5, auto=1) | {"revision": BASELINE_REVISION, "model_id": "m-old"}
    table = format_report(report("report", old))
    assert "today's code" in table
    assert "this model" in table
    assert "m-old" in table
    accuracy = next(line for line in table.splitlines() if "first-level accuracy  " in line)
    assert "0.500 (5/10)" in accuracy
    assert "0.900 (9/10)" in accuracy
    assert "≥ 0.85" in accuracy
    assert accuracy.rstrip().endswith("yes")
    assert "no_jurisdiction" in table
    assert "A市" in table
    assert "targets missed by this model: seed" not in table
    no_unit = next(line for line in table.splitlines() if "no unit suggested" in line)
    assert "1.000 (10/10)" in no_unit  # the hand-made suggestions name no unit
    rows = [line for line in table.splitlines() if line.startswith("  ") and not line.startswith("   ")]
    assert len(rows) == len(FIGURES)


def test_table_says_why_the_baseline_is_missing() -> None:
    table = format_report(report("report", {"revision": "nope", "unavailable": "revision 'nope' is unknown"}))
    assert "not shown: revision 'nope' is unknown" in table
    assert "—" in table


def test_unknown_revision_is_unavailable(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    with pytest.raises(BaselineUnavailable, match="not available"):
        resolve_revision("0" * 40)
    with pytest.raises(BaselineUnavailable, match="not available"):
        resolve_revision("HEAD", repo=tmp_path)  # not a repository


@pytest.mark.slow
def test_benchmark_without_baseline_writes_no_report_texts(seed_model_dir: Path, tmp_path: Path) -> None:
    texts = [
        RealText("real:1", "A市某小区暖气不热，请供热公司尽快处理", "城乡建设"),
        RealText("real:2", "学校违规补课收费，希望教育局查处", "教育文体"),
    ]
    output = tmp_path / "real.json"
    result = run_benchmark(
        seed_model_dir, texts, "report", output, baseline_revision="0" * 40, cache_root=tmp_path / "cache"
    )
    assert "not available" in result["baseline"]["unavailable"]
    assert result["candidate"]["real"]["l1_accuracy"]["n"] == 2
    assert result["candidate"]["seed"]["auto_share"]["n"] == result["seed_rows"] > 0
    written = output.read_text(encoding="utf-8")
    assert json.loads(written)["half"] == "report"
    table = format_report(result)
    for item in texts:
        assert item.text not in written
        assert item.text not in table
    dev = run_benchmark(seed_model_dir, texts, "dev", tmp_path / "dev.json", baseline_revision=None)
    assert dev["baseline"] is None
    assert "dev_errors" in dev
    assert dev["candidate"]["real"]["crosswalk_l1_accuracy"]["n"] == 2  # leave-one-out on the dev half
    assert "crosswalk_l1_accuracy" not in result["candidate"]["real"]  # no dev half given: not shown
    assert "—" in next(line for line in table.splitlines() if "their boundaries" in line)
    crossed = run_benchmark(
        seed_model_dir,
        texts[:1],
        "report",
        tmp_path / "x.json",
        baseline_revision=None,
        crosswalk_texts=texts,
    )
    assert crossed["candidate"]["real"]["crosswalk_l1_accuracy"]["hits"] == 1  # learnt on both, read on one
