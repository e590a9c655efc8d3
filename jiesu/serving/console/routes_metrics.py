"""The auditor's dashboard (the three rates and the dispatch audit by unit and period, with charts) and
the audit page (/console/audit). Both read the services behind GET /v1/metrics/rates and
/v1/metrics/dispatch; the audit page also shows the mis-dispatch audit by unit (GET /v1/audit/misdispatch)
to the roles that endpoint serves."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from jiesu.serving.audit_schemas import MisdispatchAuditOut
from jiesu.serving.console import labels
from jiesu.serving.console.charts import bars
from jiesu.serving.console.sessions import SignedIn
from jiesu.serving.console.web import RuntimeDep, error_lines, page_for, render
from jiesu.serving.misdispatch import misdispatch_audit
from jiesu.serving.runtime import Runtime
from jiesu.serving.schemas import DispatchAuditOut, RatesOut
from jiesu.workflow.errors import InvalidInput, ServiceError
from jiesu.workflow.states import Role

router = APIRouter()
AuditUser = Annotated[SignedIn, Depends(page_for(Role.AUDITOR, Role.REVIEWER, Role.ADMIN))]


def _day(raw: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"不是日期：{raw}（应为 年-月-日，如 2026-01-05）") from None


def _figures(runtime: Runtime, user: SignedIn, start: date | None, end: date | None) -> dict[str, Any]:
    rates: RatesOut = runtime.tickets.rates(user.principal, start, end, None)
    dispatch: DispatchAuditOut = runtime.tickets.dispatch_audit(start, end)
    return {"rates": rates, "dispatch": dispatch, "charts": _charts(rates, dispatch)}


def _charts(rates: RatesOut, dispatch: DispatchAuditOut) -> dict[str, Markup]:
    """Each chart of the dashboard by name; a new figure is one more entry here and one in the template."""
    rows = rates.rows
    units = dispatch.units
    origins = sorted(dispatch.suggestions.by_origin.items())
    periods = len({row.period_start for row in rows}) > 1
    return {
        "rates": bars(
            [f"{row.unit}（{row.period_start[5:]}起）" if periods else row.unit for row in rows],
            [
                ("响应率", [row.response_rate for row in rows]),
                ("解决率", [row.resolution_rate for row in rows]),
                ("满意率", [row.satisfaction_rate for row in rows]),
                ("综合", [row.overall for row in rows]),
            ],
        ),
        "dispatch": bars(
            [unit.unit for unit in units],
            [
                ("退单率", [unit.returned / unit.dispatched if unit.dispatched else None for unit in units]),
                ("错派率", [unit.mis_dispatch_rate for unit in units]),
            ],
        ),
        "origins": bars(
            [labels.ORIGINS.get(name, name) for name, _ in origins],
            [("错派率", [origin.mis_dispatch_rate for _, origin in origins])],
        ),
    }


def audit_report(runtime: Runtime, user: SignedIn, start: date, end: date) -> MisdispatchAuditOut | None:
    """The mis-dispatch audit by unit (GET /v1/audit/misdispatch), for the roles that endpoint serves, over
    the page's period (the dispatch figures' when the form names none: the current assessment period)."""
    if user.principal.role not in (Role.AUDITOR, Role.ADMIN):
        return None
    return misdispatch_audit(runtime.database, start, end, "unit")


async def _page(request: Request, user: SignedIn, runtime: Runtime, name: str, audit: bool) -> HTMLResponse:
    query = request.query_params
    values = {"from": query.get("from", ""), "to": query.get("to", "")}
    context: dict[str, Any] = {
        "values": values,
        "errors": [],
        "rates": None,
        "dispatch": None,
        "report": None,
    }
    status = 200
    try:
        start, end = _day(values["from"]), _day(values["to"])
        context.update(await run_in_threadpool(_figures, runtime, user, start, end))
        shown: DispatchAuditOut = context["dispatch"]
        # The form shows the period the figures are for: the one typed, or the default the service chose.
        values["from"], values["to"] = shown.from_date, shown.to_date
        if audit:
            period = (date.fromisoformat(shown.from_date), date.fromisoformat(shown.to_date))
            context["report"] = await run_in_threadpool(audit_report, runtime, user, *period)
    except ServiceError as exc:
        context["errors"], status = error_lines(exc), exc.status
    return render(request, name, user, status, **context)


@router.get("/console/dashboard")
async def dashboard(request: Request, user: AuditUser, runtime: RuntimeDep) -> HTMLResponse:
    return await _page(request, user, runtime, "dashboard.html", audit=False)


@router.get("/console/audit")
async def audit(request: Request, user: AuditUser, runtime: RuntimeDep) -> HTMLResponse:
    return await _page(request, user, runtime, "audit.html", audit=True)
