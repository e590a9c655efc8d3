"""What a key sees of a ticket: the stored row as a `TicketOut`, with the caller's details (and numbers
written into the text) masked for keys that may not see them, and the times worked out for now."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from jiesu.model.suggestion_types import Suggestion
from jiesu.model.text import mask_contact_details
from jiesu.serving.auth import mask_name, mask_phone, sees_caller
from jiesu.serving.orm import Ticket, TicketEvent
from jiesu.serving.schemas import EventOut, TicketOut
from jiesu.workflow.actors import Principal
from jiesu.workflow.states import State, allowed_actions, is_overdue


def followup_due_at(ticket: Ticket, after_deadline_hours: float) -> datetime | None:
    """When the hotline calls the requester back: the deadline plus the setting (art. 23)."""
    if ticket.state != State.REPLIED.value or ticket.deadline_at is None:
        return None
    return ticket.deadline_at + timedelta(hours=after_deadline_hours)


# Keys of decisions, consultations, follow-ups and event payloads that hold no free text (ids, unit and
# category names, codes, states, times): kept as stored. Every other string is masked like the request
# text, so that a number the caller gave, copied into a note, an answer or a reason, is masked too.
_NOT_FREE_TEXT = frozenset(
    {
        "intake_channel", "model_id", "suggested_unit", "suggested_disposition", "disposition", "unit",
        "unit_type", "copy_to", "co_handlers", "units", "category", "deadline_tier", "channel",
        "emergency_number", "linked_ticket_id", "reason_code", "decision", "returned_by", "level",
        "previous_unit", "satisfaction", "at", "opened_at", "closed_at", "deadline_at", "after_max_rounds",
        "reviewer",
    }
)  # fmt: skip


def mask_free_text(value: Any) -> Any:
    """A copy of a stored JSON value with every free-text string masked (`mask_contact_details`); what is
    stored is not changed."""
    if isinstance(value, str):
        return mask_contact_details(value)
    if isinstance(value, dict):
        return {key: item if key in _NOT_FREE_TEXT else mask_free_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_free_text(item) for item in value]
    return value


def event_view(clear: bool, event: TicketEvent) -> EventOut:
    """An event as a key sees it: its payload's free text masked unless the key sees the caller."""
    out = EventOut.model_validate(event, from_attributes=True)
    return out if clear else out.model_copy(update={"payload": mask_free_text(out.payload)})


def ticket_view(
    principal: Principal, ticket: Ticket, now: datetime, followup_after_hours: float
) -> TicketOut:
    clear = sees_caller(principal, ticket.lead_unit, ticket.co_handlers)
    return TicketOut.model_validate(
        {
            "id": ticket.id,
            "created_at": ticket.created_at,
            "updated_at": ticket.updated_at,
            "version": ticket.version,
            "state": ticket.state,
            "allowed_actions": allowed_actions(State(ticket.state)),
            "overdue": is_overdue(ticket.state, ticket.deadline_at, now),
            # Numbers the caller wrote into the request are caller details too.
            "text": ticket.text if clear else mask_contact_details(ticket.text),
            "intake_channel": ticket.intake_channel,
            "caller_phone": ticket.caller_phone if clear else mask_phone(ticket.caller_phone),
            "caller_name": ticket.caller_name if clear else mask_name(ticket.caller_name),
            "caller_masked": not clear,
            "caller_district": ticket.caller_district,
            "district": ticket.district,
            "category": ticket.category,
            "model_id": ticket.model_id,
            "suggestion": Suggestion.from_stored(ticket.suggestion),
            "suggested_unit": ticket.suggested_unit,
            "decision": ticket.decision if clear else mask_free_text(ticket.decision),
            "lead_unit": ticket.lead_unit,
            "lead_unit_type": ticket.lead_unit_type,
            "copy_to": list(ticket.copy_to),
            "co_handlers": list(ticket.co_handlers),
            "dispatch_round": ticket.dispatch_round,
            "escalation_level": ticket.escalation_level,
            "deadline_tier": ticket.deadline_tier,
            "dispatched_at": ticket.dispatched_at,
            "deadline_at": ticket.deadline_at,
            "followup_due_at": followup_due_at(ticket, followup_after_hours),
            "extensions": ticket.extensions,
            "consultation": ticket.consultation if clear else mask_free_text(ticket.consultation),
            "followup": ticket.followup if clear else mask_free_text(ticket.followup),
            "closure": ticket.closure,
            "linked_ticket_id": ticket.linked_ticket_id,
            "replied_at": ticket.replied_at,
            "closed_at": ticket.closed_at,
        }
    )


def new_event(
    principal: Principal,
    ticket_id: str,
    version: int,
    at: datetime,
    action: str,
    from_state: State | None,
    to_state: State,
    payload: dict[str, Any],
) -> TicketEvent:
    return TicketEvent(
        ticket_id=ticket_id,
        version=version,
        at=at,
        actor_key_id=principal.key_id,
        actor_role=principal.role.value,
        actor_unit=principal.unit,
        action=action,
        from_state=from_state.value if from_state else None,
        to_state=to_state.value,
        payload=payload,
    )
