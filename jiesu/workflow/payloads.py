"""What each event of a ticket's history records, by action: one pydantic model per action. The actions
write these and the dispatch audit reads them, so an action name or a field is spelt in one place (the
API's event list shows the stored JSON as it is). Stored payloads are JSON; `parse_payload` reads one back (fields added later have
defaults, so events stored before them still read)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from jiesu.data.catalogue import DeadlineTier
from jiesu.data.disposition_rules import ChannelId, EmergencyNumber
from jiesu.workflow.states import Action, IntakeChannel

CREATE = "create"  # the event that opens a ticket: no workflow action, so not an `Action`


class Payload(BaseModel):
    # Frozen: an event is history. Unknown keys of older events are ignored rather than refused.
    model_config = ConfigDict(frozen=True, extra="ignore")


class CreatePayload(Payload):
    intake_channel: IntakeChannel
    model_id: str
    suggested_unit: str | None = None
    suggested_disposition: str | None = None


class DispatchPayload(Payload):
    """The operator's dispatch decision (派单): the unit, the copies, and whether it overrode the suggestion."""

    disposition: Literal["dispatch"] = "dispatch"
    unit: str
    unit_type: str | None = None
    copy_to: list[str] = []
    co_handlers: list[str] = []
    category: str | None = None
    deadline_tier: DeadlineTier | None = None
    suggested_unit: str | None = None
    overridden: bool = False
    reason: str | None = None
    dispatch_round: int = 1
    deadline_at: str | None = None


class ConsultPayload(Payload):
    units: list[str] | None = None  # opening: the units consulted
    outcome: str | None = None  # closing: what was agreed


class InformPayload(Payload):
    disposition: Literal["legal_channel"] = "legal_channel"
    channel: ChannelId
    notice: str


class AnswerPayload(Payload):
    disposition: Literal["answer_now"] = "answer_now"
    answer: str


class TransferPayload(Payload):
    disposition: Literal["emergency"] = "emergency"
    emergency_number: EmergencyNumber


class CloseDuplicatePayload(Payload):
    disposition: Literal["duplicate"] = "duplicate"
    linked_ticket_id: str


class AcceptPayload(Payload):
    note: str | None = None


class PreviousDecision(Payload):
    """A reviewer's rejection of an earlier return in the same dispatch round, attached to a refiled one."""

    decision: Literal["reject"] = "reject"
    reason: str | None = None
    reviewer: str | None = None  # the reviewer's key id
    at: str


class ReturnPayload(Payload):
    unit: str | None = None  # the unit that disputes the dispatch (派单异议)
    reason_code: str
    reason: str | None = None
    # A return after the reviewer rejected one in this dispatch round: its new facts and the decision
    # it challenges (domain.md §1: a further return needs new facts and is counted apart).
    refiled: bool = False
    new_facts: str | None = None
    previous_decision: PreviousDecision | None = None


class ExtendPayload(Payload):
    hours: int
    reason: str | None = None
    notify_requester: bool = True
    deadline_at: str


class ReplyPayload(Payload):
    result: str


class ReportPayload(Payload):
    unit: str | None = None
    report: str


class ReviewReturnPayload(Payload):
    decision: Literal["uphold", "reject"]
    reason: str | None = None
    returned_by: str | None = None
    unit: str | None = None  # upheld and re-dispatched: the next unit
    dispatch_round: int | None = None
    copy_to: list[str] | None = None
    deadline_at: str | None = None
    after_max_rounds: str | None = None  # upheld after the last round: what happens next (coordination)


class EscalatePayload(Payload):
    level: Literal["district", "city"]
    unit: str
    reason: str | None = None
    previous_unit: str | None = None


class FollowupPayload(Payload):
    contacted: bool
    resolved: bool
    satisfaction: str | None = None
    valid: bool = True
    at: str
    unit: str | None = None
    note: str | None = None


class ReopenPayload(Payload):
    reason: str | None = None
    unit: str | None = None
    deadline_at: str


class ClosePayload(Payload):
    reason: str | None = None


PAYLOAD_TYPES: dict[str, type[Payload]] = {
    CREATE: CreatePayload,
    Action.DISPATCH: DispatchPayload,
    Action.CONSULT: ConsultPayload,
    Action.INFORM: InformPayload,
    Action.ANSWER: AnswerPayload,
    Action.TRANSFER: TransferPayload,
    Action.CLOSE_DUPLICATE: CloseDuplicatePayload,
    Action.ACCEPT: AcceptPayload,
    Action.RETURN: ReturnPayload,
    Action.EXTEND: ExtendPayload,
    Action.REPLY: ReplyPayload,
    Action.REPORT: ReportPayload,
    Action.REVIEW_RETURN: ReviewReturnPayload,
    Action.ESCALATE: EscalatePayload,
    Action.FOLLOWUP: FollowupPayload,
    Action.REOPEN: ReopenPayload,
    Action.CLOSE: ClosePayload,
}


def parse_payload(action: str, payload: object) -> Payload:
    """A stored event payload as its action's type (ValueError for an unknown action)."""
    try:
        kind = PAYLOAD_TYPES[action]
    except KeyError:
        raise ValueError(f"no event payload type for action {action!r}") from None
    return kind.model_validate(payload or {})


def stored(payload: Payload) -> dict[str, object]:
    """A payload as stored in the event log: JSON types, and only the fields that carry a value, as
    events were always stored."""
    return payload.model_dump(mode="json", exclude_unset=True)
