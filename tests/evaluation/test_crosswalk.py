"""The crosswalk of `jiesu bench real`: another taxonomy's first level learnt from suggested categories."""

from __future__ import annotations

from typing import Any

from jiesu.evaluation.crosswalk import Crosswalk, score_through


def answer(l1: str, l2: str | None) -> dict[str, Any]:
    return {"category": {"l1": l1, "l2": l2}}


LIFT = answer("城乡建设", "电梯")
HEATING = answer("城乡建设", "供暖")
PLANNING = answer("国土资源", "规划管理")


def test_each_second_level_reads_as_its_most_frequent_label() -> None:
    crosswalk = Crosswalk.fit(["商贸旅游", "商贸旅游", "城乡建设", "城乡建设"], [LIFT, LIFT, LIFT, HEATING])
    assert crosswalk.label_of(LIFT) == "商贸旅游"
    assert crosswalk.label_of(HEATING) == "城乡建设"


def test_an_unseen_second_level_falls_back_to_its_first_level_then_its_name() -> None:
    crosswalk = Crosswalk.fit(["商贸旅游"], [LIFT])
    assert crosswalk.label_of(answer("城乡建设", "物业管理")) == "商贸旅游"  # by 城乡建设's texts
    assert crosswalk.label_of(PLANNING) == "国土资源"  # nothing learnt: the name itself
    assert crosswalk.label_of(None) is None


def test_ties_do_not_depend_on_the_order_of_the_texts() -> None:
    forward = Crosswalk.fit(["城乡建设", "商贸旅游"], [LIFT, LIFT])
    backward = Crosswalk.fit(["商贸旅游", "城乡建设"], [LIFT, LIFT])
    assert forward.label_of(LIFT) == backward.label_of(LIFT) == "商贸旅游"  # sorts first


def test_leave_one_out_does_not_let_a_text_vote_for_itself() -> None:
    labels = ["商贸旅游", "城乡建设", "城乡建设"]
    answers = [PLANNING, LIFT, LIFT]
    crosswalk = Crosswalk.fit(labels, answers)
    scored = score_through(crosswalk, labels, answers, [True, False, True], leave_one_out=True)
    # PLANNING's only text is left out: it falls back to 国土资源's own texts (none left), then the
    # name, which is wrong; each LIFT text is read by the other, which is right.
    assert scored["crosswalk_l1_accuracy"] == {"value": 2 / 3, "hits": 2, "n": 3}
    assert scored["crosswalk_auto_l1_accuracy"] == {"value": 0.5, "hits": 1, "n": 2}
    in_sample = score_through(crosswalk, labels, answers, [True, False, True])
    assert in_sample["crosswalk_l1_accuracy"]["hits"] == 3
