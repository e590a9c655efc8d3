"""The mis-dispatch audit over tickets (pure computation: the serving layer reads one `TicketFacts` per
ticket with SQL aggregates over its events, this module groups and tests them).

A ticket is judged by the unit that finally handled it: it is *settled* once a unit accepted it and it
was not returned since (accepted, replied, unresolved, or closed after a dispatch); its final unit is then
its lead unit. First-dispatch accuracy is the share of settled tickets whose final unit is the first unit
they were dispatched to. Every rate carries its count and a 95% Wilson interval; each group's rate is
tested against the rest's (`jiesu.evaluation.proportions.compare`) and the p-values are Holm–Bonferroni
adjusted over the groups compared, one metric at a time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from jiesu.evaluation.proportions import compare, holm, wilson
from jiesu.workflow.states import BEIJING_TZ, State

GroupBy = Literal["unit", "category", "district", "operator", "model_version", "week"]
GROUPINGS: tuple[GroupBy, ...] = ("unit", "category", "district", "operator", "model_version", "week")
ALPHA = 0.05
SETTLED = frozenset({State.ACCEPTED, State.REPLIED, State.UNRESOLVED, State.CLOSED})
TESTED = ("first_dispatch_accuracy", "return_rate", "upheld_return_rate", "accepted_suggestion")
METHOD = (
    "each group against all other tickets of the period: two-sided pooled two-proportion z-test, or "
    "Fisher's exact test where an expected cell count is under 5; p-values Holm–Bonferroni adjusted over "
    f"the groups compared for that metric; flagged where the adjusted p-value is under {ALPHA}"
)
DEFINITIONS = {
    "settled": "a unit accepted the ticket and it was not returned since; its lead unit is the final unit",
    "first_dispatch_accuracy": "settled tickets whose final unit is the first unit dispatched to",
    "return_rate": "dispatched tickets the first unit returned (派单异议)",
    "upheld_return_rate": "of those, tickets where the reviewer upheld the first unit's return",
    "mean_dispatch_rounds": "units a dispatched ticket was sent to (re-dispatches and escalations count)",
    "mean_days_to_final_acceptance": (
        "days from the first dispatch to the final unit's acceptance: its first after the ticket was last "
        "sent to a unit (settled)"
    ),
    "mean_days_lost": "the same, over settled tickets that did not stay with their first unit",
    "accepted_suggestion": "first dispatches to the suggested unit, of those with a suggested unit",
    "override_operator_right": "overridden suggestions whose operator's unit was the final unit (settled)",
    "override_model_right": "overridden suggestions whose suggested unit was the final unit (settled)",
    "model_alone_accuracy": "settled tickets with a suggestion whose suggested unit was the final unit",
}


@dataclass(frozen=True)
class TicketFacts:
    """What the audit reads of one ticket (no text, no caller data)."""

    state: str
    model_id: str
    category: str | None
    district: str | None
    suggested_unit: str | None
    disposition: str | None  # of the first decision: dispatch, answer_now, legal_channel …; None: undecided
    first_unit: str | None
    overridden: bool
    operator: str | None  # who dispatched it first (the key's name, else its id)
    first_dispatch_at: datetime | None
    final_unit: str | None  # the lead unit now
    returned_by_first: bool
    upheld_first: bool
    rounds: int
    final_accept_at: datetime | None
    consulted_units: tuple[str, ...] = ()
    consultation_closed: bool = False

    @property
    def settled(self) -> bool:
        return self.first_unit is not None and self.final_unit is not None and self.state in SETTLED


@dataclass
class Rate:
    count: int
    total: int
    rate: float | None = None
    low: float | None = None
    high: float | None = None

    def __post_init__(self) -> None:
        interval = wilson(self.count, self.total)
        if interval is not None:
            self.rate = round(self.count / self.total, 6)
            self.low, self.high = round(interval[0], 6), round(interval[1], 6)


@dataclass
class Flag:
    metric: str
    test: str
    p_value: float
    p_adjusted: float
    rest_rate: float
    direction: Literal["higher", "lower"]


@dataclass
class Group:
    key: str
    dispatched: int
    settled: int
    consulted: int
    first_dispatch_accuracy: Rate
    return_rate: Rate
    upheld_return_rate: Rate
    accepted_suggestion: Rate
    override_operator_right: Rate
    override_model_right: Rate
    model_alone_accuracy: Rate
    mean_dispatch_rounds: float | None
    mean_days_to_final_acceptance: float | None
    mean_days_lost: float | None
    flags: list[Flag] = field(default_factory=list)


@dataclass
class Consultations:
    opened: int
    still_open: int
    concluded: int
    dispatched: int
    dispatched_to_a_consulted_unit: int
    closed_without_dispatch: int
    first_dispatch_accuracy: Rate


@dataclass
class Confusion:
    first_unit: str
    final_unit: str
    tickets: int


@dataclass
class MisdispatchAudit:
    group_by: GroupBy
    tickets: int
    dispatched: int
    not_dispatched: dict[str, int]
    overall: Group
    groups: list[Group]
    consultations: Consultations
    confusion: list[Confusion]
    method: str = METHOD
    definitions: dict[str, str] = field(default_factory=lambda: dict(DEFINITIONS))


def group_key(group_by: GroupBy) -> Callable[[TicketFacts], str]:
    def week(facts: TicketFacts) -> str:
        assert facts.first_dispatch_at is not None
        year, number, _ = facts.first_dispatch_at.astimezone(BEIJING_TZ).isocalendar()
        return f"{year}-W{number:02d}"

    keys: dict[GroupBy, Callable[[TicketFacts], str]] = {
        "unit": lambda f: f.first_unit or "(none)",
        "category": lambda f: f.category or "(none)",
        "district": lambda f: f.district or "(none)",
        "operator": lambda f: f.operator or "(unknown)",
        "model_version": lambda f: f.model_id,
        "week": week,
    }
    return keys[group_by]


def audit(facts: Iterable[TicketFacts], group_by: GroupBy, confusion_limit: int = 400) -> MisdispatchAudit:
    rows = list(facts)
    dispatched = [f for f in rows if f.first_unit is not None]
    key = group_key(group_by)
    members: dict[str, list[TicketFacts]] = {}
    for facts_ in dispatched:
        members.setdefault(key(facts_), []).append(facts_)
    overall = _group("all", dispatched)
    groups = [_group(name, items) for name, items in sorted(members.items())]
    _flag(overall, groups)
    not_dispatched = Counter(f.disposition or f.state for f in rows if f.first_unit is None)
    pairs = Counter((f.first_unit or "", f.final_unit or "") for f in dispatched if f.settled)
    confusion = [Confusion(a, b, n) for (a, b), n in sorted(pairs.items(), key=lambda i: (-i[1], i[0]))]
    return MisdispatchAudit(
        group_by=group_by,
        tickets=len(rows),
        dispatched=len(dispatched),
        not_dispatched=dict(sorted(not_dispatched.items())),
        overall=overall,
        groups=groups,
        consultations=_consultations(rows),
        confusion=confusion[:confusion_limit],
    )


def _days(facts: TicketFacts) -> float | None:
    if facts.final_accept_at is None or facts.first_dispatch_at is None:
        return None
    return (facts.final_accept_at - facts.first_dispatch_at).total_seconds() / 86400


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 4) if present else None


def _group(name: str, items: list[TicketFacts]) -> Group:
    settled = [f for f in items if f.settled]
    stayed = [f for f in settled if f.final_unit == f.first_unit]
    returned = [f for f in items if f.returned_by_first]
    suggested = [f for f in items if f.suggested_unit is not None]
    overridden = [f for f in settled if f.overridden and f.suggested_unit is not None]
    judged = [f for f in settled if f.suggested_unit is not None]
    return Group(
        key=name,
        dispatched=len(items),
        settled=len(settled),
        consulted=sum(1 for f in items if f.consulted_units),
        first_dispatch_accuracy=Rate(len(stayed), len(settled)),
        return_rate=Rate(len(returned), len(items)),
        upheld_return_rate=Rate(sum(f.upheld_first for f in returned), len(returned)),
        accepted_suggestion=Rate(sum(not f.overridden for f in suggested), len(suggested)),
        override_operator_right=Rate(sum(f.final_unit == f.first_unit for f in overridden), len(overridden)),
        override_model_right=Rate(sum(f.final_unit == f.suggested_unit for f in overridden), len(overridden)),
        model_alone_accuracy=Rate(sum(f.final_unit == f.suggested_unit for f in judged), len(judged)),
        mean_dispatch_rounds=_mean(float(f.rounds) for f in items),
        mean_days_to_final_acceptance=_mean(_days(f) for f in settled),
        mean_days_lost=_mean(_days(f) for f in settled if f.final_unit != f.first_unit),
    )


def _flag(overall: Group, groups: list[Group]) -> None:
    """Flag each group whose rate differs from the rest's beyond chance (Holm over the groups tested)."""
    if len(groups) < 2:
        return
    for metric in TESTED:
        whole: Rate = getattr(overall, metric)
        tested: list[tuple[Group, float, str, float]] = []
        for group in groups:
            rate: Rate = getattr(group, metric)
            rest_count, rest_total = whole.count - rate.count, whole.total - rate.total
            result = compare(rate.count, rate.total, rest_count, rest_total)
            if result is not None:
                tested.append((group, result[0], result[1], rest_count / rest_total))
        adjusted = holm([p for _, p, _, _ in tested])
        for (group, p, test, rest_rate), p_adj in zip(tested, adjusted, strict=True):
            rate = getattr(group, metric)
            if p_adj < ALPHA and rate.rate is not None:
                direction: Literal["higher", "lower"] = "higher" if rate.rate > rest_rate else "lower"
                group.flags.append(Flag(metric, test, p, p_adj, round(rest_rate, 6), direction))


def _consultations(rows: list[TicketFacts]) -> Consultations:
    consulted = [f for f in rows if f.consulted_units]
    dispatched = [f for f in consulted if f.first_unit is not None]
    settled = [f for f in dispatched if f.settled]
    return Consultations(
        opened=len(consulted),
        still_open=sum(1 for f in consulted if not f.consultation_closed),
        concluded=sum(1 for f in consulted if f.consultation_closed),
        dispatched=len(dispatched),
        dispatched_to_a_consulted_unit=sum(1 for f in dispatched if f.first_unit in f.consulted_units),
        closed_without_dispatch=sum(
            1 for f in consulted if f.first_unit is None and f.state == State.CLOSED.value
        ),
        first_dispatch_accuracy=Rate(sum(f.final_unit == f.first_unit for f in settled), len(settled)),
    )
