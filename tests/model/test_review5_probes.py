"""A cold reviewer's probes (R5A-*) of the rules added from the third round of real complaints: legal
channels told as 民告官, 仲裁与诉讼, 上访多次 and 逐级上访 beside threats, questions, contract clauses and other
people's cases; and hazards (a danger there now gives a dispatch the 2 h tier) beside past, repaired,
reported, figurative and project-name uses. The first 72 were written before the reviewer read the
regexes, the rest against them. Each `expect` holds what a careful operator would do: `disposition`,
`channel`, `tier` (the deadline tier), or `disposition_not` / `tier_not` (what must not be suggested), or
`tier_or_emergency` (the 2 h tier, or a transfer)."""

from __future__ import annotations

from typing import Any

import pytest

from jiesu.model.classifier import RequestClassifier
from jiesu.model.suggestion_types import Suggestion
from tests.model.case_files import marking_known_misses, read_cases, suggest_cases

CASES = read_cases("review5_probes.jsonl")


@pytest.fixture(scope="module")
def answers(seed_model: RequestClassifier) -> dict[str, Suggestion]:
    return suggest_cases(seed_model, CASES)


def _problems(expect: dict[str, str], answer: Suggestion) -> list[str]:
    label, channel = answer.disposition.label, answer.disposition.channel
    tier = answer.deadline.tier if answer.deadline else None
    checks = {
        "disposition": label == expect.get("disposition"),
        "channel": channel == expect.get("channel"),
        "tier": tier == expect.get("tier"),
        "disposition_not": label != expect.get("disposition_not"),
        "tier_not": tier != expect.get("tier_not"),
        "tier_or_emergency": tier == "emergency" or label == "emergency",
    }
    return [f"{key}: got {label}/{channel}/{tier}" for key in expect if not checks[key]]


@pytest.mark.parametrize("case", marking_known_misses(CASES), ids=lambda c: c["id"])
def test_each_probe(case: dict[str, Any], answers: dict[str, Suggestion]) -> None:
    assert _problems(case["expect"], answers[case["id"]]) == [], f"{case['text']} ({case['why']})"
