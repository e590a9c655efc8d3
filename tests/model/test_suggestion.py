"""Suggestions end to end with the seed-trained default model and the shipped reference data."""

import io
import json
from pathlib import Path

import pytest

from jiesu.cli import main
from jiesu.model.classifier import RequestClassifier
from jiesu.model.suggest_io import LineError, _numbered_chunks, suggest_lines, to_json_line, write_lines
from jiesu.model.suggestion import Suggester, SuggestionRequest
from jiesu.model.suggestion_types import Suggestion


@pytest.fixture(scope="module")
def suggester(seed_model: RequestClassifier) -> Suggester:
    return Suggester.with_reference_data(seed_model)


def suggest(suggester: Suggester, text: str, caller: str | None = None) -> Suggestion:
    return suggester.suggest(SuggestionRequest(text=text, id="t1", caller_district=caller))


def test_a_suggestion_names_what_made_it_and_round_trips_through_json(suggester: Suggester) -> None:
    result = suggest(suggester, "喂您好，我住望京西园三区，楼顶有人私搭乱建，盖了一间彩钢房，快管管吧")
    assert result.id == "t1"
    assert len(result.category.top) == 3
    assert result.category.l2 == "违法建设"
    assert (result.jurisdiction.district, result.jurisdiction.street) == ("朝阳区", "望京街道")
    assert result.route is not None
    assert result.route.unit == "朝阳区望京街道办事处"
    assert result.route.copy_to == ["朝阳区人民政府"]
    assert result.deadline is not None
    assert (result.deadline.tier, result.deadline.hours) == ("ordinary", 168)
    versions = result.versions
    assert versions.model_id == suggester.classifier.model_id_
    assert versions.taxonomy == suggester.taxonomy.version
    assert versions.catalogue == suggester.catalogue.version
    assert versions.disposition_rules == suggester.disposition.rules.version
    assert versions.gazetteer == suggester.resolver.gazetteer_version
    # Probabilities are shown to four places, as they always were.
    confidences = [result.category.confidence, result.request_type.confidence, result.disposition.confidence]
    confidences += [choice.confidence for choice in result.category.top]
    assert all(round(value, 4) == value for value in confidences)
    # What is stored with a ticket and written by `jiesu suggest` reads back as the same suggestion.
    assert Suggestion.model_validate_json(result.model_dump_json()) == result
    assert Suggestion.model_validate(result.model_dump(mode="json")) == result


def test_arbitration_how_to_is_a_consultation_but_an_award_not_paid_is_excluded(suggester: Suggester) -> None:
    how = suggest(suggester, "请问公司拖欠工资，我想申请劳动仲裁，需要什么材料，去哪里申请？")
    assert how.disposition.label != "legal_channel"
    award = suggest(suggester, "我的劳动仲裁已经裁决了，仲裁裁决书都下来了，公司还是不给钱，你们管管")
    assert award.disposition.label == "legal_channel"
    assert award.disposition.channel == "arbitration"
    assert "第十一条" in (award.disposition.notice or "")
    assert award.disposition.evidence
    assert award.route is None


def test_a_petition_already_filed_is_excluded_but_a_first_complaint_is_dispatched(
    suggester: Suggester,
) -> None:
    filed = suggest(
        suggester, "这个拆迁补偿的事我去年已经去区信访办信访了，信访办也受理了，出了答复意见书，我不服"
    )
    assert (filed.disposition.label, filed.disposition.channel) == ("legal_channel", "petition")
    first = suggest(suggester, "天通苑北一区的暖气一点都不热，屋里才十五度，麻烦尽快派人来修一下")
    assert first.disposition.label == "dispatch"
    assert first.route is not None


def test_an_emergency_is_transferred_with_its_evidence(suggester: Suggester) -> None:
    result = suggest(suggester, "快来人啊，我们楼道里着火了，现在浓烟特别大，回龙观龙泽苑西区")
    assert result.disposition.label == "emergency"
    assert result.disposition.emergency_number == "119"
    assert any("着火" in span.text for span in result.disposition.evidence)
    assert result.deadline is not None
    assert (result.deadline.tier, result.deadline.hours) == ("emergency", 2)
    assert result.risk.flag
    assert "emergency:119" in result.risk.cues  # a raised flag always says why


