"""The case files beside these tests (safety, legal and review cases): one JSON object a line, each with
an `id` and a `text`, suggested in full with the seed model."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from jiesu.model.classifier import RequestClassifier
from jiesu.model.suggestion import Suggester, SuggestionRequest
from jiesu.model.suggestion_types import Suggestion

HERE = Path(__file__).parent
# Every legal channel of the disposition rules: each case set covers them all.
ALL_CHANNELS = {"litigation", "arbitration", "discipline", "reconsideration", "info_disclosure", "petition"}


def read_cases(name: str) -> list[dict[str, Any]]:
    lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def suggest_cases(model: RequestClassifier, cases: Sequence[dict[str, Any]]) -> dict[str, Suggestion]:
    """Each case's suggestion, by id."""
    suggester = Suggester.with_reference_data(model)
    suggestions = suggester.suggest_many(
        [SuggestionRequest(text=case["text"], id=case["id"]) for case in cases]
    )
    return {case["id"]: suggestion for case, suggestion in zip(cases, suggestions, strict=True)}


def marking_known_misses(cases: Sequence[dict[str, Any]]) -> list[Any]:
    """The cases as test parameters; one with `known_miss` (still wrong, with the reason) fails strictly,
    so that a fix shows."""
    return [
        pytest.param(case, marks=pytest.mark.xfail(reason=case["known_miss"], strict=True))
        if "known_miss" in case
        else case
        for case in cases
    ]
