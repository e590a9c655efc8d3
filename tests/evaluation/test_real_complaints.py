import json
import re
from pathlib import Path
from typing import Any

import pytest

from jiesu.data.gazetteer import load_gazetteer
from jiesu.errors import JiesuError
from jiesu.evaluation.real_complaints import (
    COMPLAINT_FIGURES,
    COMPLAINTS_FILE,
    RealComplaint,
    complaint_errors,
    complaint_half,
    format_complaint_section,
    label_problems,
    load_real_complaints,
    missed_complaint_targets,
    score_complaints,
    second_labels,
)
from jiesu.model.text import fold_characters

README = COMPLAINTS_FILE.parent / "README.md"


def test_every_row_has_a_url_and_valid_labels() -> None:
    items = load_real_complaints()
    assert len(items) >= 150
    assert label_problems(items, load_gazetteer()) == []
    assert all(item.url.startswith(("http://", "https://")) for item in items)
    legal = [item for item in items if item.disposition == "legal_channel"]
    assert len(legal) >= 60  # many complaints that belong to a channel …
    mentions = re.compile("法院|起诉|告上|仲裁|纪委|信访|上访|复议|信息公开|官司|诉讼|强制执行|举报")
    dispatched = [
        item
        for item in items
        if item.disposition == "dispatch" and mentions.search(fold_characters(item.text))
    ]
    assert len(dispatched) >= 10  # … and those that mention one but are still dispatched
    assert sum(traditional(item.text) for item in items) >= 25


def traditional(text: str) -> bool:
    """Whether folding changes a CJK character (Traditional → Simplified), not only punctuation."""
    return any(a != b and "\u4e00" <= a <= "\u9fff" for a, b in zip(text, fold_characters(text), strict=True))


def test_the_readme_says_evaluation_only() -> None:
    text = README.read_text(encoding="utf-8")
    assert "evaluation only" in text
    assert "never for training" in text


def test_the_halves_are_stable_and_cover_the_set() -> None:
    items = load_real_complaints()
    dev, report = load_real_complaints(half="dev"), load_real_complaints(half="report")
    assert {i.id for i in dev} | {i.id for i in report} == {i.id for i in items}
    assert not {i.id for i in dev} & {i.id for i in report}
    assert min(len(dev), len(report)) >= 0.35 * len(items)
    # The half is a function of URL and text alone: whitespace does not move a row, anything else may.
    first = items[0]
    assert complaint_half(first.url, first.text) == complaint_half(first.url, " \n".join(first.text))
    # Pinned, so that a change of the rule (which would mix the halves) fails here.
    assert complaint_half("https://example.org/a", "法院已经判了") == "report"
    assert complaint_half("https://example.org/b", "法院已经判了") == "dev"


def test_a_bad_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "x", "url": "u", "text": "t"}) + "\n", encoding="utf-8")
    with pytest.raises(JiesuError, match="line 1"):
        load_real_complaints(path)
    with pytest.raises(JiesuError, match="missing"):
        load_real_complaints(tmp_path / "none.jsonl")


def item(
    disposition: str = "dispatch",
    channel: str | None = None,
    district: str | None = None,
    street: str | None = None,
) -> RealComplaint:
    return RealComplaint("rc", "https://example.org", "文本", disposition, channel, district, street, "")


def answer(
    label: str = "dispatch",
    channel: str | None = None,
    district: str | None = None,
    street: str | None = None,
) -> dict[str, Any]:
    return {
        "disposition": {"label": label, "channel": channel},
        "jurisdiction": {"district": district, "street": street},
    }


def test_labels_are_checked_against_the_gazetteer_and_channels() -> None:
    gazetteer = load_gazetteer()
    bad = [
        item("legal_channel", None),
        item("dispatch", "litigation"),
        item("legal_channel", "court"),
        item(district="朝阳"),
        item(district="海淀区", street="望京街道"),
    ]
    problems = [label_problems([row], gazetteer) for row in bad]
    assert [len(found) for found in problems] == [1, 1, 1, 1, 1]
    assert any("repeated id" in p for p in label_problems([item(), item()], gazetteer))
    assert label_problems([item("legal_channel", "arbitration", "朝阳区", "望京街道")], gazetteer) == []