def test_tianjin_hebei_requests_go_to_the_neighbouring_hotline(suggester: Suggester) -> None:
    result = suggest(suggester, "我家在燕郊，小区物业不作为，电梯坏了一个月没人修")
    assert result.jurisdiction.in_beijing is False
    assert result.jurisdiction.region == "河北省"
    assert result.disposition.label == "dispatch"
    assert result.route is not None
    assert result.route.unit == "京津冀协同转办"
    assert "outside_beijing" in result.consult.reasons


# The runner-up category of the whole text rarely shows a second matter (the model's probabilities are
# sharp): the parts opened by second-matter words (另外, 二是 …) are classified on their own
# (jiesu.model.matters).
def test_a_request_with_two_matters_is_sent_to_consultation(suggester: Suggester) -> None:
    result = suggest(
        suggester,
        "我反映两件事：一是小区门口饭馆油烟太大熏得没法开窗，另外我们公司拖欠了我三个月工资一直不发。",
    )
    assert "multi_issue" in result.consult.reasons
    assert result.consult.required


def test_two_matters_without_a_place_are_still_multi_issue(suggester: Suggester) -> None:
    result = suggest(suggester, "小区门口的路灯坏了，另外物业乱收停车费，还有楼下餐馆油烟扰民")
    assert result.jurisdiction.source == "none"
    assert "multi_issue" in result.consult.reasons


def test_threats_raise_the_risk_flag(suggester: Suggester) -> None:
    result = suggest(suggester, "老板再不给我工资，我就跟他同归于尽，我已经活不下去了")
    assert result.risk.flag
    assert "risk" in result.consult.reasons
    assert any(cue.startswith("self_harm") for cue in result.risk.cues)


def test_no_place_names_the_city_level_unit_and_asks_a_person_only_for_a_local_duty(
    suggester: Suggester,
) -> None:
    noise = suggest(suggester, "楼上邻居天天半夜蹦迪，吵得睡不着")
    assert noise.jurisdiction.source == "none"
    assert noise.disposition.label == "dispatch"
    assert noise.route is not None
    assert noise.route.unit_type == "city_department"
    assert "no_jurisdiction" in noise.consult.reasons  # a noise complaint needs an address
    fund = suggest(suggester, "公积金提取申请提交一个月了还没到账，打电话也没人接")
    assert fund.jurisdiction.source == "none"
    assert fund.route is not None
    assert fund.route.unit == "北京住房公积金管理中心"
    assert "no_jurisdiction" not in fund.consult.reasons


def test_empty_and_huge_inputs(suggester: Suggester) -> None:
    with pytest.raises(ValueError, match="empty"):
        suggest(suggester, "   ")
    huge = suggest(suggester, "朝阳区望京街道暖气不热。" + "暖" * 100_000)
    assert huge.jurisdiction.district == "朝阳区"


def test_a_malformed_line_yields_an_error_object_in_place(suggester: Suggester) -> None:
    lines = [
        json.dumps({"id": "1", "text": "小区暖气不热，朝阳区望京西园三区"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "3", "text": ""}),
        json.dumps({"id": "4", "text": "饭馆油烟扰民", "colour": "red"}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"id": "7", "text": "公交车不按站停", "caller_district": "火星区"}, ensure_ascii=False),
        json.dumps({"id": "8", "text": "路灯坏了", "caller_district": "海淀区"}, ensure_ascii=False),
        '{"id": "9", "text": "\\ud800朝阳区路灯坏了"}',  # valid JSON, but a lone surrogate
        '{"id": "10", "text": "a\u0001b"}',  # a raw control character inside a JSON string
        json.dumps({"id": "11", "text": "😀😀\u200b！"}),  # no request in it
    ]
    out = [json.loads(to_json_line(answer)) for answer in suggest_lines(suggester, lines)]
    assert [item.get("id") for item in out] == ["1", None, "3", "4", None, "7", "8", "9", None, "11"]
    assert "holds no request" in out[9]["error"]
    assert "category" not in out[9]
    assert "unpaired surrogate" in out[7]["error"]
    assert out[7]["line"] == 9
    assert " at at " not in out[8]["error"]
    assert out[8]["line"] == 10
    assert out[5]["line"] == 7  # an error found while suggesting still names its line
    assert "error" not in out[0]
    assert "error" not in out[6]
    assert "not valid JSON" in out[1]["error"]
    assert out[1]["line"] == 2
    assert "empty" in out[2]["error"]
    assert "unknown field" in out[3]["error"]
    assert "JSON object" in out[4]["error"]
    assert "火星区" in out[5]["error"]
    assert out[6]["jurisdiction"]["source"] == "caller"


