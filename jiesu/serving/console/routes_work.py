"""A unit's inbox (its tickets now: lead, co-handler or copied) and the reviewer's queue of returns
(派单异议) to decide, each with the ticket, the unit's reason and the suggestion beside it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from jiesu.serving.console.present import actions_for, evidence, unit_options
from jiesu.serving.console.sessions import SignedIn
from jiesu.serving.console.web import RuntimeDep, page_for, render
from jiesu.serving.runtime import Runtime
from jiesu.serving.schemas import TicketDetail
from jiesu.serving.ticket_queries import TicketFilter
from jiesu.workflow.states import Role, State

router = APIRouter()
UnitUser = Annotated[SignedIn, Depends(page_for(Role.UNIT))]
ReviewUser = Annotated[SignedIn, Depends(page_for(Role.REVIEWER))]
QUEUE_SIZE = 20


@router.get("/console/inbox")
async def inbox(request: Request, user: UnitUser, runtime: RuntimeDep, cursor: str = "") -> HTMLResponse:
    unit = user.principal.unit or ""
    page = await run_in_threadpool(runtime.tickets.inbox, user.principal, unit, cursor or None, None)
    rows = [(ticket, actions_for(user.principal, ticket)) for ticket in page.items]
    return render(
        request,
        "inbox.html",
        user,
        page=page,
        rows=rows,
        now=runtime.tickets.clock(),
        unit=unit,
        window=runtime.workflow.returns.window_working_days,
    )


def _return_of(detail: TicketDetail) -> dict[str, Any]:
    """The latest return's payload (reason code, reason, new facts, the decision it challenges)."""
    returns = [event for event in detail.events if event.action == "return"]
    return {**returns[-1].payload, "at": returns[-1].at, "unit": returns[-1].actor_unit} if returns else {}


def _queue(runtime: Runtime, user: SignedIn) -> list[dict[str, Any]]:
    page = runtime.tickets.list(
        user.principal, TicketFilter(state=State.RETURN_REQUESTED.value), None, QUEUE_SIZE
    )
    items = []
    for ticket in page.items:
        detail = runtime.tickets.get(user.principal, ticket.id)
        items.append(
            {
                "t": detail,
                "returned": _return_of(detail),
                "spans": evidence(detail.suggestion),
                "units": [unit for unit in unit_options(detail.suggestion) if unit != detail.lead_unit],
            }
        )
    return items


@router.get("/console/review")
async def review(request: Request, user: ReviewUser, runtime: RuntimeDep) -> HTMLResponse:
    items = await run_in_threadpool(_queue, runtime, user)
    return render(request, "review.html", user, items=items, now=runtime.tickets.clock())
