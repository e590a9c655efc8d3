"""The console's presentation helpers: highlighted evidence, countdowns, actions per user, unit search, and
the API's messages in Chinese."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import BaseModel, Field, ValidationError

from jiesu.errors import Messages, message
from jiesu.model.suggestion_types import DecisionCheck, TextSpan
from jiesu.serving.console import labels
from jiesu.serving.console.charts import bars
from jiesu.serving.console.labels import check_sentence
from jiesu.serving.console.messages import CHINESE, detail_lines, field_error, in_chinese
from jiesu.serving.console.present import countdown, highlight
from jiesu.serving.console.unit_index import UnitIndex
from jiesu.workflow.misdispatch import TESTED
from jiesu.workflow.reference import Reference


def span(text: str, whole: str) -> TextSpan:
    start = whole.index(text)
    return TextSpan(text=text, start=start, end=start + len(text))


def test_highlight_marks_each_word_escapes_the_rest_and_skips_spans_that_do_not_match() -> None:
    text = "<b>朝阳区望京街道着火了"
    marked = highlight(
        text,
        [
            (span("朝阳区", text), "place"),
            (span("望京街道", text), "place"),
            (span("着火了", text), "emergency"),
            (span("着火", text), "emergency"),  # inside the one before: no second mark
            (TextSpan(text="海淀区", start=3, end=6), "place"),  # the text says otherwise: left out
        ],
    )
    assert str(marked) == (
        '&lt;b&gt;<mark class="place">朝阳区</mark><mark class="place">望京街道</mark>'
        '<mark class="emergency">着火了</mark>'
    )


def test_countdown_says_what_is_left_or_how_late() -> None:
    now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    assert countdown(now + timedelta(hours=3, minutes=12), now) == "剩 3小时12分"
    assert countdown(now - timedelta(days=2, hours=4), now) == "超时 2天4小时"
    assert countdown(None, now) == "—"


@pytest.fixture(scope="module")
def units() -> UnitIndex:
    return UnitIndex(Reference.load())


@pytest.mark.parametrize(
    ("query", "first"),
    [("cyqwjjd", "朝阳区望京街道办事处"), ("望京", "朝阳区望京街道办事处"), ("北京市热力", "北京市热力集团")],
)
def test_the_unit_picker_finds_units_by_pinyin_initials_and_name(
    units: UnitIndex, query: str, first: str
) -> None:
    assert units.search(query)[0].name == first


def test_a_district_name_lists_that_districts_units(units: UnitIndex) -> None:
    found = units.search("延庆区", limit=50)
    assert found
    assert all(entry.district == "延庆区" for entry in found)
    assert units.search("  ") == []


def test_a_chart_draws_one_bar_per_value_and_writes_none_as_a_dash() -> None:
    svg = str(bars(["甲单位", "乙单位"], [("响应率", [0.5, None])]))
    assert svg.count('height="10"') == 2  # the bars (the legend's square is 12 high)
    assert "50%" in svg
    assert "—" in svg


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_each_chinese_message_is_one_of_the_apis_templates_with_the_same_fields() -> None:
    templates = {value for name, value in vars(Messages).items() if not name.startswith("_")}
    for english, chinese in CHINESE.items():
        assert english in templates
        assert _fields(chinese) == _fields(english), english
        assert not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", chinese), chinese  # no English sentence left


def test_the_apis_messages_read_in_chinese_with_their_values_and_codes_in_words() -> None:
    assert in_chinese(message(Messages.override_reason)) == "改派到建议以外的单位须填写理由"
    illegal = message(Messages.illegal, action="accept", state="closed")
    assert in_chinese(illegal) == "工单当前状态（已关闭）下不能进行此操作（接单）"
    assert in_chinese(message(Messages.extension_hours, limit=72)) == "每次延期最多 72 小时"
    assert (
        in_chinese(message(Messages.escalation_level, level="city"))
        == "升级到市级须选择该层级的单位，此单位不是"
    )
    assert in_chinese("something the console does not know") == "something the console does not know"
    details = {"reason_codes": ["not_our_duty", "other"], "current_version": 3, "allowed_roles": ["unit"]}
    assert detail_lines(details) == ["可选的退单原因：不属本单位职责、其他", "当前版本：3"]
    transition = {"state": "closed", "action": "accept", "allowed_actions": ["accept", "dispatch"]}
    assert detail_lines(transition) == ["工单状态：已关闭", "操作：接单", "此时可做的操作：接单、派单"]


class _Form(BaseModel):
    phone: str = Field(pattern=r"^[0-9]+$")
    hours: int = Field(ge=1, le=72)
    name: str = Field(max_length=4)


def test_invalid_form_fields_read_in_chinese() -> None:
    with pytest.raises(ValidationError) as raised:
        _Form.model_validate({"phone": "电话不详", "hours": "99", "name": "王女士王女士"})
    problems = [field_error(error) for error in raised.value.errors()]
    assert problems == ["格式不对", "须不大于 72", "最多 4 个字"]
    with pytest.raises(ValidationError) as raised:
        _Form.model_validate({"phone": "1", "name": "王"})
    assert [field_error(error) for error in raised.value.errors()] == ["必填"]


def test_every_flagged_metric_of_the_audit_has_a_chinese_name() -> None:
    assert set(labels.AUDIT_METRICS) == set(TESTED)


def test_a_check_just_under_its_threshold_does_not_read_as_equal_to_it() -> None:
    close = DecisionCheck(
        decision="decision", value="朝阳区望京街道办事处", confidence=0.979, threshold=0.9809, sure=False
    )
    assert check_sentence(close).endswith("把握 97.9%，未达到阈值 98.1%")
    apart = DecisionCheck(
        decision="decision", value="朝阳区望京街道办事处", confidence=0.69, threshold=0.98, sure=False
    )
    assert check_sentence(apart).endswith("把握 69%，未达到阈值 98%")
