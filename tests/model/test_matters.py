"""Parts of a request opened by second-matter words, classified on their own."""

import pytest

from jiesu.data.catalogue import load_catalogue
from jiesu.data.consultation_rules import load_consultation_rules
from jiesu.data.workflow_settings import load_workflow_settings
from jiesu.model.matters import Part, parts_go_elsewhere, split_parts
from jiesu.model.router import Router

MARKER = load_consultation_rules().second_matter_pattern


def test_a_text_is_cut_at_its_second_matter_words() -> None:
    text = "我反映两件事：一是小区门口饭馆油烟太大，另外公司拖欠我三个月工资。还有一件，路灯坏了好几天"
    # "两件事" is a marker too: the three characters before it name no matter and are dropped.
    assert split_parts(text, MARKER) == [
        "两件事：一是小区门口饭馆油烟太大",
        "另外公司拖欠我三个月工资",
        "还有一件，路灯坏了好几天",
    ]


def test_short_parts_and_texts_without_markers_give_nothing() -> None:
    assert split_parts("暖气不热，屋里只有十五度", MARKER) == []
    assert split_parts("暖气不热，屋里只有十五度，另外谢谢", MARKER) == []  # "另外谢谢" names no matter


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(load_catalogue(), load_workflow_settings())


def test_parts_for_different_units_are_another_matter(router: Router) -> None:
    wages, fumes = Part("欠薪", 0.9), Part("餐饮油烟", 0.8)
    assert parts_go_elsewhere(router, [fumes, wages], "", "望京街道") == wages
    assert parts_go_elsewhere(router, [fumes, Part("餐饮油烟", 0.6)], "", "望京街道") is None
    # A part the model cannot name surely is not counted as a matter.
    assert parts_go_elsewhere(router, [fumes, Part("欠薪", 0.2)], "", "望京街道") is None
