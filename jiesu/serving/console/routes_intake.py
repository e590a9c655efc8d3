"""The operator's main screen: type the request, see the suggestion beside it (htmx), confirm with one
key. Creating and dispatching go through the API's services (TicketService.create_async, act)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from jiesu.model.suggestion_types import Suggestion
from jiesu.serving.console.forms import action_body, action_fields, channel_notices
from jiesu.serving.console.present import evidence, unit_options
from jiesu.serving.console.sessions import SignedIn
from jiesu.serving.console.web import FormData, RuntimeDep, error_lines, first, page_for, posted_form, render
from jiesu.serving.runtime import Runtime
from jiesu.serving.schemas import SuggestItem, TicketCreate, TicketOut
from jiesu.workflow.errors import InvalidInput, Messages, NotFound, ServiceError, message
from jiesu.workflow.states import Action, Role

router = APIRouter()
IntakeUser = Annotated[SignedIn, Depends(page_for(Role.OPERATOR, Role.ADMIN))]
CALLER = ("text", "intake_channel", "caller_phone", "caller_name", "caller_district")
EXTRA = ("unit", "reason", "answer", "channel", "notice", "number", "units", "intake_id", "ticket_id")
CONFIRM = {"dispatch": "dispatch", "emergency": "transfer", "legal_channel": "inform", "answer_now": "answer"}


def _values(form: FormData) -> dict[str, str]:
    values = {name: first(form, name) for name in CALLER + EXTRA}
    values["intake_channel"] = values["intake_channel"] or "phone"
    values["intake_id"] = values["intake_id"] or str(uuid.uuid4())
    return values


@router.get("/console/intake")
async def intake_page(
    request: Request, user: IntakeUser, runtime: RuntimeDep, done: str = ""
) -> HTMLResponse:
    finished = None
    if done:
        try:
            finished = await run_in_threadpool(runtime.tickets.get, user.principal, done)
        except NotFound:
            finished = None
    return render(request, "intake.html", user, values=_values({}), done=finished, errors=[], suggestion=None)


async def _suggest(runtime: Runtime, request: Request, text: str, district: str) -> Suggestion:
    item = SuggestItem(text=text, caller_district=district or None)
    settings = request.app.state.settings
    suggestions = await runtime.suggestions.suggest_async(
        [item], max_text_chars=settings.max_text_chars, max_batch=1
    )
    return suggestions[0]


@router.post("/console/intake/suggest")
async def suggest(request: Request, user: IntakeUser, runtime: RuntimeDep) -> HTMLResponse:
    """The suggestion panel for the text typed so far (an htmx fragment, swapped beside the form)."""
    form = await posted_form(request, user)
    values = _values(form)
    if not values["text"].strip():
        return render(request, "_suggestion.html", user, suggestion=None, errors=[], values=values)
    try:
        found = await _suggest(runtime, request, values["text"], values["caller_district"])
    except (ServiceError, ValidationError) as exc:
        return render(
            request, "_suggestion.html", user, suggestion=None, panel_errors=error_lines(exc), values=values
        )
    return render(request, "_suggestion.html", user, **_panel(found, values))


def _panel(found: Suggestion, values: dict[str, str]) -> dict[str, Any]:
    return {
        "suggestion": found,
        "errors": [],
        "values": values,
        "spans": evidence(found),
        "units": unit_options(found),
        "notices": channel_notices(),
    }


def _plan(do: str, found: Suggestion, values: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """What a button means for this suggestion: the action and its body's fields."""
    if do == "confirm":
        do = "dispatch" if values["unit"] else CONFIRM.get(found.disposition.label, "")
        if not do:
            raise InvalidInput("此处置方式（重复、不属受理范围、违法）请用即时答复或在工单页处理")
    picked: dict[str, Any] = {}
    if do == "dispatch":
        if values["unit"]:
            picked = {"unit": values["unit"], "reason": values["reason"] or None}
        elif found.route is None:
            raise InvalidInput(message(Messages.no_unit))
    elif do == "transfer":
        picked = {"number": values["number"] or found.disposition.emergency_number}
    elif do == "inform":
        channel = values["channel"] or found.disposition.channel
        notice = values["notice"] or (
            found.disposition.notice if found.disposition.channel == channel else None
        )
        picked = {"channel": channel, "notice": notice or channel_notices().get(channel or "")}
    elif do == "answer":
        picked = {"answer": values["answer"]}
    elif do == "consult":
        typed = action_fields("consult", {"units": [values["units"]]})
        picked = {"units": typed.get("units") or list(unit_options(found))[:2] or None}
    else:
        raise InvalidInput(f"没有这个操作：{do}")
    return do, {name: value for name, value in picked.items() if value is not None}


@router.post("/console/intake", response_model=None)
async def take(request: Request, user: IntakeUser, runtime: RuntimeDep) -> Response:
    """Create the ticket (once per intake_id, the Idempotency-Key) and take one action on it."""
    form = await posted_form(request, user)
    values = _values(form)
    found: Suggestion | None = None
    try:
        found = await _suggest(runtime, request, values["text"], values["caller_district"])
        body = TicketCreate.model_validate(
            {name: values[name] for name in CALLER if values[name].strip() or name == "text"}
        )
        action, fields = _plan(first(form, "do") or "confirm", found, values)
        action_body(action, fields)  # refused here, before a ticket exists, when a field is wrong
        ticket: TicketOut
        if values["ticket_id"]:
            ticket = await run_in_threadpool(runtime.tickets.get, user.principal, values["ticket_id"])
        else:
            ticket, _ = await runtime.tickets.create_async(user.principal, body, values["intake_id"])
            values["ticket_id"] = ticket.id
        done = await run_in_threadpool(
            runtime.tickets.act,
            user.principal,
            ticket.id,
            Action(action),
            action_body(action, {**fields, "version": ticket.version}),
        )
    except (ServiceError, ValidationError) as exc:
        status = exc.status if isinstance(exc, ServiceError) else 422
        panel = _panel(found, values) if found else {"suggestion": None, "values": values}
        return render(
            request, "intake.html", user, status, **{**panel, "errors": error_lines(exc), "done": None}
        )
    return RedirectResponse(f"/console/intake?done={done.id}", status_code=303)
