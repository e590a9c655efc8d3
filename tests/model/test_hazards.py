"""A danger to life or property there now (井盖丢了, 路面塌了个大坑, 大树快倒了) is dispatched with the emergency
deadline tier (2 h, Regulation art. 13), with the words that show it; the same words told as past, as a
project's name or in a question do not change the tier."""

from __future__ import annotations

import pytest

from jiesu.data.disposition_rules import load_disposition_rules
from jiesu.data.workflow_settings import load_workflow_settings
from jiesu.model.classifier import RequestClassifier
from jiesu.model.suggestion import Suggester, SuggestionRequest

HAZARDS = [
    ("朝阳区望京西园三区门口井盖丢了，晚上很危险", "井盖丢了"),
    ("丰台区槐房路路面塌了一个大坑，车来车往随时可能出事", "路面塌了"),
    ("海淀区学院路一个小区门口的大杨树快倒了，底下天天有孩子玩", "树快倒了"),
    ("楼外的电线耷拉下来了，离地面不到两米，朝阳区安贞街道", "电线耷拉"),
    ("东城区和平里一个小区外墙瓷砖往下掉，昨天砸坏了一辆车", "瓷砖往下掉"),
    ("西城区德胜门外大街的红绿灯全灭了，路口车都乱了", "红绿灯全灭了"),
]
NOT_HAZARDS = [
    "去年我们小区门口井盖丢了，后来修好了，现在想问问物业费的事",  # past
    "我们小区旁边在搞治理山体滑坡工程，施工噪音太大，海淀区香山街道",  # a project's name
    "海淀区万柳小区路灯坏了一个月了",
    # a diff reader's: repaired, a false report, a prevention device, a figure of speech
    "朝阳区望京西园三区门口井盖丢了，上周已经修好了",
    "朝阳区望京西园三区门口井盖丢了（已于昨天修复），请回访",
    "朝阳区望京西园三区门口有人举报说井盖丢了，其实是误报，请核实",
    "朝阳区望京西园三区门口要求安装防井盖丢失装置",
    "朝阳区望京街道某公司随时可能塌，老板跑路了",
]


@pytest.fixture(scope="module")
def suggester(seed_model: RequestClassifier) -> Suggester:
    return Suggester.with_reference_data(seed_model)


@pytest.mark.parametrize(("text", "words"), HAZARDS)
def test_a_danger_there_now_gets_the_emergency_tier(suggester: Suggester, text: str, words: str) -> None:
    suggestion = suggester.suggest(SuggestionRequest(text=text))
    assert suggestion.disposition.label == "dispatch"
    assert suggestion.deadline is not None
    assert suggestion.deadline.tier == "emergency"
    assert suggestion.deadline.hours == load_workflow_settings().hours_for("emergency")
    spans = suggestion.deadline.evidence
    assert any(words in span.text for span in spans)
    assert all(text[span.start : span.end] == span.text for span in spans)


@pytest.mark.parametrize("text", NOT_HAZARDS)
def test_the_same_words_not_there_now_leave_the_tier(suggester: Suggester, text: str) -> None:
    suggestion = suggester.suggest(SuggestionRequest(text=text))
    assert suggestion.deadline is not None
    assert suggestion.deadline.tier != "emergency"
    assert suggestion.deadline.evidence == []


def test_a_question_about_a_hazard_is_answered_without_a_deadline(suggester: Suggester) -> None:
    suggestion = suggester.suggest(SuggestionRequest(text="马路上井盖丢了应该找哪个部门？"))
    assert suggestion.disposition.label == "answer_now"
    assert suggestion.deadline is None


def test_hazard_cues_are_checked_when_loaded() -> None:
    rules = load_disposition_rules()
    assert rules.hazard_cues
    with pytest.raises(ValueError, match=r"hazard_cues(.|\n)*not a valid regular expression"):
        type(rules).model_validate(rules.model_dump() | {"hazard_cues": ["井盖(丢"]})


def test_overlapping_cues_are_one_span(suggester: Suggester) -> None:
    suggestion = suggester.suggest(
        SuggestionRequest(text="丰台区槐房路路面塌了一个大坑，车来车往随时可能出事")
    )
    assert suggestion.deadline is not None
    assert [span.text for span in suggestion.deadline.evidence] == ["路面塌了一个大坑", "随时可能出事"]


def test_a_landslide_project_is_no_landslide(suggester: Suggester) -> None:
    text = "小区旁边的游道因实施颐景园山体滑坡治理工程成了断头路，海淀区香山街道"
    suggestion = suggester.suggest(SuggestionRequest(text=text))
    assert suggestion.deadline is None or suggestion.deadline.evidence == []
