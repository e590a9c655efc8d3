"""Request and response schemas of the HTTP API (pydantic). Request bodies forbid unknown fields and
are strict about types; the service checks what depends on settings or reference data."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, Tag, field_validator

from jiesu.model.suggestion_types import Suggestion
from jiesu.serving.key_schemas import KeyCreate as KeyCreate
from jiesu.serving.key_schemas import KeyCreated as KeyCreated
from jiesu.serving.key_schemas import KeyOut as KeyOut
from jiesu.workflow.bodies import Body, not_blank
from jiesu.workflow.states import Action, IntakeChannel, State

# --- suggestions -------------------------------------------------------------------------------------


class SuggestItem(Body):
    id: str | None = Field(default=None, max_length=200)
    text: str
    caller_district: str | None = Field(default=None, max_length=32)


class SuggestBatch(Body):
    requests: list[SuggestItem] = Field(min_length=1)


def _suggest_shape(body: Any) -> str:
    """A body with `requests` is a batch, any other one a single request: a bad body's errors are then
    those of the shape it was meant to have, not of both."""
    batch = isinstance(body, SuggestBatch) or (isinstance(body, dict) and "requests" in body)
    return "batch" if batch else "item"


SuggestBody = Annotated[
    Annotated[SuggestItem, Tag("item")] | Annotated[SuggestBatch, Tag("batch")],
    Discriminator(_suggest_shape),
]


class SuggestOne(BaseModel):
    suggestion: Suggestion


class SuggestMany(BaseModel):
    model_id: str
    suggestions: list[Suggestion]


# --- tickets -----------------------------------------------------------------------------------------


class TicketCreate(Body):
    text: str
    intake_channel: IntakeChannel
    caller_phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 -]{2,24}$")
    caller_name: str | None = Field(default=None, min_length=1, max_length=64)
    caller_district: str | None = Field(default=None, max_length=32)

    _name = field_validator("caller_name")(not_blank)


class EventOut(BaseModel):
    version: int
    at: datetime
    action: str
    from_state: str | None
    to_state: str
    actor_key_id: str | None
    actor_role: str
    actor_unit: str | None
    payload: dict[str, Any]


class TicketOut(BaseModel):
    id: str
    created_at: datetime
    updated_at: datetime
    version: int
    state: State
    allowed_actions: list[Action]
    overdue: bool
    text: str
    intake_channel: str
    caller_phone: str | None
    caller_name: str | None
    caller_masked: bool = Field(description="caller phone and name are masked for this key")
    caller_district: str | None
    district: str | None
    category: str | None
    model_id: str
    suggestion: Suggestion = Field(description="what jiesu suggested when the ticket was created")
    suggested_unit: str | None
    decision: dict[str, Any] | None
    lead_unit: str | None
    lead_unit_type: str | None
    copy_to: list[str]
    co_handlers: list[str]
    dispatch_round: int
    escalation_level: str | None
    deadline_tier: str | None
    dispatched_at: datetime | None
    deadline_at: datetime | None = Field(
        description="handling deadline; for an online request not yet handled, its acceptance deadline"
    )
    followup_due_at: datetime | None = Field(
        description="replied tickets: when the follow-up call is due (deadline + setting)"
    )
    extensions: int
    consultation: dict[str, Any] | None
    followup: dict[str, Any] | None
    closure: str | None
    linked_ticket_id: str | None
    replied_at: datetime | None
    closed_at: datetime | None


class TicketDetail(TicketOut):
    events: list[EventOut]


class TicketPage(BaseModel):
    items: list[TicketOut]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on the last")


# --- keys --------------------------------------------------------------------------------------------


# KeyCreate, KeyOut, KeyCreated live in key_schemas.py: `jiesu keys` imports them without the suggestion
# types (the model's jurisdiction and place names), which cost it a quarter of a second.


# --- misc --------------------------------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok"]
    model_id: str
    database: str


class ModelInfo(BaseModel):
    model_id: str
    created_at: datetime
    backend: str
    versions: dict[str, str]
    catalogue_version: str
    taxonomy_version: str
    workflow_version: str
    heads: dict[str, dict[str, Any]]
    margin: float
    max_text_chars: int


class RateRow(BaseModel):
    unit: str
    period_start: str
    period_end: str
    valid: int
    contacted: int
    resolved: int
    satisfaction_counts: dict[str, int]
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    overall: float | None


class RatesOut(BaseModel):
    from_date: str = Field(serialization_alias="from")
    to_date: str = Field(serialization_alias="to")
    cycle_start_day: int
    cycle: str
    formula: dict[str, str]
    satisfaction_weights: dict[str, float]
    overall_weights: dict[str, float]
    rows: list[RateRow]


class UnitDispatchAudit(BaseModel):
    unit: str
    dispatched: int
    returned: int = Field(description="objections (派单异议): first returns in a dispatch round")
    returns_refiled: int = Field(
        description=(
            "returns refiled, with new facts, after the reviewer rejected one in the same dispatch round: "
            "counted apart from `returned` (repeated objections)"
        )
    )
    returns_upheld: int = Field(description="returns (first or refiled) the reviewer upheld")
    returns_rejected: int = Field(description="returns (first or refiled) the reviewer rejected")
    mis_dispatch_rate: float | None = Field(description="upheld returns / tickets dispatched to the unit")
    return_reasons: dict[str, int] = Field(description="reason codes of the first returns (`returned`)")


class OriginAudit(BaseModel):
    dispatched: int
    mis_dispatched: int
    mis_dispatch_rate: float | None


class SuggestionAudit(BaseModel):
    first_dispatches: int
    overridden: int
    override_rate: float | None
    by_origin: dict[str, OriginAudit] = Field(
        description=(
            "suggestion (followed), override (operator chose another unit), redispatch (after a return), "
            "escalation"
        )
    )


class DispatchAuditOut(BaseModel):
    from_date: str = Field(serialization_alias="from")
    to_date: str = Field(serialization_alias="to")
    skipped_events: int = Field(description="events left out because their stored payload could not be read")
    overall: UnitDispatchAudit
    suggestions: SuggestionAudit
    units: list[UnitDispatchAudit]


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorOut(BaseModel):
    error: ErrorBody
