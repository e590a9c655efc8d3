"""The body of each workflow action (POST /v1/tickets/{id}/{action}), as pydantic models: unknown fields are
refused, ints and bools are strict, and no string may hold what cannot be stored. The HTTP layer documents
them; the actions (jiesu.workflow.actions) take them."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator

from jiesu.data.catalogue import DeadlineTier, UnitType
from jiesu.data.disposition_rules import ChannelId, EmergencyNumber

# Ticket ids are UUID4 strings; anything else names no ticket and never reaches a query.
TICKET_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# NUL is refused by PostgreSQL and a lone surrogate by every encoder: neither can be stored or shown.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

UnitName = Field(min_length=2, max_length=128)
ShortText = Field(min_length=1, max_length=2000)


class Body(BaseModel):
    # Unknown fields are refused; ints and bools are strict ("5" is not 5, "yes" is not true).
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and UNSTORABLE.search(item):
                raise ValueError("must not contain NUL characters or unpaired surrogates")
        return value


def not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("must not be empty or whitespace only")
    return value


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
    deadline_tier: DeadlineTier | None = None


class ConsultBody(ActionBody):
    units: list[str] | None = Field(default=None, min_length=1, max_length=10)
    outcome: str | None = Field(default=None, min_length=1, max_length=2000)


class InformBody(ActionBody):
    channel: ChannelId
    notice: str = ShortText

    _notice = field_validator("notice")(not_blank)


class AnswerBody(ActionBody):
    answer: str = ShortText

    _answer = field_validator("answer")(not_blank)


class TransferBody(ActionBody):
    number: EmergencyNumber


class CloseDuplicateBody(ActionBody):
    linked_ticket_id: str = Field(min_length=1, max_length=36)


class AcceptBody(ActionBody):
    note: str | None = Field(default=None, max_length=2000)


class ReturnBody(ActionBody):
    reason_code: str = Field(max_length=64)
    reason: str | None = Field(default=None, max_length=2000)
    new_facts: str | None = Field(
        default=None,
        max_length=2000,
        description=(
            "required on a return after the reviewer rejected one in this dispatch round (and only then): "
            "what is new since that decision"
        ),
    )


class ExtendBody(ActionBody):
    hours: StrictInt = Field(gt=0)
    reason: str | None = Field(default=None, max_length=2000)


class ReplyBody(ActionBody):
    result: str = Field(min_length=1, max_length=5000, description="what was done (办结)")

    _result = field_validator("result")(not_blank)


class ReportBody(ActionBody):
    report: str = Field(min_length=1, max_length=5000, description="a co-handler's result for the lead unit")

    _report = field_validator("report")(not_blank)


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
