"""Ticket lists (the API's filters), the ticket page (history timeline, the actions its state allows this
user) and the actions' forms, which post to TicketService.act like POST /v1/tickets/{id}/{action}."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from jiesu.serving.console.forms import action_body, action_fields, channel_notices
from jiesu.serving.console.messages import in_chinese
from jiesu.serving.console.present import actions_for, evidence, primary_action, unit_options
from jiesu.serving.console.sessions import SignedIn
from jiesu.serving.console.web import (
    FormData,
    RuntimeDep,
    UserDep,
    error_lines,
    first,
    page_for,
    posted_form,
    render,
)
from jiesu.serving.runtime import Runtime
from jiesu.serving.ticket_queries import TicketFilter
from jiesu.workflow.bodies import ACTION_BODIES
from jiesu.workflow.errors import InvalidInput, NotFound, ServiceError
from jiesu.workflow.states import Action, Role, State

router = APIRouter()
ListUser = Annotated[SignedIn, Depends(page_for(Role.OPERATOR, Role.REVIEWER, Role.AUDITOR, Role.ADMIN))]
FILTERS = ("state", "unit", "district", "category", "overdue", "followup_due", "created_from", "created_to")


def _moment(raw: str) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"不是日期或时间：{raw}（应为 年-月-日，如 2026-01-05）") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def ticket_filter(values: dict[str, str]) -> TicketFilter:
    """The API's list filters from the query string."""
    state = values["state"] or None
    if state is not None and state not in State.__members__.values():
        raise InvalidInput(f"没有这个工单状态：{state}")
    return TicketFilter(
        state=state,
        unit=values["unit"] or None,
        district=values["district"] or None,
        category=values["category"] or None,
        overdue=values["overdue"] == "true",
        followup_due=values["followup_due"] == "true",
        created_from=_moment(values["created_from"]),
        created_to=_moment(values["created_to"]),
    )


@router.get("/console/tickets")
async def tickets(request: Request, user: ListUser, runtime: RuntimeDep) -> HTMLResponse:
    query = request.query_params
    values = {name: query.get(name, "") for name in (*FILTERS, "cursor")}
    errors: list[str] = []
    page = None
    status = 200
    try:
        filters = ticket_filter(values)
        page = await run_in_threadpool(
            runtime.tickets.list, user.principal, filters, values["cursor"] or None, None
        )
    except ServiceError as exc:
        errors, status = error_lines(exc), exc.status
    now = runtime.tickets.clock()
    return render(
        request, "tickets.html", user, status, values=values, page=page, errors=errors, now=now, states=State
    )


async def _ticket_page(
    request: Request,
    user: SignedIn,
    runtime: Runtime,
    ticket_id: str,
    *,
    errors: list[str] | None = None,
    form: dict[str, str] | None = None,
    open_action: str = "",
    status: int = 200,
) -> HTMLResponse:
    detail = await run_in_threadpool(runtime.tickets.get, user.principal, ticket_id)
    actions = actions_for(user.principal, detail)
    context: dict[str, Any] = {
        "t": detail,
        "now": runtime.tickets.clock(),
        "actions": actions,
        "spans": evidence(detail.suggestion),
        "units": unit_options(detail.suggestion),
        "reason_codes": runtime.workflow.returns.reason_codes,
        "levels": runtime.workflow.followup.satisfaction_levels,
        "notices": channel_notices(),
        "errors": errors or [],
        "form": form or {},
        "open_action": open_action or primary_action(actions),
    }
    return render(request, "ticket.html", user, status, **context)


@router.get("/console/tickets/{ticket_id}", response_model=None)
async def ticket_page(request: Request, ticket_id: str, user: UserDep, runtime: RuntimeDep) -> Response:
    try:
        return await _ticket_page(request, user, runtime, ticket_id)
    except NotFound as exc:
        return render(request, "refused.html", user, 404, reason=in_chinese(exc.message))


def _typed(form: FormData) -> dict[str, str]:
    return {name: first(form, name) for name in form}


@router.post("/console/tickets/{ticket_id}/act/{action}", response_model=None)
async def act(request: Request, ticket_id: str, action: str, user: UserDep, runtime: RuntimeDep) -> Response:
    """One workflow action from a console form; on an error the page comes back with the form as typed."""
    form = await posted_form(request, user)
    if action not in ACTION_BODIES:
        return render(request, "refused.html", user, 404, reason="没有这个操作。")
    try:
        body = action_body(action, action_fields(action, form))
        await run_in_threadpool(runtime.tickets.act, user.principal, ticket_id, Action(action), body)
    except NotFound as exc:
        return render(request, "refused.html", user, 404, reason=in_chinese(exc.message))
    except (ServiceError, ValidationError) as exc:
        status = exc.status if isinstance(exc, ServiceError) else 422
        return await _ticket_page(
            request,
            user,
            runtime,
            ticket_id,
            errors=error_lines(exc),
            form=_typed(form),
            open_action=action,
            status=status,
        )
    after = first(form, "next")
    target = after if after.startswith("/console/") else f"/console/tickets/{ticket_id}"
    return RedirectResponse(target, status_code=303)
