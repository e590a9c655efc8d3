"""Cases two cold reviewers wrote against the disposition and jurisdiction changes of 2026-12-07
(`review_cases.jsonl`; the second's are R2-*), run through full suggestions with the seed model: legal
channels told beside mentions, threats, refusals and finished matters, and places told as homes,
hometowns and identities. (The second reviewer's emergency look-alikes are in the safety set, batch 14.)
A third reviewer's R3-* probe the complaint-register rules (jurisdiction words 2026.12.7-10, disposition
rules 2026.12.26-31): lists of districts, hometowns, other people's homes, offices, former homes, judgements
told as performed, legal bodies named as places, weak discipline cues and strong litigation cues. R4-*
are a diff reader's reproductions of faults those rules had (jurisdiction words 2026.12.11, disposition
rules 2026.12.33): a Beijing workplace named between a hometown and its matter, a court or a caller's
home after 位于, a former home's 小区, a suit that may be brought, a case said by another to be none of ours.
R5-* probe the cues added from the third round of real complaints' dev half (disposition rules
2026.12.34): arbitration and suit both gone through, 民告官, petitions told as 上访多次 and 逐级上访, and
their threats and questions.

Fields: `id`; `text`; `expect`: a disposition (`legal_channel`, `dispatch`, `answer_now`, with `channel`
where the reviewer named one), `district=<name>`, or `out_of_beijing`; optionally `known_miss` (still
wrong, with the reason: it fails strictly, so that a fix shows).
"""

from __future__ import annotations

from typing import Any

import pytest

from jiesu.model.classifier import RequestClassifier
from jiesu.model.suggestion_types import Suggestion
from tests.model.case_files import marking_known_misses, read_cases, suggest_cases

CASES = read_cases("review_cases.jsonl")
DISPOSITIONS = {"legal_channel", "dispatch", "answer_now"}


@pytest.fixture(scope="module")
def answers(seed_model: RequestClassifier) -> dict[str, Suggestion]:
    return suggest_cases(seed_model, CASES)


def _got(case: dict[str, Any], answer: Suggestion) -> tuple[str | None, ...]:
    expect = case["expect"]
    if expect in DISPOSITIONS:
        disposition = answer.disposition
        channel = disposition.channel if "channel" in case else None
        return (disposition.label, channel)
    if expect == "out_of_beijing":
        return (
            "out_of_beijing" if answer.jurisdiction.in_beijing is False else answer.jurisdiction.district,
        )
    return (f"district={answer.jurisdiction.district}",)


def _expected(case: dict[str, Any]) -> tuple[str | None, ...]:
    if case["expect"] in DISPOSITIONS:
        return (case["expect"], case.get("channel"))
    return (case["expect"],)


@pytest.mark.parametrize("case", marking_known_misses(CASES), ids=lambda c: c["id"])
def test_each_review_case(case: dict[str, Any], answers: dict[str, Suggestion]) -> None:
    assert _got(case, answers[case["id"]]) == _expected(case), case["text"]
