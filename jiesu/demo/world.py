"""What the simulated hotline works with: seed-corpus requests, suggestions cached per distinct text, the
simulated staff's API keys, and which unit is right for each ticket (known to the simulation only)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from jiesu.data.corpus import corpus_files
from jiesu.data.unit_names import load_unit_names
from jiesu.demo.config import SimulationConfig
from jiesu.model.suggestion import SuggestionRequest
from jiesu.model.suggestion_types import Suggestion
from jiesu.serving.keys import KeyService
from jiesu.serving.schemas import KeyCreate
from jiesu.workflow.actors import Principal
from jiesu.workflow.reference import Reference
from jiesu.workflow.states import Role

SuggestMany = Callable[[Sequence[SuggestionRequest]], Sequence[Suggestion]]


@dataclass(frozen=True)
class SeedRecord:
    """A seed-corpus request and its labels: what the operator should do, and which unit it belongs to."""

    text: str
    disposition: str
    channel: str | None
    emergency_number: str | None
    unit: str | None
    district: str | None


def load_seed_records() -> list[SeedRecord]:
    """Every request of the seed corpus, in file order (read as JSON Lines: no dataset library)."""
    records = []
    for path in corpus_files():
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    row = json.loads(line)
                    records.append(
                        SeedRecord(
                            row["text"],
                            row["disposition"],
                            row.get("channel"),
                            row.get("emergency_number"),
                            row.get("unit"),
                            row.get("district"),
                        )
                    )
    return records


class CachedSuggestions:
    """The intake's suggest function, classifying each distinct (text, caller district) once."""

    def __init__(self, suggest_many: SuggestMany, batch: int = 256) -> None:
        self.suggest_many = suggest_many
        self.batch = batch
        self.cache: dict[tuple[str, str | None], Suggestion] = {}

    def __call__(self, requests: Sequence[SuggestionRequest]) -> list[Suggestion]:
        missing = list(dict.fromkeys((r.text, r.caller_district) for r in requests if not self.has(r)))
        for start in range(0, len(missing), self.batch):
            chunk = missing[start : start + self.batch]
            asked = [SuggestionRequest(text, caller_district=district) for text, district in chunk]
            for key, suggestion in zip(chunk, self.suggest_many(asked), strict=True):
                self.cache[key] = suggestion
        return [self.cache[(r.text, r.caller_district)] for r in requests]

    def has(self, request: SuggestionRequest) -> bool:
        return (request.text, request.caller_district) in self.cache

    def warm(self, texts: Iterable[str]) -> None:
        self([SuggestionRequest(text) for text in dict.fromkeys(texts)])


@dataclass
class Staff:
    """The simulated people, each with a real API key (events record its id)."""

    operators: list[Principal]
    reviewers: list[Principal]
    units: dict[str, Principal] = field(default_factory=dict)

    @classmethod
    def hire(cls, keys: KeyService, config: SimulationConfig, units: Iterable[str]) -> Staff:
        def key(role: Role, name: str, unit: str | None = None) -> Principal:
            created = keys.create(KeyCreate(role=role, unit=unit, name=name))
            return Principal(key_id=created.id, role=role, unit=unit, name=name)

        operators = [key(Role.OPERATOR, f"operator {i + 1:02d}") for i in range(config.operators.count)]
        reviewers = [key(Role.REVIEWER, f"reviewer {i + 1:02d}") for i in range(config.reviewers.count)]
        staff = cls(operators, reviewers)
        for unit in sorted(set(units)):
            staff.units[unit] = key(Role.UNIT, f"unit desk: {unit}"[:100], unit)
        return staff


@dataclass(frozen=True)
class Candidates:
    """The units the simulation may name for one ticket: the right one and plausible wrong ones."""

    suggested: str | None
    alternatives: tuple[str, ...]
    seed_unit: str | None


class UnitPool:
    """Units the simulation draws from, all known to the reference data."""

    def __init__(self, reference: Reference, records: Sequence[SeedRecord]) -> None:
        self.reference = reference
        self.units = sorted({r.unit for r in records if r.unit and reference.is_unit(r.unit)})
        names = load_unit_names()
        self.district_governments = {
            district: names.district_government_of(district)
            for district in sorted(set(reference.districts.values()))
            if reference.is_unit(names.district_government_of(district))
        }

    def candidates(self, record: SeedRecord, suggestion: Suggestion) -> Candidates:
        route = suggestion.route
        suggested = route.unit if route and self.reference.is_unit(route.unit) else None
        alternatives = tuple(
            choice.unit
            for choice in (route.alternatives if route else [])
            if self.reference.is_unit(choice.unit) and choice.unit != suggested
        )
        seed_unit = record.unit if record.unit and self.reference.is_unit(record.unit) else None
        return Candidates(suggested, alternatives, seed_unit)

    def truth(self, rng: random.Random, found: Candidates, accuracy: float | None) -> str:
        """The right unit for a request to be dispatched."""
        if found.suggested is None:
            return found.seed_unit or rng.choice(self.units)
        if accuracy is None:
            return found.seed_unit or found.suggested
        if rng.random() < accuracy:
            return found.suggested
        return self.wrong(rng, found, exclude={found.suggested})

    def wrong(self, rng: random.Random, found: Candidates, exclude: set[str]) -> str:
        """A plausible unit that is none of `exclude`: the seed label, an alternative, or any unit."""
        for name in (found.seed_unit, *found.alternatives):
            if name and name not in exclude and rng.random() < 0.7:
                return name
        while True:
            name = rng.choice(self.units)
            if name not in exclude:
                return name

    def all_units(self, suggested: Iterable[Candidates]) -> set[str]:
        names = set(self.units) | set(self.district_governments.values())
        for found in suggested:
            names |= {n for n in (found.suggested, found.seed_unit, *found.alternatives) if n}
        return names
