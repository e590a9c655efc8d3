"""Patterns of the consultation policy (`resources/consultation.json`): the words callers use to move
on to a second matter (另外, 还有一件, 第二点), which make a request multi-issue sooner."""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from jiesu.data.resources import read_json, resource_path
from jiesu.errors import ReferenceDataError


class ConsultationRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str = Field(min_length=1)
    notes: str = ""
    second_matter: tuple[str, ...] = Field(min_length=1, description="regex alternatives, joined with |")

    @field_validator("second_matter")
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            if not pattern:
                raise ValueError("an empty pattern would match every text")
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from exc
            if compiled.search(""):
                raise ValueError(f"pattern {pattern!r} matches the empty text, so every text")
        return patterns

    @cached_property
    def second_matter_pattern(self) -> re.Pattern[str]:
        return re.compile("|".join(self.second_matter))


def load_consultation_rules(path: Path | None = None) -> ConsultationRules:
    return _load_consultation_rules(path or resource_path("consultation.json"))


@lru_cache(maxsize=8)
def _load_consultation_rules(path: Path) -> ConsultationRules:
    try:
        return ConsultationRules.model_validate(read_json(path))
    except ValidationError as exc:
        raise ReferenceDataError(f"consultation rules {path} are invalid: {exc}") from exc
