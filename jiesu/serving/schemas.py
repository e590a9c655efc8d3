"""Request and response schemas of the HTTP API (pydantic). Request bodies forbid unknown fields and
are strict about types; the service checks what depends on settings or reference data."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator

from jiesu.serving.workflow import Role

IntakeChannel = Literal["phone", "web", "app", "wechat"]
UnitType = Literal[
    "street", "district_government", "district_department", "city_department", "enterprise", "central"
]
DeadlineTierName = Literal["emergency", "utility", "ordinary", "complex"]
LegalChannel = Literal[
    "litigation", "arbitration", "discipline", "reconsideration", "info_disclosure", "petition"
]
EmergencyNumber = Literal["110", "119", "120", "122"]

# Ticket ids are UUID4 strings; anything else names no ticket and never reaches a query.
TICKET_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# NUL is refused by PostgreSQL and a lone surrogate by every encoder: neither can be stored or shown.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

UnitName = Field(min_length=2, max_length=128)
ShortText = Field(min_length=1, max_length=2000)


class Body(BaseModel):
    # Unknown fields are refused; ints and bools are strict ("5" is not 5, "yes" is not true).
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and _UNSTORABLE.search(item):
                raise ValueError("must not contain NUL characters or unpaired surrogates")
        return value


def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("must not be empty or whitespace only")
    return value


# --- suggestions -------------------------------------------------------------------------------------


class SuggestItem(Body):
    id: str | None = Field(default=None, max_length=200)
    text: str
    caller_district: str | None = Field(default=None, max_length=32)


class SuggestBatch(Body):
    requests: list[SuggestItem] = Field(min_length=1)


class SuggestOne(BaseModel):
    suggestion: dict[str, Any]


class SuggestMany(BaseModel):
    model_id: str
    suggestions: list[dict[str, Any]]


# --- tickets -----------------------------------------------------------------------------------------


class TicketCreate(Body):
    text: str
    intake_channel: IntakeChannel
    caller_phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 -]{2,24}$")
    caller_name: str | None = Field(default=None, min_length=1, max_length=64)
    caller_district: str | None = Field(default=None, max_length=32)

    _name = field_validator("caller_name")(_not_blank)


class ActionBody(Body):
    version: StrictInt | None = Field(default=None, ge=1, description="the version you read; stale → 409")


class DispatchBody(ActionBody):
    unit: str | None = Field(
        default=None, min_length=2, max_length=128, description="override the suggestion"
    )
    reason: str | None = Field(
        default=None, min_length=1, max_length=2000, description="why it was overridden"
    )
    unit_type: UnitType | None = None
    copy_to: list[str] | None = Field(default=None, max_length=10)
    co_handlers: list[str] = Field(default_factory=list, max_length=10)
    category: str | None = Field(default=None, max_length=64, description="second-level category")
    deadline_tier: DeadlineTierName | None = None


class ConsultBody(ActionBody):
    units: list[str] | None = Field(default=None, min_length=1, max_length=10)
    outcome: str | None = Field(default=None, min_length=1, max_length=2000)


class InformBody(ActionBody):
    channel: LegalChannel
    notice: str = ShortText


class AnswerBody(ActionBody):
    answer: str = ShortText


class TransferBody(ActionBody):
    number: EmergencyNumber


class CloseDuplicateBody(ActionBody):
    linked_ticket_id: str = Field(min_length=1, max_length=36)


class AcceptBody(ActionBody):
    note: str | None = Field(default=None, max_length=2000)


class ReturnBody(ActionBody):
    reason_code: str = Field(max_length=64)
    reason: str | None = Field(default=None, max_length=2000)


class ExtendBody(ActionBody):
    hours: StrictInt = Field(gt=0)
    reason: str | None = Field(default=None, max_length=2000)


class ReplyBody(ActionBody):
    result: str = Field(min_length=1, max_length=5000, description="what was done (办结)")


class ReportBody(ActionBody):
    report: str = Field(min_length=1, max_length=5000, description="a co-handler's result for the lead unit")


class ReviewReturnBody(ActionBody):
    decision: Literal["uphold", "reject"]
    unit: str | None = Field(default=None, min_length=2, max_length=128, description="uphold: the next unit")
    unit_type: UnitType | None = None
    copy_to: list[str] = Field(default_factory=list, max_length=10)
    reason: str | None = Field(default=None, max_length=2000)


class EscalateBody(ActionBody):
    level: Literal["district", "city"]
    unit: str = UnitName
    unit_type: UnitType | None = None
    reason: str | None = Field(default=None, max_length=2000)


class FollowupBody(ActionBody):
    contacted: StrictBool
    resolved: StrictBool
    satisfaction: str | None = Field(default=None, max_length=8)
    valid: StrictBool = True
    note: str | None = Field(default=None, max_length=2000)


class ReopenBody(ActionBody):
    reason: str | None = Field(default=None, max_length=2000)


class CloseBody(ActionBody):
    reason: str | None = Field(default=None, max_length=2000)


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
    state: str
    allowed_actions: list[str]
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
    suggestion: dict[str, Any]
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


class KeyCreate(Body):
    role: Role
    unit: str | None = Field(default=None, min_length=2, max_length=128)
    name: str | None = Field(default=None, min_length=1, max_length=100)
    expires_days: StrictInt | None = Field(default=None, ge=1, le=3650)


class KeyOut(BaseModel):
    id: str
    prefix: str
    role: str
    unit: str | None
    name: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    active: bool


class KeyCreated(KeyOut):
    key: str = Field(description="the secret: shown once, store it now")


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
    returned: int
    returns_upheld: int
    returns_rejected: int
    mis_dispatch_rate: float | None = Field(description="upheld returns / tickets dispatched to the unit")
    return_reasons: dict[str, int]


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
    overall: UnitDispatchAudit
    suggestions: SuggestionAudit
    units: list[UnitDispatchAudit]


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorOut(BaseModel):
    error: ErrorBody


# The body schema of each workflow action, by action name (POST /v1/tickets/{id}/{action}).
ACTION_BODIES: dict[str, type[ActionBody]] = {
    "dispatch": DispatchBody,
    "consult": ConsultBody,
    "inform": InformBody,
    "answer": AnswerBody,
    "transfer": TransferBody,
    "close-duplicate": CloseDuplicateBody,
    "accept": AcceptBody,
    "return": ReturnBody,
    "extend": ExtendBody,
    "reply": ReplyBody,
    "report": ReportBody,
    "review-return": ReviewReturnBody,
    "escalate": EscalateBody,
    "followup": FollowupBody,
    "reopen": ReopenBody,
    "close": CloseBody,
}
