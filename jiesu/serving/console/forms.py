"""Form fields → the API's bodies: the same pydantic models, so a console form gets the API's errors.
Empty fields are left out (the body's default applies); numbers, yes/no and lists are converted."""

from __future__ import annotations

from functools import cache
from typing import Any

from jiesu.data.disposition_rules import load_disposition_rules
from jiesu.serving.console.web import FormData, first
from jiesu.workflow.bodies import ACTION_BODIES, ActionBody

INT_FIELDS = frozenset({"version", "hours"})
BOOL_FIELDS = frozenset({"contacted", "resolved", "valid"})
LIST_FIELDS = frozenset({"units", "copy_to", "co_handlers"})


def _value(name: str, raw: str) -> Any:
    if name in INT_FIELDS:
        digits = raw.strip().removeprefix("-")
        # ASCII digits only (int() refuses ² and the like), and a length the body can answer about.
        return int(raw) if digits.isascii() and digits.isdigit() and len(digits) <= 18 else raw
    if name in BOOL_FIELDS:
        return raw == "true"
    if name in LIST_FIELDS:
        return [part.strip() for part in raw.replace("，", ",").replace("\n", ",").split(",") if part.strip()]
    return raw


def action_fields(action: str, form: FormData) -> dict[str, Any]:
    """The fields of `action`'s body found (non-empty) in the form."""
    names = ACTION_BODIES[action].model_fields
    fields: dict[str, Any] = {}
    for name in names:
        raw = first(form, name)
        if raw.strip() or (name in BOOL_FIELDS and name in form):
            fields[name] = _value(name, raw)
    if action == "review-return" and fields.get("decision") == "reject":
        fields.pop("unit", None)  # the review form offers a unit for upholding; a rejection takes none
    return fields


def action_body(action: str, fields: dict[str, Any]) -> ActionBody:
    """The API's body of `action` (pydantic ValidationError when a field is invalid)."""
    return ACTION_BODIES[action].model_validate(fields)


@cache
def channel_notices() -> dict[str, str]:
    """What the operator reads out for each legal channel (disposition.json)."""
    return {channel.id: channel.notice for channel in load_disposition_rules().channels}
