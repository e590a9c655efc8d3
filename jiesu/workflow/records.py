"""What the workflow's actions read and return: the ticket and event records they read (the serving
layer's ORM rows are such records), the rules an action is decided under, and the change it makes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from jiesu.data.workflow_settings import WorkflowSettings
from jiesu.workflow.payloads import Payload, PreviousDecision, ReviewReturnPayload, parse_payload, stored
from jiesu.workflow.reference import Reference
from jiesu.workflow.states import Action, State


class TicketRecord(Protocol):
    """What the actions read of a ticket (the serving layer's ORM row is one)."""

    @property
    def id(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def version(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def suggestion(self) -> dict[str, Any]: ...
    @property
    def suggested_unit(self) -> str | None: ...
    @property
    def category(self) -> str | None: ...
    @property
    def district(self) -> str | None: ...
    @property
    def lead_unit(self) -> str | None: ...
    @property
    def lead_unit_type(self) -> str | None: ...
    @property
    def copy_to(self) -> list[str]: ...
    @property
    def co_handlers(self) -> list[str]: ...
    @property
    def dispatch_round(self) -> int: ...
    @property
    def deadline_tier(self) -> str | None: ...
    @property
    def dispatched_at(self) -> datetime | None: ...
    @property
    def deadline_at(self) -> datetime | None: ...
    @property
    def extensions(self) -> int: ...
    @property
    def consultation(self) -> dict[str, Any] | None: ...
    @property
    def closure(self) -> str | None: ...
    @property
    def linked_ticket_id(self) -> str | None: ...


class EventRecord(Protocol):
    """What `rejected_return` reads of one event of a ticket's history (the ORM row is one)."""

    @property
    def action(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor_key_id(self) -> str | None: ...
    @property
    def payload(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Rules:
    """What an action depends on besides the ticket, the body and the actor."""

    settings: WorkflowSettings
    reference: Reference
    now: datetime
    linked: TicketRecord | None = None  # close-duplicate: the ticket named by linked_ticket_id, if any
    # return: the reviewer's rejection of a return in the current dispatch round (`rejected_return`)
    rejected_return: PreviousDecision | None = None


# Events after which the ticket rests with a unit chosen anew: a rejection before them no longer binds.
def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


_NEW_ROUND = frozenset({Action.DISPATCH.value, Action.ESCALATE.value})


def rejected_return(events: Iterable[EventRecord]) -> PreviousDecision | None:
    """The reviewer's last rejection of a return in the ticket's current dispatch round, from its events
    in version order; None when no return was rejected since the ticket last went to a unit (a dispatch,
    an upheld return's re-dispatch or an escalation). A reopen keeps the round: the same unit handles it."""
    last: PreviousDecision | None = None
    for event in events:
        if event.action in _NEW_ROUND:
            last = None
        elif event.action == Action.REVIEW_RETURN.value:
            review = parse_payload(event.action, event.payload)
            assert isinstance(review, ReviewReturnPayload)
            if review.decision == "uphold":
                last = None
            else:
                last = PreviousDecision(
                    decision="reject", reason=review.reason, reviewer=event.actor_key_id, at=iso(event.at)
                )
    return last


@dataclass(frozen=True)
class FollowupRecord:
    """One follow-up call (回访), counted in the three rates."""

    ticket_id: str
    at: datetime
    unit: str
    unit_type: str | None
    contacted: bool
    resolved: bool
    satisfaction: str | None
    valid: bool


@dataclass
class Change:
    """What one action does: the new state, the columns it sets, the event payload, the unit links."""

    to_state: State
    updates: dict[str, Any]
    payload: Payload
    relink: bool = False  # lead/copy/co-handler units changed: rewrite the ticket's unit links
    followup: FollowupRecord | None = None
    event_payload: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.event_payload = stored(self.payload)
