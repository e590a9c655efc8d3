"""Training on settled tickets: the seed corpus plus the tickets operators and units settled, each
weighted by how sure its outcome is (jiesu.workflow.outcomes). The serving layer reads the tickets from
the database (jiesu.serving.settled); this module only turns them into texts, labels and weights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from jiesu.training.datasets import TrainingData
from jiesu.training.decision_threshold import UnitLabel

SEED_WEIGHT = 1.0


@dataclass(frozen=True)
class SettledExample:
    ticket_id: str
    text: str
    caller_district: str | None
    category_l1: str
    category_l2: str | None  # None: the first level only (it teaches the first level)
    unit: str  # the unit that replied
    kind: str  # upheld_return, override, confirmed
    weight: float
    settled_at: datetime


@dataclass(frozen=True)
class WeightedData:
    texts: list[str]
    targets: dict[str, list[str | None]]
    weights: list[float]
    source: str
    ticket_ids: list[str]
    # Per text, the unit that handled it (the seed's labels; a settled ticket's replying unit): what the
    # decision threshold checks a decision against. The place is resolved from the text.
    unit_labels: list[UnitLabel | None]


def with_settled(seed: TrainingData, settled: Sequence[SettledExample], database: str) -> WeightedData:
    """The seed rows (weight 1) followed by the settled tickets: category of the level they know, the
    disposition `dispatch` (they were dispatched and replied to), no request type (nobody checked it)."""
    n = len(settled)
    heads = dict(seed.targets)
    extra: dict[str, list[str | None]] = {
        "category": [example.category_l2 for example in settled],
        "category_l1": [example.category_l1 for example in settled],
        "disposition": ["dispatch"] * n,
    }
    targets = {head: [*labels, *extra.get(head, [None] * n)] for head, labels in heads.items()}
    kinds = sorted({example.kind for example in settled})
    counts = ", ".join(f"{kind} {sum(e.kind == kind for e in settled)}" for kind in kinds)
    return WeightedData(
        texts=[*seed.texts, *(example.text for example in settled)],
        targets=targets,
        weights=[SEED_WEIGHT] * len(seed.texts) + [example.weight for example in settled],
        source=f"{seed.source} + {n} settled tickets of {database} ({counts})",
        ticket_ids=[example.ticket_id for example in settled],
        unit_labels=[
            *(seed.unit_labels or [None] * len(seed.texts)),
            *(UnitLabel(example.unit, example.caller_district) for example in settled),
        ],
    )