def test_scores_count_precision_recall_channel_and_named_places() -> None:
    items = [
        item("legal_channel", "litigation", "朝阳区", "望京街道"),
        item("legal_channel", "discipline"),
        item("dispatch", None, "海淀区"),
        item("dispatch"),
    ]
    answers = [
        answer("legal_channel", "litigation", "朝阳区", "望京街道"),
        answer("legal_channel", "petition"),
        answer("legal_channel", "litigation", "西城区"),
        None,
    ]
    figures = score_complaints(items, answers)
    assert (figures["legal_precision"]["hits"], figures["legal_precision"]["n"]) == (2, 3)
    assert figures["legal_recall"]["value"] == 1.0
    assert figures["channel_accuracy"]["value"] == 0.5
    assert (figures["district_accuracy"]["hits"], figures["district_accuracy"]["n"]) == (1, 2)
    assert figures["street_accuracy"]["value"] == 1.0
    assert figures["unanswered"] == 1
    assert set(missed_complaint_targets(figures)) == {
        "complaints.legal_precision",
        "complaints.channel_accuracy",
        "complaints.district_accuracy",
    }
    errors = complaint_errors(items, answers)
    assert [e["wrong"] for e in errors] == [
        ["disposition legal_channel/discipline → legal_channel/petition"],
        ["disposition dispatch/None → legal_channel/litigation", "district 海淀区 → 西城区"],
    ]


def test_the_table_section_shows_only_dev_texts() -> None:
    items = [item("legal_channel", "litigation")]
    ours = {"complaints": score_complaints(items, [answer()])}
    report = {"half": "report", "missed": ["complaints.legal_recall"], "complaints": {"texts": 1}}
    lines = format_complaint_section(report, None, ours, 44)
    assert len(lines) == 1 + len(COMPLAINT_FIGURES) + 1
    assert not any("文本" in line for line in lines)
    dev = report | {
        "half": "dev",
        "complaints": {"texts": 1, "dev_errors": complaint_errors(items, [answer()])},
    }
    assert any("文本" in line for line in format_complaint_section(dev, None, ours, 44))


def test_every_complaint_has_a_blind_second_label() -> None:
    items = load_real_complaints()
    seconds = second_labels(items)
    assert len(seconds) == len(items)
    lines = COMPLAINTS_FILE.with_name("second_labels.jsonl").read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert sorted(ids) == sorted(item.id for item in items)  # no label for a complaint that is not there
    agreement = score_complaints(items, seconds)
    # The labels are reliable far beyond the targets: what the suggestions miss is theirs to miss.
    assert agreement["legal_precision"]["value"] > 0.95
    assert agreement["legal_recall"]["value"] > 0.95


def test_a_bad_second_label_is_named(tmp_path: Path) -> None:
    path = tmp_path / "second_labels.jsonl"
    row = {"id": "rc", "disposition": "legal_channel", "channel": "petition", "sure": True, "why": "上访"}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert second_labels([item()], path) == [
        {"disposition": {"label": "legal_channel", "channel": "petition"}}
    ]
    for bad, problem in [
        (row | {"channel": None}, "exactly when"),
        (row | {"disposition": "sue"}, "unknown disposition"),
        ({"id": "rc"}, "expected an object"),
        (row | {"id": ["rc"]}, "must be strings"),
        (row | {"sure": "yes"}, "must be strings"),
    ]:
        path.write_text(json.dumps(bad) + "\n", encoding="utf-8")
        with pytest.raises(JiesuError, match=problem):
            second_labels([item()], path)
    path.write_text(json.dumps(row) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(JiesuError, match="repeated id"):
        second_labels([item()], path)
    path.write_text(json.dumps(row | {"id": "rc999"}) + "\n", encoding="utf-8")
    with pytest.raises(JiesuError, match="no second label for rc"):
        second_labels([item()], path)
    with pytest.raises(JiesuError, match="missing"):
        second_labels([item()], tmp_path / "absent.jsonl")
    path.write_bytes(b"\xff\xfe not utf-8\n")
    with pytest.raises(JiesuError, match="cannot read"):
        second_labels([item()], path)


def test_the_second_labeller_is_shown_beside_the_figures() -> None:
    items = [item("legal_channel", "litigation")]
    ours = {"complaints": score_complaints(items, [answer()])}
    second = {
        key: score_complaints(items, [answer("legal_channel", "litigation")])[key]
        for key in ("legal_precision", "legal_recall", "channel_accuracy")
    }
    report = {"half": "report", "missed": [], "complaints": {"texts": 1, "second_labeller": second}}
    line = format_complaint_section(report, None, ours, 44)[-1]
    assert "second blind labeller" in line
    assert "recall 1.000 (1/1)" in line
    absent = report | {"complaints": {"texts": 1, "second_labeller": {"unavailable": "file missing"}}}
    assert (
        format_complaint_section(absent, None, ours, 44)[-1]
        == "  a second blind labeller: not shown (file missing)"
    )
