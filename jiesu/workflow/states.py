"""The ticket workflow of the Regulation (shared/docs/domain.md §1) as a pure state machine: states,
actions, who may take each action, and where it leads. No I/O; the services apply it.

    received ─consult→ consulting ─consult(outcome)→ consulted
    received | consulted ─dispatch→ dispatched              (派单; copy to the district per the catalogue)
    received | consulted ─inform | answer | transfer | close-duplicate→ closed   (art. 11, not dispatched)
    dispatched ─accept→ accepted ─reply→ replied            (首接负责, 办结)
    dispatched | accepted ─return→ return_requested         (派单异议, within the return window)
    return_requested ─review-return→ dispatched             (uphold: another unit, round + 1; reject: same)
                                   → coordination           (uphold after returns.max_dispatch_rounds)
    dispatched | accepted | coordination ─escalate→ dispatched   (分级协调, art. 20: district/city level)
    dispatched | accepted ─extend | report→ (same state)    (延期, art. 15; co-handlers report to the lead)
    replied ─followup→ closed (resolved) | unresolved       (回访, art. 23)
    unresolved ─reopen→ dispatched (same unit, new deadline) | ─close→ closed
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Literal

from jiesu.data.calendar import is_working_day


class State(StrEnum):
    RECEIVED = "received"
    CONSULTING = "consulting"
    CONSULTED = "consulted"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    RETURN_REQUESTED = "return_requested"
    COORDINATION = "coordination"
    REPLIED = "replied"
    UNRESOLVED = "unresolved"
    CLOSED = "closed"


class Action(StrEnum):
    DISPATCH = "dispatch"
    CONSULT = "consult"
    INFORM = "inform"
    ANSWER = "answer"
    TRANSFER = "transfer"
    CLOSE_DUPLICATE = "close-duplicate"
    ACCEPT = "accept"
    RETURN = "return"
    EXTEND = "extend"
    REPLY = "reply"
    REPORT = "report"
    REVIEW_RETURN = "review-return"
    ESCALATE = "escalate"
    FOLLOWUP = "followup"
    REOPEN = "reopen"
    CLOSE = "close"


class Role(StrEnum):
    OPERATOR = "operator"
    REVIEWER = "reviewer"
    UNIT = "unit"
    AUDITOR = "auditor"
    ADMIN = "admin"


class UnitRelation(StrEnum):
    """How a unit key must relate to the ticket to take a unit action."""

    LEAD = "lead"
    CO = "co"
    COPY = "copy"


@dataclass(frozen=True)
class ActionRule:
    roles: frozenset[Role]
    moves: Mapping[State, tuple[State, ...]]  # from-state → possible to-states (first: the usual one)
    unit_relation: UnitRelation | None = None  # unit actions: the lead unit, or a co-handler


def _rule(
    roles: set[Role], moves: dict[State, tuple[State, ...]], unit: UnitRelation | None = None
) -> ActionRule:
    return ActionRule(frozenset(roles), moves, unit)


_DESK = {Role.OPERATOR, Role.REVIEWER}
_UNDISPATCHED = (State.RECEIVED, State.CONSULTED)
_HANDLING = (State.DISPATCHED, State.ACCEPTED)

TRANSITIONS: dict[Action, ActionRule] = {
    Action.CONSULT: _rule(_DESK, {State.RECEIVED: (State.CONSULTING,), State.CONSULTING: (State.CONSULTED,)}),
    Action.DISPATCH: _rule(_DESK, dict.fromkeys(_UNDISPATCHED, (State.DISPATCHED,))),
    Action.INFORM: _rule(_DESK, dict.fromkeys(_UNDISPATCHED, (State.CLOSED,))),
    Action.ANSWER: _rule(_DESK, dict.fromkeys(_UNDISPATCHED, (State.CLOSED,))),
    Action.TRANSFER: _rule(_DESK, dict.fromkeys(_UNDISPATCHED, (State.CLOSED,))),
    Action.CLOSE_DUPLICATE: _rule(_DESK, dict.fromkeys(_UNDISPATCHED, (State.CLOSED,))),
    Action.ACCEPT: _rule({Role.UNIT}, {State.DISPATCHED: (State.ACCEPTED,)}, UnitRelation.LEAD),
    Action.RETURN: _rule({Role.UNIT}, dict.fromkeys(_HANDLING, (State.RETURN_REQUESTED,)), UnitRelation.LEAD),
    Action.EXTEND: _rule({Role.UNIT}, {state: (state,) for state in _HANDLING}, UnitRelation.LEAD),
    Action.REPLY: _rule({Role.UNIT}, {State.ACCEPTED: (State.REPLIED,)}, UnitRelation.LEAD),
    Action.REPORT: _rule({Role.UNIT}, {state: (state,) for state in _HANDLING}, UnitRelation.CO),
    Action.REVIEW_RETURN: _rule(
        {Role.REVIEWER}, {State.RETURN_REQUESTED: (State.DISPATCHED, State.COORDINATION)}
    ),
    Action.ESCALATE: _rule(
        {Role.REVIEWER},
        dict.fromkeys((*_HANDLING, State.COORDINATION), (State.DISPATCHED,)),
    ),
    Action.FOLLOWUP: _rule({Role.OPERATOR}, {State.REPLIED: (State.CLOSED, State.UNRESOLVED)}),
    Action.REOPEN: _rule({Role.OPERATOR}, {State.UNRESOLVED: (State.DISPATCHED,)}),
    Action.CLOSE: _rule({Role.OPERATOR}, {State.UNRESOLVED: (State.CLOSED,)}),
}

TERMINAL_STATES = frozenset({State.CLOSED})
# States in which the handling deadline runs: only these can be overdue.
# States whose deadline can pass. A received ticket has one only when it came in online: the hotline must
# accept (受理) web, app and WeChat requests within `online_acceptance_hours` (Regulation art. 10).
CLOCK_RUNNING = frozenset(
    {State.RECEIVED, State.DISPATCHED, State.ACCEPTED, State.RETURN_REQUESTED, State.COORDINATION}
)
IntakeChannel = Literal["phone", "web", "app", "wechat"]
ONLINE_CHANNELS: frozenset[IntakeChannel] = frozenset({"web", "app", "wechat"})


class IllegalTransition(Exception):
    """`action` is not allowed in `state`; `allowed` lists the actions that are."""

    def __init__(self, state: State, action: Action, allowed: list[str]) -> None:
        super().__init__(f"{action} is not allowed in state {state}")
        self.state = state
        self.action = action
        self.allowed = allowed


def allowed_actions(state: State) -> list[str]:
    return [action.value for action, rule in TRANSITIONS.items() if state in rule.moves]


def targets(state: State, action: Action) -> tuple[State, ...]:
    """The states `action` may lead to from `state`; IllegalTransition when it is not allowed there."""
    moves = TRANSITIONS[action].moves
    if state not in moves:
        raise IllegalTransition(state, action, allowed_actions(state))
    return moves[state]


def next_state(state: State, action: Action, *, branch: State | None = None) -> State:
    """The state after `action`. For actions with several outcomes, `branch` names the outcome (one of
    `targets(state, action)`), as chosen by `review_return_outcome` or `followup_outcome`."""
    possible = targets(state, action)
    if branch is None:
        return possible[0]
    if branch not in possible:
        raise ValueError(f"{action} from {state} cannot lead to {branch}")
    return branch


def review_return_outcome(uphold: bool, dispatch_round: int, max_dispatch_rounds: int) -> State:
    """Upheld returns are re-dispatched until `max_dispatch_rounds` dispatches have failed; then the
    ticket goes to coordination. A rejected return goes back to the same unit."""
    if uphold and dispatch_round >= max_dispatch_rounds:
        return State.COORDINATION
    return State.DISPATCHED


def followup_outcome(resolved: bool) -> State:
    return State.CLOSED if resolved else State.UNRESOLVED


def is_overdue(state: str, deadline_at: datetime | None, now: datetime) -> bool:
    return deadline_at is not None and state in CLOCK_RUNNING and deadline_at < now


# --- time rules (pure) --------------------------------------------------------------------------------

# Beijing time (no daylight saving): working days and the monthly rate cycle are local dates.
BEIJING_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def add_working_days(start: datetime, days: int) -> datetime:
    """`start` moved forward by `days` working days, Beijing time: statutory holidays are skipped and the
    weekend days worked in their place count (jiesu.data.calendar)."""
    local = start.astimezone(BEIJING_TZ)
    remaining = days
    while remaining > 0:
        local += timedelta(days=1)
        if is_working_day(local.date()):
            remaining -= 1
    return local.astimezone(start.tzinfo)


def cycle_of(day: date, start_day: int) -> tuple[date, date]:
    """The assessment cycle holding `day`: from `start_day` of a month to the day before `start_day` of
    the next (the 19th to the 18th), both inclusive."""
    if day.day >= start_day:
        start = day.replace(day=start_day)
    else:
        start = (day.replace(day=1) - timedelta(days=1)).replace(day=start_day)
    following = (start.replace(day=1) + timedelta(days=32)).replace(day=start_day)
    return start, following - timedelta(days=1)
