"""The safety set (`safety_cases.jsonl`): emergencies told in everyday words and their look-alikes, each
with its expected outcome, run through full suggestions with the seed model.

Fields of a case: `id`; `text`; `expect` (`emergency` or `not_emergency`); `numbers` (the acceptable
emergency numbers, the first the usual one: a crash with someone lying hurt may go to 122 or 120);
`kind` (gas, smoke, fire, elevator, faint, medical, injury, violence, jump, self_harm, traffic …, or for
a look-alike figurative, past, reported, news, hypothetical, conditional, question, chronic); `register`
(call, asr: a speech-recognition transcript without punctuation and with homophone errors, dialect,
long: a long preamble, summary: an operator's ticket summary, web); optionally `risk` (the risk flag must
be raised: a conditional threat of self-harm) and `dispatch` (a chronic complaint that must be
dispatched); `batch`: 1 was written with the rules, 2 to 5 each after the rules were frozen and measured
held-out before being fixed (see CHANGELOG).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from jiesu.model.classifier import RequestClassifier
from jiesu.model.suggestion_types import Suggestion
from tests.model.case_files import read_cases, suggest_cases

CASES = read_cases("safety_cases.jsonl")
# Kinds whose transfer follows the risk protocol: its notice asks the operator to keep the caller talking.
SELF_HARM_KINDS = {"self_harm", "jump"}


@pytest.fixture(scope="module")
def answers(seed_model: RequestClassifier) -> dict[str, Suggestion]:
    return suggest_cases(seed_model, CASES)


def test_the_set_is_large_and_mixed() -> None:
    expected = Counter(case["expect"] for case in CASES)
    assert len(CASES) >= 150
    assert expected["emergency"] >= 70
    assert expected["not_emergency"] >= 80
    assert len({case["id"] for case in CASES}) == len(CASES)
    numbers = Counter(case["numbers"][0] for case in CASES if case["expect"] == "emergency")
    assert set(numbers) == {"110", "119", "120", "122"}
    kinds = {case["kind"] for case in CASES if case["expect"] == "not_emergency"}
    assert {"figurative", "past", "reported", "news", "hypothetical", "question", "chronic"} <= kinds
    registers = {case["register"] for case in CASES if case["expect"] == "emergency"}
    assert {"asr", "dialect", "long", "summary", "web"} <= registers


@pytest.mark.parametrize("case", [c for c in CASES if c["expect"] == "emergency"], ids=lambda c: c["id"])
def test_every_emergency_is_transferred_to_its_number(
    case: dict[str, Any], answers: dict[str, Suggestion]
) -> None:
    answer = answers[case["id"]]
    disposition = answer.disposition
    assert (disposition.label, disposition.emergency_number in case["numbers"]) == ("emergency", True), (
        f"{case['id']} ({case['kind']}): {disposition.label} {disposition.emergency_number}, "
        f"expected {case['numbers']}"
    )
    assert answer.risk.flag
    assert answer.route is None
    assert answer.deadline is not None
    assert answer.deadline.tier == "emergency"
    if case["kind"] in SELF_HARM_KINDS:
        assert disposition.notice is not None, case["id"]
        assert "保持通话" in disposition.notice, case["id"]


@pytest.mark.parametrize("case", [c for c in CASES if c["expect"] == "not_emergency"], ids=lambda c: c["id"])
def test_no_look_alike_is_transferred(case: dict[str, Any], answers: dict[str, Suggestion]) -> None:
    answer = answers[case["id"]]
    disposition = answer.disposition
    assert disposition.label != "emergency", (
        f"{case['id']} ({case['kind']}): transferred to {disposition.emergency_number} on "
        f"{[span.text for span in disposition.evidence]}"
    )
    if case.get("risk"):
        assert answer.risk.flag, case["id"]
    if case.get("dispatch"):
        assert disposition.label == "dispatch", f"{case['id']}: {disposition.label}"
