import re

import pytest

from jiesu.data.disposition_rules import load_disposition_rules
from jiesu.model.cues import CueIndex, literal_anchor, literal_anchors, literal_sets


@pytest.mark.parametrize(
    ("pattern", "anchor"),
    [
        ("法院.{0,10}(查封|冻结)", "法院"),
        ("(申请|提起|提交)(了)?.{0,8}仲裁", "仲裁"),
        ("已经?起诉", "起诉"),
        ("(?<!不)着火了", "着火了"),
        ("燃气|煤气", None),
        ("a{2}bc", "bc"),
        ("[abc]de", "de"),
    ],
)
def test_the_anchor_is_a_literal_every_match_contains(pattern: str, anchor: str | None) -> None:
    assert literal_anchor(pattern) == anchor


@pytest.mark.parametrize(
    ("pattern", "anchors"),
    [
        ("法院.{0,10}(查封|冻结)", ("法院",)),
        ("(一审|二审|再审|上诉)", ("一审", "二审", "再审", "上诉")),
        ("(官司|案子).{0,6}(打|判)", ("官司", "案子")),
        ("(?:纪委|监委)", ("纪委", "监委")),
        ("(?<!不)(甲|乙)", ("甲", "乙")),  # a lookbehind is no word list; the next group is
        ("(甲|乙)?(丙|丁)", ("丙", "丁")),  # an optional group is skipped
        ("(甲|乙){0,2}戊", ("戊",)),
        ("(甲.|乙)", None),  # not plain words
        ("燃气|煤气", None),  # a top-level alternation
        ("(甲|乙)丙|丁", None),  # one after a group too
        # the group with the longest shortest word: one-character anchors occur in most long texts
        ("(向|到|去)[^，]{0,8}(纪委|监委)[^，]{0,6}(举报|反映)", ("纪委", "监委")),
        ("(向|到)法院", ("法院",)),
        ("(已经|已)起诉", ("起诉",)),
    ],
)
def test_anchors_are_literals_one_of_which_every_match_contains(
    pattern: str, anchors: tuple[str, ...] | None
) -> None:
    assert literal_anchors(pattern) == anchors


def test_every_shipped_cue_has_anchors_and_every_match_contains_one() -> None:
    rules = load_disposition_rules()
    cues = [cue for c in rules.channels for cue in c.cues]
    cues += [cue for r in rules.emergencies for cue in (*r.cues, *r.weak_cues)]
    samples = (
        "仲裁委已经裁决了法院查封了我家房子楼道里着火了浓烟滚滚有人持刀被车撞了申请行政复议要求公开征收批复"
        "信访办已受理一审判了官司打赢了纪委要求处分村长燃气泄漏了不服处罚决定"
    )
    for cue in cues:
        anchors = literal_anchors(cue)
        assert anchors is not None, cue
        for match in re.finditer(cue, samples):
            assert any(anchor in match.group(0) for anchor in anchors), cue


def test_a_cue_with_several_anchors_runs_once() -> None:
    index = CueIndex({"trial": ["(一审|二审)(判|裁)"]})
    assert index.find("一审判了，二审裁了") == {"trial": [(0, 3), (5, 8)]}
    assert len(index._cues_present("一审二审判")) == 1


def test_every_shipped_cue_match_contains_its_anchor() -> None:
    rules = load_disposition_rules()
    cues = [cue for c in rules.channels for cue in c.cues]
    cues += [cue for r in rules.emergencies for cue in (*r.cues, *r.weak_cues)]
    samples = "仲裁委已经裁决了法院查封了我家房子楼道里着火了浓烟滚滚有人持刀被车撞了申请行政复议要求公开征收批复信访办已受理"
    for cue in cues:
        anchor = literal_anchor(cue)
        for match in re.finditer(cue, samples):
            assert anchor is None or anchor in match.group(0), cue


def test_only_groups_whose_anchors_occur_are_candidates() -> None:
    index = CueIndex({"a": ["法院.{0,4}判"], "b": ["仲裁"], "c": ["甲|乙"]})
    assert index.candidates("法院判了") == {"a", "c"}
    assert index.candidates("天气很好") == {"c"}


@pytest.mark.parametrize(
    ("pattern", "sets"),
    [
        ("(要求|请求).{0,8}(处分|撤职)", [("要求", "请求"), ("处分", "撤职")]),
        ("被[^，]{0,6}车(给)?(撞|刮)了", [("被",), ("车",), ("了",), ("撞", "刮")]),
        ("a{2}bc", [("bc",)]),
        ("燃气|煤气", []),
        ("(?i)abc", []),  # an inline flag: a literal may match other text
    ],
)
def test_literal_sets_are_what_every_match_holds_a_word_of(pattern: str, sets: list[tuple[str, ...]]) -> None:
    assert literal_sets(pattern) == sets


def test_every_shipped_cue_match_holds_a_word_of_each_literal_set() -> None:
    rules = load_disposition_rules()
    cues = [cue for c in rules.channels for cue in (*c.cues, *c.strong_cues, *c.negations)]
    cues += [cue for r in rules.emergencies for cue in (*r.cues, *r.weak_cues)]
    cues += [*rules.not_yet_cues, *rules.consultation_cues, *rules.administrative_cues]
    samples = (
        "仲裁委已经裁决了法院查封了我家房子楼道里着火了浓烟滚滚有人持刀被车撞了申请行政复议要求公开征收批复"
        "信访办已受理一审判了官司打赢了纪委要求处分村长燃气泄漏了不服处罚决定还没有去仲裁如果不解决就去法院告"
        "怎么申请仲裁请劳动监察督促处理"
    )
    for cue in cues:
        for match in re.finditer(cue, samples):
            for words in literal_sets(cue):
                assert any(word in match.group(0) for word in words), (cue, words)


def test_a_cue_runs_only_where_each_of_its_literal_sets_has_a_word() -> None:
    index = CueIndex({"a": ["(要求|请求).{0,8}(处分|撤职)"]})
    assert index.candidates("要求尽快处理") == set()
    assert index.find("要求严肃处分") == {"a": [(0, 6)]}
    assert index.matches("要求严肃处分")
    assert not index.matches("要求尽快处理")


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"[)）]起诉", ")起诉"),  # a ")" inside a class closes no group
        (r"起诉[]了]", "起诉]"),  # a "]" first in a class is a member
        (r"起诉[^]了]", "起诉啊"),
        (r"起诉\x41", "起诉A"),  # the hex digits of an escape are not text
        (r"起诉\u4e86", "起诉了"),
        (r"(仲裁|法院)\N{LATIN SMALL LETTER A}判", "法院a判"),
        (r"(告)\1状", "告告状"),  # a group reference's digit is not text
    ],
)
def test_classes_and_escapes_never_make_a_cue_miss(pattern: str, text: str) -> None:
    assert re.search(pattern, text)
    for words in literal_sets(pattern):
        assert any(word in text for word in words), (pattern, words)
    assert CueIndex({"g": [pattern]}).find(text) == {"g": [re.search(pattern, text).span()]}  # type: ignore[union-attr]
