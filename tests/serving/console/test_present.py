"""The console's presentation helpers: highlighted evidence, countdowns, actions per user, unit search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jiesu.model.suggestion_types import TextSpan
from jiesu.serving.console.charts import bars
from jiesu.serving.console.present import countdown, highlight
from jiesu.serving.console.unit_index import UnitIndex
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
