"""A cold attacker's probes (R7A-*) of the legal cues added from the fourth to seventh rounds of real
complaints (court-document words, someone's 官司, a mailed suit, 申请撤销…仲裁裁决, 本院…立案, a disclosure
request told as done, a chain of reviews), each written with its expected disposition before it was run:
what should be caught and the look-alikes (intent, negation, questions, hearsay, a hospital's 本院, court
abbreviations). The 10 it found wrong that the rules before had right were fixed; those wrong before and
after are strict known misses, with the reason."""

from __future__ import annotations

from typing import Any

import pytest

from jiesu.model.classifier import RequestClassifier
from jiesu.model.suggestion_types import Suggestion
from tests.model.case_files import marking_known_misses, read_cases, suggest_cases

CASES = read_cases("review7_probes.jsonl")


@pytest.fixture(scope="module")
def answers(seed_model: RequestClassifier) -> dict[str, Suggestion]:
    return suggest_cases(seed_model, CASES)


@pytest.mark.parametrize("case", marking_known_misses(CASES), ids=lambda c: c["id"])
def test_each_probe(case: dict[str, Any], answers: dict[str, Suggestion]) -> None:
    answer = answers[case["id"]]
    got = {"disposition": answer.disposition.label, "channel": answer.disposition.channel}
    assert {key: got[key] for key in case["expect"]} == case["expect"], f"{case['text']} ({case['why']})"
