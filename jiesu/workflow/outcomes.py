"""Settled tickets as labels: what a ticket's history says about the right category and unit, and how
sure that is. Pure: the serving layer reads the rows and events (jiesu.serving.settled).

A ticket is settled when it was dispatched and the unit that finally had it replied (办结): its state is
replied or closed. Its outcome: the category on the ticket (the suggestion's, or the operator's
correction), the unit that replied, and the disposition `dispatch`. How sure the outcome is depends on
who looked at it (`OutcomeWeights`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from jiesu.data.taxonomy import load_taxonomy
from jiesu.workflow.payloads import DispatchPayload, ReviewReturnPayload, parse_payload
from jiesu.workflow.states import Action, State

OutcomeKind = Literal["upheld_return", "override", "confirmed"]
SETTLED_STATES = (State.REPLIED.value, State.CLOSED.value)


@dataclass(frozen=True)
class OutcomeWeights:
    """Each settled ticket's training weight, by how sure its outcome is (a seed-corpus row weighs 1:
    it was labelled by hand against the taxonomy's definitions)."""

    # A unit returned the ticket, a reviewer upheld that, and the next unit replied: three parties
    # looked at which unit it belongs to, and the last one took it.
    upheld_return: float = 1.0
    # The operator overrode the suggestion (unit or category) and that unit replied: a person chose the
    # outcome against the model, and the unit accepted it.
    override: float = 0.8
    # The suggestion was dispatched untouched and the unit replied: nobody objected, but nobody checked
    # either (an operator in a hurry confirms a plausible suggestion), so it counts half.
    confirmed: float = 0.5

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not 0 < value <= 10:
                raise ValueError(f"outcome weight {name} must be in (0, 10], got {value}")

    def of(self, kind: OutcomeKind) -> float:
        weight: float = getattr(self, kind)
        return weight


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    weight: float
    category_l1: str | None
    category_l2: str | None  # None: the ticket knows the first level only (a first-level model's)
    unit: str


def settle(
    state: str,
    category: str | None,
    suggestion: Mapping[str, Any],
    events: Sequence[tuple[str, Mapping[str, Any]]],
    weights: OutcomeWeights,
) -> Outcome | None:
    """The outcome of one ticket from its state, category, stored suggestion and (action, payload)
    events in order; None when it is not settled or its history has no dispatch and reply."""
    if state not in SETTLED_STATES:
        return None
    dispatch: DispatchPayload | None = None
    upheld = False
    replied_by: str | None = None
    unit: str | None = None
    for action, payload in events:
        if action not in (Action.DISPATCH, Action.REVIEW_RETURN, Action.ESCALATE, Action.REPLY):
            continue
        parsed = parse_payload(action, payload)
        if isinstance(parsed, DispatchPayload):
            dispatch = dispatch or parsed
            unit = parsed.unit
        elif isinstance(parsed, ReviewReturnPayload) and parsed.decision == "uphold" and parsed.unit:
            upheld, unit = True, parsed.unit
        elif action == Action.ESCALATE:
            unit = str(payload.get("unit") or unit)
        elif action == Action.REPLY:
            replied_by = unit
    if dispatch is None or replied_by is None:
        return None
    suggested = suggestion.get("category") or {}
    l1, l2 = _levels(category, suggested.get("l1"))
    if l1 is None:
        return None
    corrected = category is not None and category != suggested.get("l2")
    kind: OutcomeKind = (
        "upheld_return" if upheld else "override" if dispatch.overridden or corrected else "confirmed"
    )
    return Outcome(kind, weights.of(kind), l1, l2, replied_by)


def _levels(category: str | None, suggested_l1: object) -> tuple[str | None, str | None]:
    taxonomy = load_taxonomy()
    if category is not None and category in taxonomy:
        return taxonomy.l1_of(category), category
    return (suggested_l1 if isinstance(suggested_l1, str) and suggested_l1 else None), None