def test_cli_reads_and_writes_json_lines(
    seed_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "a", "text": "海淀区中关村大街共享单车乱停"}, ensure_ascii=False) + "\n{broken\n",
        encoding="utf-8",
    )
    target = tmp_path / "out.jsonl"
    assert (
        main(["suggest", "--model", str(seed_model_dir), "--input", str(source), "--output", str(target)])
        == 0
    )
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["id"] == "a"
    assert rows[0]["jurisdiction"]["district"] == "海淀区"
    assert "error" in rows[1]
    assert main(["suggest", "--model", str(seed_model_dir), "--text", "朝阳区三里屯酒吧噪音太大"]) == 0
    assert "属地 jurisdiction" in capsys.readouterr().out
    assert main(["suggest", "--model", str(seed_model_dir), "--text", "  "]) == 2
    assert "empty" in capsys.readouterr().err
    # A text with no request fails before any model is read: the model named here does not exist.
    missing_model = str(tmp_path / "no-model")
    for nothing in ("😀😀😀", "\u200b\u200b", "。。。", "asdf", "12345"):
        assert main(["suggest", "--model", missing_model, "--text", nothing]) == 2
        assert "holds no request" in capsys.readouterr().err
    # Files that cannot be opened are one error line, before any model is loaded or trained.
    assert main(["suggest", "--input", str(tmp_path / "missing.jsonl")]) == 2
    assert capsys.readouterr().err.startswith("error: cannot open ")
    assert main(["suggest", "--input", str(source), "--output", str(tmp_path / "no" / "out.jsonl")]) == 2
    assert "cannot open" in capsys.readouterr().err
    # Bytes that are not UTF-8 spoil their own line only.
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(b"\xff\xfe bad\n" + json.dumps({"id": "ok", "text": "海淀区路灯坏了"}).encode() + b"\n")
    out = tmp_path / "mixed.out.jsonl"
    assert main(["suggest", "--model", str(seed_model_dir), "--input", str(mixed), "--output", str(out)]) == 0
    first, second = (json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    assert first["line"] == 1
    assert "error" in first
    assert second["id"] == "ok"


@pytest.mark.slow
def test_many_processes_give_the_same_lines_in_the_same_order(seed_model_dir: Path, tmp_path: Path) -> None:
    texts = [
        "海淀区中关村大街共享单车乱停",
        "朝阳区望京街道暖气不热",
        "通州区梨园饭馆油烟扰民",
        "拖欠工资三个月",
    ]
    lines = [json.dumps({"id": str(i), "text": texts[i % 4]}, ensure_ascii=False) for i in range(30)]
    lines[7], lines[12] = "{broken", ""  # an error object in place; a blank line is skipped, still counted
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs = {}
    for workers in ("1", "2"):
        target = tmp_path / f"out{workers}.jsonl"
        argv = ["suggest", "--model", str(seed_model_dir), "--input", str(source), "--output", str(target)]
        assert main([*argv, "--workers", workers]) == 0
        outputs[workers] = target.read_text(encoding="utf-8")
    assert outputs["1"] == outputs["2"]
    rows = [json.loads(line) for line in outputs["2"].splitlines()]
    assert len(rows) == 29
    assert rows[7]["line"] == 8
    assert "error" in rows[7]
    assert rows[12]["id"] == "13"


def test_chunks_carry_their_line_numbers() -> None:
    chunks = list(_numbered_chunks(iter(["a", "b", "c", "d", "e"]), 2))
    assert chunks == [(1, ["a", "b"]), (3, ["c", "d"]), (5, ["e"])]


def test_interactive_answers_each_line_with_one_model_load(
    seed_model_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    loads: list[Path] = []
    load = RequestClassifier.load

    def counted(path: Path) -> RequestClassifier:
        loads.append(path)
        return load(path)

    monkeypatch.setattr(RequestClassifier, "load", counted)
    monkeypatch.setattr("sys.stdin", io.StringIO("朝阳区三里屯酒吧噪音太大\n\n   \n海淀区路灯坏了\n"))
    assert main(["suggest", "--model", str(seed_model_dir), "--interactive"]) == 0
    assert loads == [seed_model_dir]
    out = capsys.readouterr().out
    assert out.count("属地 jurisdiction") == 2  # the blank lines are skipped
    assert out.index("朝阳区") < out.index("海淀区")
    # --json: one object per line
    monkeypatch.setattr("sys.stdin", io.StringIO("海淀区路灯坏了\n"))
    assert main(["suggest", "--model", str(seed_model_dir), "--interactive", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["jurisdiction"]["district"] == "海淀区"


def test_interactive_survives_bad_lines_and_ends_on_ctrl_c(
    seed_model_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("朝阳区三里屯酒吧噪音太大\n海淀区路灯坏了\n"))
    argv = ["suggest", "--model", str(seed_model_dir), "--interactive", "--caller-district", "火星区"]
    assert main(argv) == 0  # each line is an error line, and the loop goes on to the next
    captured = capsys.readouterr()
    assert captured.err.count("error: ") == 2
    assert captured.out == ""

    class CtrlC(io.StringIO):
        def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
            if self.tell() > 0:
                raise KeyboardInterrupt
            return super().readline(-1 if size is None else size)

    monkeypatch.setattr("sys.stdin", CtrlC("海淀区路灯坏了\n朝阳区三里屯酒吧噪音太大\n"))
    assert main(["suggest", "--model", str(seed_model_dir), "--interactive"]) == 0
    assert capsys.readouterr().out.count("属地 jurisdiction") == 1
    assert main(["suggest", "--interactive", "--text", "x"]) == 2
    assert "--interactive" in capsys.readouterr().err


def test_the_consultation_says_which_decision_was_weighed_and_how_sure(suggester: Suggester) -> None:
    model = suggester.classifier
    assert model.decision_threshold_ is not None
    assert model.unfamiliar_threshold_ is not None
    suggestion = suggester.suggest(
        SuggestionRequest(text="朝阳区望京西园三区309号楼暖气不热，屋里只有十五度")
    )
    checks = {check.decision: check for check in suggestion.consult.checks}
    assert {"decision", "unit", "disposition", "familiarity"} <= set(checks)
    decision, unit = checks["decision"], checks["unit"]
    assert decision.threshold == pytest.approx(model.decision_threshold_)
    assert decision.sure == (decision.confidence >= model.decision_threshold_)
    assert ("low_confidence" in suggestion.consult.reasons) == (not decision.sure)
    # The decision is the unit's mass times the disposition's confidence.
    assert decision.confidence == pytest.approx(unit.confidence * checks["disposition"].confidence, abs=2e-4)
    assert suggestion.route is not None
    assert unit.value == suggestion.route.unit


def test_a_text_unlike_the_training_data_is_unfamiliar(suggester: Suggester) -> None:
    # Latin placeholder text: nothing like a request to the hotline.
    text = (
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore"
    )
    suggestion = suggester.suggest(SuggestionRequest(text=text))
    familiarity = next(c for c in suggestion.consult.checks if c.decision == "familiarity")
    assert not familiarity.sure
    assert "unfamiliar_text" in suggestion.consult.reasons
    usual = suggester.suggest(SuggestionRequest(text="海淀区学院路街道小区楼下饭馆油烟太大，熏得没法开窗"))
    assert "unfamiliar_text" not in usual.consult.reasons


def test_a_measured_decision_threshold_of_none_sends_everything_to_a_person(
    seed_model: RequestClassifier,
) -> None:
    import copy

    never = copy.copy(seed_model)
    never.decision_threshold_ = None  # no confident set reached the target on the inner folds
    suggestion = Suggester.with_reference_data(never).suggest(
        SuggestionRequest(text="朝阳区望京西园三区309号楼暖气不热，屋里只有十五度")
    )
    decision = next(check for check in suggestion.consult.checks if check.decision == "decision")
    assert decision.threshold is None
    assert not decision.sure
    assert "low_confidence" in suggestion.consult.reasons


def test_written_lines_count_the_error_lines_apart() -> None:
    """`jiesu suggest` logs how many lines were suggestions and how many stood for lines it could not
    answer (it logged every line as a suggestion)."""
    errors = [
        to_json_line(LineError(id=i, line=n, error="request has no text")) for n, i in ((1, None), (3, 'a"b'))
    ]
    suggestion = '{"id": "line", "category": {"l1": "x"}}'  # an id that reads like the error's next key
    written = write_lines([errors[0], suggestion, errors[1]], io.StringIO())
    assert (written.lines, written.errors, written.suggestions) == (3, 2, 1)
