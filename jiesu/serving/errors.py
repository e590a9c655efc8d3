"""Errors the services raise on purpose; the app turns each into the JSON error envelope
`{"error": {"code", "message", "details"}}` with its HTTP status. Messages are fixed text: they never
contain request text, caller data or raw exception text."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: Any = None, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class InvalidInput(ServiceError):
    status = 422
    code = "invalid_input"


MESSAGES = {
    "missing_key": "missing API key: send it in the X-API-Key header",
    "bad_key": "invalid, expired or revoked API key",
    "role": "this API key's role may not do this",
    "ticket_not_found": "ticket not found",
    "key_not_found": "API key not found",
    "unit_not_found": "unit not found",
    "stale": "the ticket was changed since you read it (stale version): reload it and retry",
    "illegal": "action {action!r} is not allowed in state {state!r}",
    "idempotency_reused": "this Idempotency-Key was already used with a different request body",
    "idempotency_missing": "the Idempotency-Key header is required to create a ticket",
    "unknown_unit": "unknown unit name(s): give unit names the dispatch catalogue can produce",
    "unit_key_needs_unit": "a unit key needs --unit (the unit it acts for); other roles take none",
    "unknown_district": "caller_district is not a Beijing district; give an official (朝阳区) or short (朝阳) name",
    "text_too_long": "text is longer than {limit} characters",
    "text_empty": "text is empty or whitespace only",
    "batch_too_large": "at most {limit} requests per call",
    "no_unit": "no suggested unit to confirm: give unit (and reason)",
    "override_reason": "overriding the suggested unit needs a reason",
    "consult_units": "opening a consultation needs the units involved",
    "consult_outcome": "the consultation is open: record its outcome",
    "return_window": "the return window ({days} working days after dispatch) has passed",
    "reason_required": "a reason is required",
    "reason_code": "reason_code must be one of the workflow settings' return reason codes",
    "extension_count": "no extensions left (at most {limit} per ticket)",
    "extension_hours": "an extension is at most {limit} hours",
    "uphold_unit": "upholding a return needs another unit to dispatch to",
    "same_unit": "the new unit must differ from the current one",
    "linked_ticket": "linked_ticket_id must name another existing ticket",
    "cursor": "invalid cursor: pass back the next_cursor of a previous page",
    "date_range": "from must not be after to",
    "satisfaction_level": "satisfaction must be one of the workflow settings' levels",
    "deadline_tier": "deadline_tier must be one of the workflow settings' tiers",
    "not_a_coordinator_state": "the ticket has no current lead unit",
}


def message(key: str, **fields: object) -> str:
    return MESSAGES[key].format(**fields)
