"""The HTTP API: `create_app(settings, classifier)` builds a FastAPI app whose lifespan loads the model
(the injected classifier, settings.model_dir, or the default model, trained the first time), opens the
database (migrating the embedded SQLite), and builds the services. Handlers are thin: validate, call one
service method, return a response schema. Every error is `{"error": {"code", "message", "details"}}`.

Every endpoint except /health, /docs and /openapi.json needs an X-API-Key; /v1/suggest too (any role),
because it spends CPU on request and exposes the model to whoever can reach the port."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Body, FastAPI, Header, Query, Response
from starlette.concurrency import run_in_threadpool

from jiesu import __version__
from jiesu.model.classifier import RequestClassifier
from jiesu.model.memory import freeze_loaded_objects, thaw_loaded_objects
from jiesu.serving.audit_schemas import MisdispatchAuditOut
from jiesu.serving.console import install_console
from jiesu.serving.console.headers import ConsoleHeaders
from jiesu.serving.deps import (
    AdminDep,
    AuditDep,
    AuditorDep,
    IntakeDep,
    PrincipalDep,
    RuntimeDep,
    SettingsDep,
)
from jiesu.serving.middleware import (
    RequestGuardMiddleware,
    RequestLogMiddleware,
    install_docs,
    install_error_handlers,
)
from jiesu.serving.misdispatch import misdispatch_audit
from jiesu.serving.runtime import load_runtime
from jiesu.serving.schemas import (
    DispatchAuditOut,
    ErrorOut,
    Health,
    KeyCreate,
    KeyCreated,
    KeyOut,
    ModelInfo,
    RatesOut,
    SuggestBatch,
    SuggestBody,
    SuggestMany,
    SuggestOne,
    TicketCreate,
    TicketDetail,
    TicketOut,
    TicketPage,
)
from jiesu.serving.scorecard import scorecard_router
from jiesu.serving.settings import ServingSettings
from jiesu.serving.ticket_queries import TicketFilter
from jiesu.workflow.bodies import ACTION_BODIES, ActionBody
from jiesu.workflow.misdispatch import GroupBy
from jiesu.workflow.states import Action, State

log = logging.getLogger(__name__)

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": HTTPStatus(status).phrase}
    for status in (401, 403, 404, 409, 422)
}


def create_app(
    settings: ServingSettings | None = None, classifier: RequestClassifier | None = None
) -> FastAPI:
    """The API app. Nothing is loaded here: the model and database are opened in lifespan."""
    resolved = settings or ServingSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await run_in_threadpool(load_runtime, resolved, classifier)
        app.state.runtime = runtime
        freeze_loaded_objects()  # a full collection over the model stalled every request for ~0.2 s
        log.info("serving model %s on %s", runtime.model.model_id_, runtime.database.dialect)
        watching = asyncio.create_task(runtime.watcher.run()) if runtime.watcher else None
        try:
            yield
        finally:
            try:
                if watching is not None:
                    watching.cancel()
                runtime.database.dispose()
            finally:
                thaw_loaded_objects()

    app = FastAPI(
        title="jiesu",
        version=__version__,
        summary="Dispatch suggestions and ticket workflow for Beijing's 12345 hotline",
        lifespan=lifespan,
        responses=_ERRORS,
        docs_url=None,  # served below from local files
        redoc_url=None,
    )
    app.state.settings = resolved
    install_error_handlers(app)
    app.add_middleware(ConsoleHeaders)  # innermost: the console's security headers, on its paths only
    app.add_middleware(RequestGuardMiddleware, settings=resolved)
    app.add_middleware(RequestLogMiddleware)  # outermost: it logs what the guard refuses too
    app.include_router(_router())
    app.include_router(scorecard_router())  # GET /v1/metrics/model
    install_docs(app)
    install_console(app)  # the web console at / (jiesu.serving.console)
    return app


# --- routes ------------------------------------------------------------------------------------------

ACTION_SUMMARIES = {
    Action.DISPATCH: "Dispatch: confirm the suggested unit, or override it with a reason (operator, reviewer)",
    Action.CONSULT: "Pre-dispatch consultation: open with units, then record the outcome (operator, reviewer)",
    Action.INFORM: "Close: inform the requester of the legal channel, not dispatched (operator, reviewer)",
    Action.ANSWER: "Close: answered on the spot (operator, reviewer)",
    Action.TRANSFER: "Close: transferred to an emergency number (operator, reviewer)",
    Action.CLOSE_DUPLICATE: "Close as a duplicate of another ticket (operator, reviewer)",
    Action.ACCEPT: "The lead unit accepts the ticket (unit)",
    Action.RETURN: "The lead unit disputes the dispatch (派单异议) within the return window (unit)",
    Action.EXTEND: "The lead unit extends the deadline with a reason (unit)",
    Action.REPLY: "The lead unit replies: what was done (办结) (unit)",
    Action.REPORT: "A co-handling unit reports its result to the lead unit (unit)",
    Action.REVIEW_RETURN: "Review a return: uphold (re-dispatch to another unit) or reject (reviewer)",
    Action.ESCALATE: "Escalate to district or city level (reviewer)",
    Action.FOLLOWUP: "Record the follow-up call (回访) (operator)",
    Action.REOPEN: "Re-dispatch an unresolved ticket to the same unit with a new deadline (operator)",
    Action.CLOSE: "Close an unresolved ticket without reopening it (operator)",
}


def _action_endpoint(action: Action, body_type: type[ActionBody]) -> Callable[..., TicketOut]:
    def endpoint(ticket_id: str, body: Any, principal: PrincipalDep, runtime: RuntimeDep) -> TicketOut:
        return runtime.tickets.act(principal, ticket_id, action, body)

    endpoint.__annotations__ = {**endpoint.__annotations__, "body": Annotated[body_type, Body()]}
    endpoint.__name__ = f"ticket_{action.value.replace('-', '_')}"
    return endpoint


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/health", tags=["meta"])
    def health(runtime: RuntimeDep) -> Health:
        """Liveness: the model is loaded and the database is configured."""
        return Health(status="ok", model_id=runtime.model.model_id_, database=runtime.database.dialect)

    @router.get("/v1/model", tags=["meta"])
    def model_info(_principal: PrincipalDep, runtime: RuntimeDep) -> ModelInfo:
        """The model serving suggestions: id, versions, reference data versions, thresholds."""
        meta = runtime.model.metadata()
        heads = {
            head: {
                "classes": len(spec["classes"]),
                "threshold": spec["threshold"],
                "temperature": spec["temperature"],
            }
            for head, spec in meta["heads"].items()
        }
        return ModelInfo(
            model_id=meta["model_id"],
            created_at=meta["created_at"],
            backend=meta["backend"],
            versions=meta["versions"],
            catalogue_version=runtime.reference.catalogue_version,
            taxonomy_version=runtime.reference.taxonomy_version,
            workflow_version=runtime.workflow.version,
            heads=heads,
            margin=meta["margin"],
            max_text_chars=meta["max_text_chars"],
        )

    @router.post("/v1/suggest", tags=["suggest"])
    async def suggest(
        body: SuggestBody, _principal: PrincipalDep, runtime: RuntimeDep, settings: SettingsDep
    ) -> SuggestOne | SuggestMany:
        """Suggestions for one request or a batch `{"requests": [...]}`; stateless, nothing is stored."""
        items = body.requests if isinstance(body, SuggestBatch) else [body]
        suggestions = await runtime.suggestions.suggest_async(
            items,
            max_text_chars=settings.max_text_chars,
            max_batch=settings.max_batch,
            batch=isinstance(body, SuggestBatch),
        )
        if isinstance(body, SuggestBatch):
            return SuggestMany(model_id=runtime.model.model_id_, suggestions=suggestions)
        return SuggestOne(suggestion=suggestions[0])

    @router.post("/v1/tickets", status_code=201, tags=["tickets"], responses={200: {"model": TicketOut}})
    async def create_ticket(
        body: TicketCreate,
        response: Response,
        principal: IntakeDep,
        runtime: RuntimeDep,
        idempotency_key: Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=200)],
    ) -> TicketOut:
        """Create a ticket with its suggestion. A retry with the same Idempotency-Key returns the same
        ticket (200); the same key with another body is 409."""
        ticket, created = await runtime.tickets.create_async(principal, body, idempotency_key)
        if not created:
            response.status_code = 200
        return ticket

    @router.get("/v1/tickets", tags=["tickets"])
    def list_tickets(
        principal: PrincipalDep,
        runtime: RuntimeDep,
        state: State | None = None,
        unit: Annotated[str | None, Query(max_length=128)] = None,
        district: Annotated[str | None, Query(max_length=32)] = None,
        category: Annotated[str | None, Query(max_length=64)] = None,
        overdue: bool = False,
        followup_due: bool = False,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        cursor: Annotated[str | None, Query(max_length=500)] = None,
        limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    ) -> TicketPage:
        """Tickets, oldest first, filtered; pass `next_cursor` back as `cursor` for the next page."""
        filters = TicketFilter(
            state=state.value if state else None,
            unit=unit,
            district=district,
            category=category,
            overdue=overdue,
            followup_due=followup_due,
            created_from=_as_utc(created_from),
            created_to=_as_utc(created_to),
        )
        return runtime.tickets.list(principal, filters, cursor, limit)

    @router.get("/v1/tickets/overdue", tags=["tickets"])
    def overdue_tickets(
        principal: PrincipalDep,
        runtime: RuntimeDep,
        cursor: Annotated[str | None, Query(max_length=500)] = None,
        limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    ) -> TicketPage:
        """Tickets past their deadline that are still being handled."""
        return runtime.tickets.list(principal, TicketFilter(overdue=True), cursor, limit)

    @router.get("/v1/tickets/{ticket_id}", tags=["tickets"])
    def get_ticket(ticket_id: str, principal: PrincipalDep, runtime: RuntimeDep) -> TicketDetail:
        """One ticket with its full event history."""
        return runtime.tickets.get(principal, ticket_id)

    for action, body_type in ACTION_BODIES.items():
        router.add_api_route(
            f"/v1/tickets/{{ticket_id}}/{action}",
            _action_endpoint(Action(action), body_type),
            methods=["POST"],
            response_model=TicketOut,
            summary=ACTION_SUMMARIES[Action(action)],
            tags=["workflow"],
        )

    @router.get("/v1/units/{unit}/inbox", tags=["tickets"])
    def unit_inbox(
        unit: str,
        principal: PrincipalDep,
        runtime: RuntimeDep,
        cursor: Annotated[str | None, Query(max_length=500)] = None,
        limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    ) -> TicketPage:
        """Tickets with this unit now: as lead, co-handler or copied."""
        return runtime.tickets.inbox(principal, unit, cursor, limit)

    @router.get("/v1/metrics/rates", tags=["metrics"])
    def rates(
        principal: PrincipalDep,
        runtime: RuntimeDep,
        date_from: Annotated[date | None, Query(alias="from")] = None,
        date_to: Annotated[date | None, Query(alias="to")] = None,
        unit: Annotated[str | None, Query(max_length=128)] = None,
    ) -> RatesOut:
        """响应率, 解决率, 满意率 and the overall score per unit and assessment period, with the formula
        and the weights used (from the workflow settings)."""
        return runtime.tickets.rates(principal, date_from, date_to, unit)

    @router.get("/v1/metrics/dispatch", tags=["metrics"])
    def dispatch_audit(
        _reader: AuditDep,
        runtime: RuntimeDep,
        date_from: Annotated[date | None, Query(alias="from")] = None,
        date_to: Annotated[date | None, Query(alias="to")] = None,
    ) -> DispatchAuditOut:
        """Mis-dispatch audit: per unit, tickets dispatched to it, its returns (退单) and how many the
        reviewer upheld (错派); how often operators overrode the suggestion, and how often tickets came back
        when the suggestion was followed, overridden, or re-dispatched. Not for unit keys."""
        return runtime.tickets.dispatch_audit(date_from, date_to)

    @router.get("/v1/audit/misdispatch", tags=["audit"])
    def misdispatch(
        _auditor: AuditorDep,
        runtime: RuntimeDep,
        date_from: Annotated[date, Query(alias="from", description="first day (Beijing), inclusive")],
        date_to: Annotated[date, Query(alias="to", description="last day (Beijing), inclusive")],
        group_by: GroupBy = "unit",
    ) -> MisdispatchAuditOut:
        """Mis-dispatch audit of the tickets created in the period: first-dispatch accuracy, returns and
        upheld returns, dispatch rounds, days lost, model vs operator, consultations, per group with 95%
        Wilson intervals, and groups that differ from the rest beyond chance (Holm-corrected). Auditor
        and admin keys only; no request text or caller data."""
        return misdispatch_audit(runtime.database, date_from, date_to, group_by)

    @router.post("/v1/keys", status_code=201, tags=["keys"])
    def create_key(body: KeyCreate, _admin: AdminDep, runtime: RuntimeDep) -> KeyCreated:
        """Create an API key; the secret is in the response only."""
        return runtime.keys.create(body)

    @router.get("/v1/keys", tags=["keys"])
    def list_keys(_admin: AdminDep, runtime: RuntimeDep) -> list[KeyOut]:
        """All keys (prefix, role, unit, expiry), never their secrets."""
        return runtime.keys.list()

    @router.post("/v1/keys/{key_id}/revoke", tags=["keys"])
    def revoke_key(key_id: str, _admin: AdminDep, runtime: RuntimeDep) -> KeyOut:
        """Revoke a key at once."""
        return runtime.keys.revoke(key_id)

    return router
