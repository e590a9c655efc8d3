"""Services the HTTP handlers call (and tests call directly): TicketService (intake, workflow actions,
queries, rates) and KeyService (API keys). One database transaction per call; every change to a ticket
is an optimistic `UPDATE … WHERE id = :id AND version = :v` plus one appended event, in that same
transaction, so a concurrent change is refused (409), never lost."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import anyio.to_thread
from sqlalchemy import ColumnElement, and_, delete, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jiesu.data.workflow_settings import WorkflowSettings
from jiesu.evaluation.audit import AUDITED_ACTIONS, dispatch_audit
from jiesu.model.suggestion import Suggester, SuggestionRequest
from jiesu.model.text import mask_contact_details
from jiesu.serving.auth import (
    Principal,
    hash_secret,
    key_prefix,
    mask_name,
    mask_phone,
    new_secret,
    sees_caller,
)
from jiesu.serving.batching import Batcher
from jiesu.serving.db import Database
from jiesu.serving.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceError,
    Unauthorized,
    message,
)
from jiesu.serving.orm import ApiKey, Base, FollowUp, Ticket, TicketEvent, TicketUnit
from jiesu.serving.rates import FORMULA, RateCounts, compute_rates
from jiesu.serving.schemas import (
    ACTION_BODIES,
    TICKET_ID,
    AcceptBody,
    ActionBody,
    AnswerBody,
    CloseBody,
    CloseDuplicateBody,
    ConsultBody,
    DispatchAuditOut,
    DispatchBody,
    EscalateBody,
    EventOut,
    ExtendBody,
    FollowupBody,
    InformBody,
    KeyCreate,
    KeyCreated,
    KeyOut,
    RateRow,
    RatesOut,
    ReopenBody,
    ReplyBody,
    ReportBody,
    ReturnBody,
    ReviewReturnBody,
    SuggestItem,
    TicketCreate,
    TicketDetail,
    TicketOut,
    TicketPage,
    TransferBody,
)
from jiesu.serving.units import ESCALATION_TYPES, Reference
from jiesu.serving.workflow import (
    BEIJING_TZ,
    CLOCK_RUNNING,
    ONLINE_CHANNELS,
    TRANSITIONS,
    Action,
    IllegalTransition,
    Role,
    State,
    UnitRelation,
    add_working_days,
    allowed_actions,
    cycle_of,
    followup_outcome,
    is_overdue,
    next_state,
    review_return_outcome,
    targets,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
CreateOutcome = tuple[TicketOut, bool] | ServiceError
SuggestManyFn = Callable[[Sequence[SuggestionRequest]], list[dict[str, Any]]]
MAX_PAGE = 500
MAX_IDEMPOTENCY_KEY = 200


def utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def check_text(text: str, limit: int) -> None:
    """Refuse empty and oversized texts (422) before any model or database work. (NUL characters and
    unpaired surrogates are refused for every request string by the schemas.)"""
    if not text.strip():
        raise InvalidInput(message("text_empty"))
    if len(text) > limit:
        raise InvalidInput(message("text_too_long", limit=limit), {"max_text_chars": limit})


# Dates the API accepts: wide enough for any archive, narrow enough that no time-zone shift or
# assessment-cycle step leaves Python's or the database's date range.
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def _local_day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in Beijing time."""
    return (
        datetime.combine(start, time.min, BEIJING_TZ),
        datetime.combine(end + timedelta(days=1), time.min, BEIJING_TZ),
    )


def check_dates(*days: date | None) -> None:
    if any(day is not None and not EARLIEST_DATE <= day <= LATEST_DATE for day in days):
        raise InvalidInput(
            message("date_out_of_range", earliest=EARLIEST_DATE.isoformat(), latest=LATEST_DATE.isoformat())
        )


@dataclass
class Change:
    """What one action does: the new state, the columns it sets, the event payload, the unit links."""

    to_state: State
    updates: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)
    relink: bool = False  # lead/copy/co-handler units changed: rewrite ticket_units
    followup: FollowUp | None = None


@dataclass(frozen=True)
class Intake:
    """One ticket create as it arrived: who sent it, the request, its Idempotency-Key header."""

    principal: Principal
    body: TicketCreate
    idempotency_key: str | None


@dataclass(frozen=True)
class TicketFilter:
    state: str | None = None
    unit: str | None = None
    district: str | None = None
    category: str | None = None
    overdue: bool = False
    followup_due: bool = False  # replied, and the follow-up time (deadline + setting) has come
    created_from: datetime | None = None
    created_to: datetime | None = None


class TicketService:
    def __init__(
        self,
        database: Database,
        workflow: WorkflowSettings,
        reference: Reference,
        suggest_many: SuggestManyFn,
        *,
        max_text_chars: int = 20000,
        page_size: int = 50,
        clock: Clock = utcnow,
    ) -> None:
        self.db = database
        self.workflow = workflow
        self.reference = reference
        self.suggest_many = suggest_many
        self.max_text_chars = max_text_chars
        self.page_size = page_size
        self.clock = clock
        self._intake_batcher: Batcher[Intake, CreateOutcome] = Batcher(self.create_many)

    # --- intake ---------------------------------------------------------------------------------------
    def create(
        self, principal: Principal, body: TicketCreate, idempotency_key: str | None
    ) -> tuple[TicketOut, bool]:
        """Create a ticket; (ticket, True). A retry with the same Idempotency-Key returns the ticket
        already created, (ticket, False), also when the two calls race: the unique key decides."""
        outcome = self.create_many([Intake(principal, body, idempotency_key)])[0]
        if isinstance(outcome, ServiceError):
            raise outcome
        return outcome

    def create_many(self, intakes: Sequence[Intake]) -> list[CreateOutcome]:
        """Create tickets for several intakes at once, each with the outcome `create` would give (a
        refused intake gets its error, the others go on). Under load the HTTP handler gathers concurrent
        creates into one call: one idempotency lookup, one classifier batch and one transaction for all
        of them, where one each would queue the database's single writer behind every create."""
        outcomes: list[CreateOutcome | None] = [None] * len(intakes)
        checked: dict[int, tuple[str, str, str | None]] = {}  # position → (key, request hash, district)
        for position, intake in enumerate(intakes):
            try:
                checked[position] = self._check_intake(intake)
            except ServiceError as exc:
                outcomes[position] = exc
        stored = self._tickets_by_key({key for key, _, _ in checked.values()})
        fresh: dict[str, int] = {}  # key → position of the intake that creates its ticket
        for position, (key, request_hash, _) in checked.items():
            earlier = stored.get(key)
            if earlier is not None:
                outcomes[position] = self._replay_outcome(intakes[position].principal, earlier, request_hash)
            elif key not in fresh:
                fresh[key] = position
        creating = sorted(fresh.values())
        suggestions = (  # a batch of nothing but retries needs no suggestions
            self.suggest_many(
                [
                    SuggestionRequest(text=intakes[i].body.text, caller_district=checked[i][2])
                    for i in creating
                ]
            )
            if creating
            else []
        )
        now = self.clock()
        built = {
            position: self._new_ticket(intakes[position], checked[position], suggestion, now)
            for position, suggestion in zip(creating, suggestions, strict=True)
        }
        stored_now = self._store_all(built)
        for position, (ticket, _) in stored_now.items():
            outcomes[position] = (self._view(intakes[position].principal, ticket, now), True)
        # Repeats of a key within this batch replay the ticket just stored; creates that lost a race to
        # another process replay the winner's.
        just_stored = {ticket.idempotency_key: ticket for ticket, _ in stored_now.values()}
        for position, (key, request_hash, _) in checked.items():
            if outcomes[position] is not None:
                continue
            principal = intakes[position].principal
            if key in just_stored:
                outcomes[position] = self._replay_outcome(principal, just_stored[key], request_hash)
            else:
                outcomes[position] = self._replay_or_error(principal, key, request_hash)
        answered = [outcome for outcome in outcomes if outcome is not None]
        assert len(answered) == len(intakes), "every intake gets an outcome"
        return answered

    async def create_async(
        self, principal: Principal, body: TicketCreate, idempotency_key: str | None
    ) -> tuple[TicketOut, bool]:
        """As `create`, from the event loop: concurrent creates are gathered into `create_many` calls,
        which run one at a time in a worker thread."""
        outcome = (await self._intake_batcher.submit([Intake(principal, body, idempotency_key)]))[0]
        if isinstance(outcome, ServiceError):
            raise outcome
        return outcome

    def _check_intake(self, intake: Intake) -> tuple[str, str, str | None]:
        """Validate one intake: (Idempotency-Key, hash of the request body, caller district)."""
        key = (intake.idempotency_key or "").strip()
        if not key:
            raise InvalidInput(message("idempotency_missing"))
        if len(key) > MAX_IDEMPOTENCY_KEY:
            raise InvalidInput(f"Idempotency-Key is longer than {MAX_IDEMPOTENCY_KEY} characters")
        check_text(intake.body.text, self.max_text_chars)
        district = self.reference.district(intake.body.caller_district)
        request_hash = hashlib.sha256(
            json.dumps(intake.body.model_dump(), ensure_ascii=False, sort_keys=True).encode("utf-8")
        ).hexdigest()
        return key, request_hash, district

    def _new_ticket(
        self,
        intake: Intake,
        checked: tuple[str, str, str | None],
        suggestion: dict[str, Any],
        now: datetime,
    ) -> tuple[Ticket, TicketEvent]:
        key, request_hash, district = checked
        body, principal = intake.body, intake.principal
        route = suggestion.get("route") or {}
        jurisdiction = suggestion.get("jurisdiction") or {}
        ticket = Ticket(
            id=str(uuid.uuid4()),
            created_at=now,
            updated_at=now,
            version=1,
            state=State.RECEIVED.value,
            text=body.text,
            intake_channel=body.intake_channel,
            caller_phone=body.caller_phone,
            caller_name=body.caller_name.strip() if body.caller_name else None,
            caller_district=district,
            district=jurisdiction.get("district") or district,
            category=(suggestion.get("category") or {}).get("l2"),
            suggestion=suggestion,
            model_id=str(suggestion.get("model_id", "")),
            suggested_unit=route.get("unit"),
            decision=None,
            lead_unit=None,
            lead_unit_type=None,
            copy_to=[],
            co_handlers=[],
            dispatch_round=0,
            extensions=0,
            deadline_at=(
                now + timedelta(hours=self.workflow.online_acceptance_hours)
                if body.intake_channel in ONLINE_CHANNELS
                else None
            ),
            idempotency_key=key,
            request_hash=request_hash,
            created_by=principal.key_id,
        )
        payload = {
            "intake_channel": body.intake_channel,
            "model_id": ticket.model_id,
            "suggested_unit": ticket.suggested_unit,
            "suggested_disposition": (suggestion.get("disposition") or {}).get("label"),
        }
        event = self._event(principal, ticket.id, 1, now, "create", None, State.RECEIVED, payload)
        return ticket, event

    def _store_all(
        self, built: dict[int, tuple[Ticket, TicketEvent]]
    ) -> dict[int, tuple[Ticket, TicketEvent]]:
        """Store the new tickets in one transaction; those actually stored. When another process
        created one of the keys meanwhile, they are stored one by one instead, so that each loser
        replays the winner's ticket and the others are still created."""
        try:
            self._store(list(built.values()))
        except IntegrityError:
            stored: dict[int, tuple[Ticket, TicketEvent]] = {}
            for position, created in built.items():
                try:
                    self._store([created])
                except IntegrityError:
                    continue
                stored[position] = created
            return stored
        return built

    def _store(self, created: Sequence[tuple[Ticket, TicketEvent]]) -> None:
        """Insert tickets with their create events in one transaction (all or none)."""
        if not created:
            return
        # Core multi-row INSERTs of the new rows, not the ORM's unit of work: the objects are only read
        # afterwards (for the answer), and the flush bookkeeping cost more CPU than the inserts.
        with self.db.write() as session:
            connection = session.connection()
            connection.execute(insert(_TICKETS), [_row(ticket, _TICKET_COLUMNS) for ticket, _ in created])
            connection.execute(insert(_EVENTS), [_row(event, _EVENT_COLUMNS) for _, event in created])

    def _tickets_by_key(self, keys: set[str]) -> dict[str, Ticket]:
        if not keys:
            return {}
        with self.db.read() as session:
            found = session.scalars(select(Ticket).where(Ticket.idempotency_key.in_(sorted(keys))))
            return {ticket.idempotency_key: ticket for ticket in found}

    def _replay_or_error(self, principal: Principal, key: str, request_hash: str) -> CreateOutcome:
        ticket = self._tickets_by_key({key}).get(key)
        if ticket is None:  # not reachable: the key's ticket was stored in this call or by its rival
            raise RuntimeError("an idempotent create found neither its own ticket nor a rival's")
        return self._replay_outcome(principal, ticket, request_hash)

    def _replay_outcome(self, principal: Principal, ticket: Ticket, request_hash: str) -> CreateOutcome:
        """The answer to a repeated Idempotency-Key: the stored ticket, or 409 when the body differs."""
        if ticket.request_hash != request_hash:
            return Conflict(message("idempotency_reused"), code="idempotency_key_reused")
        return self._view(principal, ticket, self.clock()), False

    # --- actions --------------------------------------------------------------------------------------
    def act(self, principal: Principal, ticket_id: str, action: Action, body: ActionBody) -> TicketOut:
        """Apply one workflow action in one transaction; 404 when the key cannot see the ticket, 403 for
        the wrong role or unit, 409 for a stale version or an action the state does not allow."""
        if not isinstance(body, ACTION_BODIES[action.value]):
            raise TypeError(f"{action} takes a {ACTION_BODIES[action.value].__name__}")
        rule = TRANSITIONS[action]
        now = self.clock()
        with self.db.write() as session:
            ticket = self._load_visible(session, principal, ticket_id)
            session.expunge(ticket)  # changed below by an explicit versioned UPDATE, not by the ORM
            if principal.role not in rule.roles:
                raise Forbidden(message("role"), {"allowed_roles": sorted(rule.roles)})
            self._check_unit_relation(principal, ticket, rule.unit_relation)
            if body.version is not None and body.version != ticket.version:
                raise Conflict(message("stale"), {"current_version": ticket.version}, code="stale_version")
            state = State(ticket.state)
            try:
                targets(state, action)
            except IllegalTransition as exc:
                raise Conflict(
                    message("illegal", action=action.value, state=state.value),
                    {"state": state.value, "action": action.value, "allowed_actions": exc.allowed},
                    code="illegal_transition",
                ) from None
            change = self._change(session, principal, ticket, state, action, body, now)
            read_version = ticket.version
            values = {
                **change.updates,
                "state": change.to_state.value,
                "version": read_version + 1,
                "updated_at": now,
            }
            result = session.execute(
                update(Ticket)
                .where(Ticket.id == ticket.id, Ticket.version == read_version)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise Conflict(message("stale"), code="stale_version")
            for name, value in values.items():
                setattr(ticket, name, value)
            session.add(
                self._event(
                    principal,
                    ticket.id,
                    read_version + 1,
                    now,
                    action.value,
                    state,
                    change.to_state,
                    change.payload,
                )
            )
            if change.relink:
                self._relink(session, ticket)
            if change.followup is not None:
                session.add(change.followup)
        return self._view(principal, ticket, now)

    def _check_unit_relation(
        self, principal: Principal, ticket: Ticket, relation: UnitRelation | None
    ) -> None:
        if principal.role is not Role.UNIT or relation is None:
            return
        if relation is UnitRelation.LEAD and principal.unit != ticket.lead_unit:
            raise Forbidden("only the lead unit may do this")
        if relation is UnitRelation.CO and principal.unit not in ticket.co_handlers:
            raise Forbidden("only a co-handling unit may do this")

    def _change(
        self,
        session: Session,
        principal: Principal,
        ticket: Ticket,
        state: State,
        action: Action,
        body: ActionBody,
        now: datetime,
    ) -> Change:
        handlers: dict[Action, Callable[..., Change]] = {
            Action.DISPATCH: self._dispatch,
            Action.CONSULT: self._consult,
            Action.INFORM: self._inform,
            Action.ANSWER: self._answer,
            Action.TRANSFER: self._transfer,
            Action.CLOSE_DUPLICATE: self._close_duplicate,
            Action.ACCEPT: self._accept,
            Action.RETURN: self._return,
            Action.EXTEND: self._extend,
            Action.REPLY: self._reply,
            Action.REPORT: self._report,
            Action.REVIEW_RETURN: self._review_return,
            Action.ESCALATE: self._escalate,
            Action.FOLLOWUP: self._followup,
            Action.REOPEN: self._reopen,
            Action.CLOSE: self._close,
        }
        return handlers[action](
            session=session, principal=principal, ticket=ticket, state=state, body=body, now=now
        )

    def _deadline(self, tier: str, start: datetime) -> datetime:
        return start + timedelta(hours=self.workflow.hours_for(tier))

    def _unit_type(self, unit: str, given: str | None) -> str | None:
        """The unit's type from the catalogue; a type the caller gives must agree with it."""
        known = self.reference.unit_type(unit)
        if given is not None and known is not None and given != known:
            raise InvalidInput(message("unit_type_mismatch", given=given, known=known))
        return known or given

    def _dispatch(
        self, *, ticket: Ticket, state: State, body: DispatchBody, now: datetime, **_: Any
    ) -> Change:
        suggestion = ticket.suggestion
        route = suggestion.get("route") or {}
        suggested = ticket.suggested_unit
        unit = body.unit or suggested
        if unit is None:
            raise InvalidInput(message("no_unit"))
        overridden = body.unit is not None and body.unit != suggested
        if overridden and suggested is not None and not (body.reason and body.reason.strip()):
            raise InvalidInput(message("override_reason"))
        confirmed = unit == suggested
        copy_to = (
            body.copy_to
            if body.copy_to is not None
            else (list(route.get("copy_to") or []) if confirmed else [])
        )
        co_handlers = [name for name in dict.fromkeys(body.co_handlers) if name != unit]
        self.reference.check_units([unit, *copy_to, *co_handlers])
        copy_to = [
            name for name in dict.fromkeys([*copy_to, *self.reference.district_copy(unit)]) if name != unit
        ]
        category = body.category or ticket.category
        if category is not None:
            self.reference.check_category(category)
        tier = body.deadline_tier or (suggestion.get("deadline") or {}).get("tier") or "ordinary"
        if tier not in self.workflow.deadline_tiers:
            raise InvalidInput(message("deadline_tier"))
        unit_type = self._unit_type(unit, body.unit_type)
        decision = {
            "disposition": "dispatch",
            "unit": unit,
            "unit_type": unit_type,
            "copy_to": copy_to,
            "co_handlers": co_handlers,
            "category": category,
            "deadline_tier": tier,
            "suggested_unit": suggested,
            "overridden": overridden,
            "reason": body.reason,
        }
        deadline = self._deadline(tier, now)
        return Change(
            next_state(state, Action.DISPATCH),
            {
                "decision": decision,
                "lead_unit": unit,
                "lead_unit_type": unit_type,
                "copy_to": copy_to,
                "co_handlers": co_handlers,
                "category": category,
                "dispatch_round": 1,
                "deadline_tier": tier,
                "dispatched_at": now,
                "deadline_at": deadline,
            },
            {**decision, "dispatch_round": 1, "deadline_at": _iso(deadline)},
            relink=True,
        )

    def _consult(self, *, ticket: Ticket, state: State, body: ConsultBody, now: datetime, **_: Any) -> Change:
        if state is State.RECEIVED:
            if not body.units or body.outcome is not None:
                raise InvalidInput(message("consult_units"))
            units = list(dict.fromkeys(body.units))
            self.reference.check_units(units)
            consultation = {"units": units, "opened_at": _iso(now), "outcome": None, "closed_at": None}
            return Change(next_state(state, Action.CONSULT), {"consultation": consultation}, {"units": units})
        if body.outcome is None or body.units is not None:
            raise InvalidInput(message("consult_outcome"))
        consultation = {**(ticket.consultation or {}), "outcome": body.outcome, "closed_at": _iso(now)}
        return Change(
            next_state(state, Action.CONSULT), {"consultation": consultation}, {"outcome": body.outcome}
        )

    def _closing(
        self, state: State, action: Action, closure: str, decision: dict[str, Any], now: datetime
    ) -> Change:
        # Only undispatched tickets close this way: an online request's acceptance deadline ends here.
        return Change(
            next_state(state, action),
            {"decision": decision, "closure": closure, "closed_at": now, "deadline_at": None},
            dict(decision),
        )

    def _inform(self, *, state: State, body: InformBody, now: datetime, **_: Any) -> Change:
        decision = {"disposition": "legal_channel", "channel": body.channel, "notice": body.notice}
        return self._closing(state, Action.INFORM, "informed", decision, now)

    def _answer(self, *, state: State, body: AnswerBody, now: datetime, **_: Any) -> Change:
        decision = {"disposition": "answer_now", "answer": body.answer}
        return self._closing(state, Action.ANSWER, "answered", decision, now)

    def _transfer(self, *, state: State, body: TransferBody, now: datetime, **_: Any) -> Change:
        decision = {"disposition": "emergency", "emergency_number": body.number}
        return self._closing(state, Action.TRANSFER, "transferred", decision, now)

    def _close_duplicate(
        self,
        *,
        session: Session,
        ticket: Ticket,
        state: State,
        body: CloseDuplicateBody,
        now: datetime,
        **_: Any,
    ) -> Change:
        linked_id = body.linked_ticket_id
        linked = (
            session.get(Ticket, linked_id)
            if linked_id != ticket.id and TICKET_ID.fullmatch(linked_id)
            else None
        )
        if linked is None:
            raise InvalidInput(message("linked_ticket"))
        if linked.created_at > ticket.created_at:
            raise InvalidInput(message("linked_ticket_later"))
        if linked.closure == "duplicate":
            # Tickets created in one batch share a time; pointing at the original, never at another
            # duplicate, keeps two copies from closing each other with neither handled.
            raise InvalidInput(
                message("linked_ticket_duplicate"), {"original_ticket_id": linked.linked_ticket_id}
            )
        decision = {"disposition": "duplicate", "linked_ticket_id": body.linked_ticket_id}
        change = self._closing(state, Action.CLOSE_DUPLICATE, "duplicate", decision, now)
        change.updates["linked_ticket_id"] = body.linked_ticket_id
        return change

    def _accept(self, *, state: State, body: AcceptBody, **_: Any) -> Change:
        return Change(next_state(state, Action.ACCEPT), {}, {"note": body.note} if body.note else {})

    def _return(self, *, ticket: Ticket, state: State, body: ReturnBody, now: datetime, **_: Any) -> Change:
        settings = self.workflow.returns
        if body.reason_code not in settings.reason_codes:
            raise InvalidInput(message("reason_code"), {"reason_codes": settings.reason_codes})
        if settings.reason_required and not (body.reason and body.reason.strip()):
            raise InvalidInput(message("reason_required"))
        assert ticket.dispatched_at is not None  # set by every transition into dispatched
        window_end = add_working_days(ticket.dispatched_at, settings.window_working_days)
        if now > window_end:
            raise Conflict(
                message("return_window", days=settings.window_working_days),
                {"window_ends_at": _iso(window_end)},
                code="return_window_passed",
            )
        payload = {"unit": ticket.lead_unit, "reason_code": body.reason_code, "reason": body.reason}
        return Change(next_state(state, Action.RETURN), {}, payload)

    def _extend(self, *, ticket: Ticket, state: State, body: ExtendBody, **_: Any) -> Change:
        settings = self.workflow.extensions
        if ticket.extensions >= settings.max_extensions:
            raise Conflict(
                message("extension_count", limit=settings.max_extensions), code="extension_limit_reached"
            )
        if body.hours > settings.max_extension_hours:
            raise InvalidInput(message("extension_hours", limit=settings.max_extension_hours))
        if settings.reason_required and not (body.reason and body.reason.strip()):
            raise InvalidInput(message("reason_required"))
        assert ticket.deadline_at is not None
        deadline = ticket.deadline_at + timedelta(hours=body.hours)
        payload = {
            "hours": body.hours,
            "reason": body.reason,
            "notify_requester": settings.notify_requester,  # art. 15: the requester is told
            "deadline_at": _iso(deadline),
        }
        return Change(
            next_state(state, Action.EXTEND),
            {"deadline_at": deadline, "extensions": ticket.extensions + 1},
            payload,
        )

    def _reply(self, *, state: State, body: ReplyBody, now: datetime, **_: Any) -> Change:
        return Change(next_state(state, Action.REPLY), {"replied_at": now}, {"result": body.result})

    def _report(self, *, principal: Principal, state: State, body: ReportBody, **_: Any) -> Change:
        return Change(next_state(state, Action.REPORT), {}, {"unit": principal.unit, "report": body.report})

    def _review_return(
        self, *, ticket: Ticket, state: State, body: ReviewReturnBody, now: datetime, **_: Any
    ) -> Change:
        settings = self.workflow.returns
        uphold = body.decision == "uphold"
        payload: dict[str, Any] = {
            "decision": body.decision,
            "reason": body.reason,
            "returned_by": ticket.lead_unit,
        }
        if not uphold:  # back to the same unit; its deadline runs on
            if body.unit is not None:
                raise InvalidInput("a rejected return goes back to the same unit: give no unit")
            return Change(next_state(state, Action.REVIEW_RETURN, branch=State.DISPATCHED), {}, payload)
        if body.unit is None:
            raise InvalidInput(message("uphold_unit"))
        if body.unit == ticket.lead_unit:
            raise InvalidInput(message("same_unit"))
        self.reference.check_units([body.unit, *body.copy_to])
        outcome = review_return_outcome(True, ticket.dispatch_round, settings.max_dispatch_rounds)
        if outcome is State.COORDINATION:
            payload |= {
                "after_max_rounds": settings.after_max_rounds,
                "dispatch_round": ticket.dispatch_round,
            }
            updates: dict[str, Any] = {
                "lead_unit": None,
                "lead_unit_type": None,
                "copy_to": [],
                "co_handlers": [],
            }
            return Change(
                next_state(state, Action.REVIEW_RETURN, branch=outcome), updates, payload, relink=True
            )
        next_round = ticket.dispatch_round + 1
        unit_type = self._unit_type(body.unit, body.unit_type)
        copy_to = [*body.copy_to, *self.reference.district_copy(body.unit)]
        updates = {
            "lead_unit": body.unit,
            "lead_unit_type": unit_type,
            "copy_to": [name for name in dict.fromkeys(copy_to) if name != body.unit],
            "co_handlers": [],
            "dispatch_round": next_round,
            "dispatched_at": now,
        }
        if settings.deadline_restarts_on_redispatch and ticket.deadline_tier:
            updates["deadline_at"] = self._deadline(ticket.deadline_tier, now)
        payload |= {"unit": body.unit, "dispatch_round": next_round, "copy_to": updates["copy_to"]}
        if "deadline_at" in updates:
            payload["deadline_at"] = _iso(updates["deadline_at"])
        return Change(next_state(state, Action.REVIEW_RETURN, branch=outcome), updates, payload, relink=True)

    def _escalate(
        self, *, ticket: Ticket, state: State, body: EscalateBody, now: datetime, **_: Any
    ) -> Change:
        if body.unit == ticket.lead_unit:
            raise InvalidInput(message("same_unit"))
        self.reference.check_units([body.unit])
        unit_type = self._unit_type(body.unit, body.unit_type)
        if unit_type not in ESCALATION_TYPES[body.level]:
            raise InvalidInput(
                message("escalation_level", level=body.level),
                {"unit_type": unit_type, "allowed_unit_types": sorted(ESCALATION_TYPES[body.level])},
            )
        # The unit that could not resolve it stays on as a co-handler and reports to the new lead.
        co_handlers = [
            name
            for name in dict.fromkeys([*ticket.co_handlers, ticket.lead_unit or ""])
            if name and name != body.unit
        ]
        updates: dict[str, Any] = {
            "lead_unit": body.unit,
            "lead_unit_type": unit_type,
            "escalation_level": body.level,
            "co_handlers": co_handlers,
            "copy_to": [name for name in ticket.copy_to if name != body.unit],
            "dispatched_at": now,
        }
        tier = ticket.deadline_tier or "ordinary"
        if ticket.deadline_at is None or self.workflow.returns.deadline_restarts_on_redispatch:
            updates["deadline_at"] = self._deadline(tier, now)
            updates["deadline_tier"] = tier
        payload = {
            "level": body.level,
            "unit": body.unit,
            "reason": body.reason,
            "previous_unit": ticket.lead_unit,
        }
        return Change(next_state(state, Action.ESCALATE), updates, payload, relink=True)

    def _followup(
        self,
        *,
        principal: Principal,
        ticket: Ticket,
        state: State,
        body: FollowupBody,
        now: datetime,
        **_: Any,
    ) -> Change:
        levels = self.workflow.followup.satisfaction_levels
        if body.satisfaction is not None and body.satisfaction not in levels:
            raise InvalidInput(message("satisfaction_level"), {"levels": levels})
        if not body.contacted and (body.resolved or body.satisfaction is not None):
            raise InvalidInput(message("followup_not_contacted"))
        result = {
            "contacted": body.contacted,
            "resolved": body.resolved,
            "satisfaction": body.satisfaction,
            "valid": body.valid,
            "at": _iso(now),
            "unit": ticket.lead_unit,
        }
        outcome = followup_outcome(body.resolved)
        updates: dict[str, Any] = {"followup": result}
        if outcome is State.CLOSED:
            updates |= {"closure": "resolved", "closed_at": now}
        row = FollowUp(
            ticket_id=ticket.id,
            at=now,
            unit=ticket.lead_unit or "",
            unit_type=ticket.lead_unit_type,
            contacted=body.contacted,
            resolved=body.resolved,
            satisfaction=body.satisfaction,
            valid=body.valid,
        )
        payload = {**result, "note": body.note}
        return Change(next_state(state, Action.FOLLOWUP, branch=outcome), updates, payload, followup=row)

    def _reopen(self, *, ticket: Ticket, state: State, body: ReopenBody, now: datetime, **_: Any) -> Change:
        deadline = self._deadline(ticket.deadline_tier or "ordinary", now)
        updates = {"dispatched_at": now, "deadline_at": deadline, "replied_at": None, "closure": None}
        payload = {"reason": body.reason, "unit": ticket.lead_unit, "deadline_at": _iso(deadline)}
        return Change(next_state(state, Action.REOPEN), updates, payload)

    def _close(self, *, state: State, body: CloseBody, now: datetime, **_: Any) -> Change:
        return Change(
            next_state(state, Action.CLOSE),
            {"closure": "closed_unresolved", "closed_at": now},
            {"reason": body.reason},
        )

    # --- queries --------------------------------------------------------------------------------------
    def get(self, principal: Principal, ticket_id: str) -> TicketDetail:
        with self.db.read() as session:
            ticket = self._load_visible(session, principal, ticket_id)
            events = session.scalars(
                select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.version)
            ).all()
            view = self._view(principal, ticket, self.clock())
            return TicketDetail(
                **view.model_dump(),
                events=[EventOut.model_validate(event, from_attributes=True) for event in events],
            )

    def list(
        self, principal: Principal, filters: TicketFilter, cursor: str | None = None, limit: int | None = None
    ) -> TicketPage:
        now = self.clock()
        conditions: list[ColumnElement[bool]] = []
        if principal.role is Role.UNIT:
            conditions.append(_with_unit(principal.unit or ""))
        if filters.state is not None:
            conditions.append(Ticket.state == filters.state)
        if filters.unit is not None:
            self.reference.check_units([filters.unit])
            conditions.append(_with_unit(filters.unit))
        if filters.district is not None:
            conditions.append(Ticket.district == self.reference.district(filters.district))
        if filters.category is not None:
            self.reference.check_category(filters.category)
            conditions.append(Ticket.category == filters.category)
        check_dates(*(moment.date() for moment in (filters.created_from, filters.created_to) if moment))
        if filters.created_from and filters.created_to and filters.created_from > filters.created_to:
            raise InvalidInput(message("date_range"))
        if filters.overdue:
            conditions += [Ticket.deadline_at < now, Ticket.state.in_([s.value for s in CLOCK_RUNNING])]
        if filters.followup_due:
            due_by = now - timedelta(hours=self.workflow.followup.after_deadline_hours)
            conditions += [Ticket.state == State.REPLIED.value, Ticket.deadline_at <= due_by]
        if filters.created_from is not None:
            conditions.append(Ticket.created_at >= filters.created_from)
        if filters.created_to is not None:
            conditions.append(Ticket.created_at <= filters.created_to)
        return self._page(principal, conditions, cursor, limit, now)

    def inbox(
        self, principal: Principal, unit: str, cursor: str | None = None, limit: int | None = None
    ) -> TicketPage:
        """Tickets with `unit` now (lead, co-handler or copied). A unit key sees only its own inbox."""
        if not self.reference.is_unit(unit) or (principal.role is Role.UNIT and principal.unit != unit):
            raise NotFound(message("unit_not_found"))
        return self._page(principal, [_with_unit(unit)], cursor, limit, self.clock())

    def _page(
        self,
        principal: Principal,
        conditions: Sequence[ColumnElement[bool]],
        cursor: str | None,
        limit: int | None,
        now: datetime,
    ) -> TicketPage:
        size = min(limit or self.page_size, MAX_PAGE)
        query = select(Ticket).where(*conditions)
        if cursor:
            after_at, after_id = _decode_cursor(cursor)
            query = query.where(
                or_(Ticket.created_at > after_at, and_(Ticket.created_at == after_at, Ticket.id > after_id))
            )
        query = query.order_by(Ticket.created_at, Ticket.id).limit(size + 1)
        with self.db.read() as session:
            rows = session.scalars(query).all()
        items = [self._view(principal, ticket, now) for ticket in rows[:size]]
        next_cursor = _encode_cursor(rows[size - 1]) if len(rows) > size else None
        return TicketPage(items=items, next_cursor=next_cursor)

    def rates(
        self, principal: Principal, date_from: date | None, date_to: date | None, unit: str | None
    ) -> RatesOut:
        """The three rates per unit and assessment period over follow-ups between the two dates
        (Beijing dates, inclusive; default: the current period up to today)."""
        settings = self.workflow.rates
        start, end = self._period(date_from, date_to)
        if principal.role is Role.UNIT:
            if unit is not None and unit != principal.unit:
                raise NotFound(message("unit_not_found"))
            unit = principal.unit
        elif unit is not None and not self.reference.is_unit(unit):
            raise NotFound(message("unit_not_found"))
        since, until = _local_day_bounds(start, end)
        query = select(FollowUp).where(FollowUp.at >= since, FollowUp.at < until)
        if unit is not None:
            query = query.where(FollowUp.unit == unit)
        groups: dict[tuple[date, str], RateCounts] = {}
        with self.db.read() as session:
            for row in session.scalars(query):
                period = cycle_of(row.at.astimezone(BEIJING_TZ).date(), settings.cycle.start_day)[0]
                counts = groups.setdefault((period, row.unit), RateCounts())
                counts.add(
                    valid=row.valid,
                    contacted=row.contacted,
                    resolved=row.resolved,
                    satisfaction=row.satisfaction,
                )
        rows = []
        for (period, unit_name), counts in sorted(groups.items()):
            period_end = cycle_of(period, settings.cycle.start_day)[1]
            rows.append(
                RateRow(
                    unit=unit_name,
                    period_start=period.isoformat(),
                    period_end=period_end.isoformat(),
                    **compute_rates(counts, settings.satisfaction_weights, settings.overall_weights),
                )
            )
        return RatesOut(
            from_date=start.isoformat(),
            to_date=end.isoformat(),
            cycle_start_day=settings.cycle.start_day,
            cycle=settings.cycle.description,
            formula=FORMULA,
            satisfaction_weights=settings.satisfaction_weights,
            overall_weights=settings.overall_weights,
            rows=rows,
        )

    def _period(self, date_from: date | None, date_to: date | None) -> tuple[date, date]:
        """Checked Beijing dates, inclusive; by default the current assessment period up to today."""
        check_dates(date_from, date_to)
        today = self.clock().astimezone(BEIJING_TZ).date()
        start = date_from or cycle_of(date_to or today, self.workflow.rates.cycle.start_day)[0]
        end = date_to or today
        if start > end:
            raise InvalidInput(message("date_range"))
        return start, end

    def dispatch_audit(self, date_from: date | None, date_to: date | None) -> DispatchAuditOut:
        """Mis-dispatch figures (jiesu.evaluation.audit) over the events between two Beijing dates,
        inclusive; default: the current assessment period up to today."""
        start, end = self._period(date_from, date_to)
        since, until = _local_day_bounds(start, end)
        query = (
            select(TicketEvent.ticket_id, TicketEvent.action, TicketEvent.payload)
            .where(TicketEvent.action.in_(AUDITED_ACTIONS), TicketEvent.at >= since, TicketEvent.at < until)
            .order_by(TicketEvent.at, TicketEvent.id)
        )
        with self.db.read() as session:
            events = [row._asdict() for row in session.execute(query)]
        audit = dispatch_audit(events)
        return DispatchAuditOut.model_validate(
            {"from_date": start.isoformat(), "to_date": end.isoformat(), **audit}
        )

    # --- helpers --------------------------------------------------------------------------------------
    def _load_visible(self, session: Session, principal: Principal, ticket_id: str) -> Ticket:
        ticket = session.get(Ticket, ticket_id) if TICKET_ID.fullmatch(ticket_id) else None
        if ticket is None:
            raise NotFound(message("ticket_not_found"))
        if principal.role is Role.UNIT:
            # Another unit's ticket is "not found", not "forbidden": its existence is not disclosed.
            visible = session.scalar(
                select(exists().where(TicketUnit.ticket_id == ticket.id, TicketUnit.unit == principal.unit))
            )
            if not visible:
                raise NotFound(message("ticket_not_found"))
        return ticket

    @staticmethod
    def _relink(session: Session, ticket: Ticket) -> None:
        session.execute(delete(TicketUnit).where(TicketUnit.ticket_id == ticket.id))
        links = {(ticket.lead_unit, "lead")} if ticket.lead_unit else set()
        links |= {(unit, "co") for unit in ticket.co_handlers}
        links |= {(unit, "copy") for unit in ticket.copy_to}
        session.add_all(
            TicketUnit(ticket_id=ticket.id, unit=unit, relation=relation) for unit, relation in sorted(links)
        )

    @staticmethod
    def _event(
        principal: Principal,
        ticket_id: str,
        version: int,
        at: datetime,
        action: str,
        from_state: State | None,
        to_state: State,
        payload: dict[str, Any],
    ) -> TicketEvent:
        return TicketEvent(
            ticket_id=ticket_id,
            version=version,
            at=at,
            actor_key_id=principal.key_id,
            actor_role=principal.role.value,
            actor_unit=principal.unit,
            action=action,
            from_state=from_state.value if from_state else None,
            to_state=to_state.value,
            payload=payload,
        )

    def _followup_due_at(self, ticket: Ticket) -> datetime | None:
        """When the hotline calls the requester back: the deadline plus the setting (art. 23)."""
        if ticket.state != State.REPLIED.value or ticket.deadline_at is None:
            return None
        return ticket.deadline_at + timedelta(hours=self.workflow.followup.after_deadline_hours)

    def _view(self, principal: Principal, ticket: Ticket, now: datetime) -> TicketOut:
        clear = sees_caller(principal, ticket.lead_unit, ticket.co_handlers)
        return TicketOut(
            id=ticket.id,
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
            version=ticket.version,
            state=ticket.state,
            allowed_actions=allowed_actions(State(ticket.state)),
            overdue=is_overdue(ticket.state, ticket.deadline_at, now),
            # Numbers the caller wrote into the request are caller details too.
            text=ticket.text if clear else mask_contact_details(ticket.text),
            intake_channel=ticket.intake_channel,
            caller_phone=ticket.caller_phone if clear else mask_phone(ticket.caller_phone),
            caller_name=ticket.caller_name if clear else mask_name(ticket.caller_name),
            caller_masked=not clear,
            caller_district=ticket.caller_district,
            district=ticket.district,
            category=ticket.category,
            model_id=ticket.model_id,
            suggestion=ticket.suggestion,
            suggested_unit=ticket.suggested_unit,
            decision=ticket.decision,
            lead_unit=ticket.lead_unit,
            lead_unit_type=ticket.lead_unit_type,
            copy_to=list(ticket.copy_to),
            co_handlers=list(ticket.co_handlers),
            dispatch_round=ticket.dispatch_round,
            escalation_level=ticket.escalation_level,
            deadline_tier=ticket.deadline_tier,
            dispatched_at=ticket.dispatched_at,
            deadline_at=ticket.deadline_at,
            followup_due_at=self._followup_due_at(ticket),
            extensions=ticket.extensions,
            consultation=ticket.consultation,
            followup=ticket.followup,
            closure=ticket.closure,
            linked_ticket_id=ticket.linked_ticket_id,
            replied_at=ticket.replied_at,
            closed_at=ticket.closed_at,
        )


_TICKETS = Base.metadata.tables[Ticket.__tablename__]
_EVENTS = Base.metadata.tables[TicketEvent.__tablename__]
_TICKET_COLUMNS = tuple(column.key for column in _TICKETS.columns)
_EVENT_COLUMNS = tuple(column.key for column in _EVENTS.columns if column.key != "id")


def _row(instance: Ticket | TicketEvent, columns: tuple[str, ...]) -> dict[str, Any]:
    return {column: getattr(instance, column) for column in columns}


def _with_unit(unit: str) -> ColumnElement[bool]:
    return exists().where(TicketUnit.ticket_id == Ticket.id, TicketUnit.unit == unit)


def _encode_cursor(ticket: Ticket) -> str:
    raw = json.dumps([_iso(ticket.created_at), ticket.id]).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, ticket_id = json.loads(raw)
        at = datetime.fromisoformat(created_at)
        if at.tzinfo is None or not isinstance(ticket_id, str) or not TICKET_ID.fullmatch(ticket_id):
            raise ValueError("bad cursor")
        if not EARLIEST_DATE <= at.date() <= LATEST_DATE:
            raise ValueError("cursor time out of range")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(message("cursor")) from None
    return at, ticket_id


@dataclass(frozen=True)
class _CachedKey:
    principal: Principal
    expires_at: datetime | None
    fetched_at: datetime


class KeyService:
    """API keys. Authenticated keys are remembered for `cache_seconds` so that a request does not cost
    a database read; a revocation in this process takes effect at once, one made elsewhere (another
    worker, `jiesu keys revoke`) within `cache_seconds`; expiry is checked on every request."""

    def __init__(
        self, database: Database, reference: Reference, *, clock: Clock = utcnow, cache_seconds: float = 5.0
    ) -> None:
        self.db = database
        self.reference = reference
        self.clock = clock
        self.cache_seconds = cache_seconds
        self._cache: dict[str, _CachedKey] = {}
        self._lookups: dict[str, asyncio.Future[Principal]] = {}  # key hash → lookup in flight

    def create(self, body: KeyCreate) -> KeyCreated:
        if (body.role is Role.UNIT) != (body.unit is not None):
            raise InvalidInput(message("unit_key_needs_unit"))
        if body.unit is not None:
            self.reference.check_units([body.unit])
        secret = new_secret()
        now = self.clock()
        row = ApiKey(
            id=str(uuid.uuid4()),
            prefix=key_prefix(secret),
            key_hash=hash_secret(secret),
            role=body.role.value,
            unit=body.unit,
            name=body.name,
            created_at=now,
            expires_at=now + timedelta(days=body.expires_days) if body.expires_days else None,
            revoked_at=None,
        )
        with self.db.write() as session:
            session.add(row)
        return KeyCreated(**self._out(row, now).model_dump(), key=secret)

    def list(self) -> list[KeyOut]:
        now = self.clock()
        with self.db.read() as session:
            return [
                self._out(row, now)
                for row in session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id))
            ]

    def revoke(self, key_id: str) -> KeyOut:
        now = self.clock()
        with self.db.write() as session:
            row = session.get(ApiKey, key_id)
            if row is None:
                raise NotFound(message("key_not_found"))
            if row.revoked_at is None:
                row.revoked_at = now
            self._cache = {h: entry for h, entry in self._cache.items() if entry.principal.key_id != key_id}
            return self._out(row, now)

    def cached(self, secret: str | None) -> Principal | None:
        """The principal of a key authenticated within `cache_seconds` and not expired since; else None."""
        if not secret:
            return None
        entry = self._cache.get(hash_secret(secret))
        now = self.clock()
        if entry is None or (now - entry.fetched_at).total_seconds() > self.cache_seconds:
            return None
        if entry.expires_at is not None and entry.expires_at <= now:
            return None
        return entry.principal

    async def authenticate_async(self, secret: str | None) -> Principal:
        """As `authenticate`, from the event loop. Concurrent requests with a key that is not cached
        (at start, or when its cache entry lapses under load) share one database lookup instead of
        each sending their own through the threadpool."""
        principal = self.cached(secret)
        if principal is not None:
            return principal
        if not secret:
            raise Unauthorized(message("missing_key"))
        key_hash = hash_secret(secret)
        lookup = self._lookups.get(key_hash)
        if lookup is None:
            lookup = asyncio.ensure_future(anyio.to_thread.run_sync(self.authenticate, secret))
            self._lookups[key_hash] = lookup
            lookup.add_done_callback(lambda _: self._lookups.pop(key_hash, None))
        return await asyncio.shield(lookup)  # a caller that goes away does not cancel the others' lookup

    def authenticate(self, secret: str | None) -> Principal:
        if not secret:
            raise Unauthorized(message("missing_key"))
        now = self.clock()
        key_hash = hash_secret(secret)
        with self.db.read() as session:
            row = session.scalars(select(ApiKey).where(ApiKey.key_hash == key_hash)).one_or_none()
        if row is None or not self._active(row, now):
            self._cache.pop(key_hash, None)
            raise Unauthorized(message("bad_key"))
        principal = Principal(key_id=row.id, role=Role(row.role), unit=row.unit, name=row.name)
        if self.cache_seconds > 0:
            if len(self._cache) > 10_000:  # bounded: forget everything rather than grow
                self._cache.clear()
            self._cache[key_hash] = _CachedKey(principal, row.expires_at, now)
        return principal

    @staticmethod
    def _active(row: ApiKey, now: datetime) -> bool:
        return row.revoked_at is None and (row.expires_at is None or row.expires_at > now)

    def _out(self, row: ApiKey, now: datetime) -> KeyOut:
        return KeyOut(
            id=row.id,
            prefix=row.prefix,
            role=row.role,
            unit=row.unit,
            name=row.name,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            active=self._active(row, now),
        )


class SuggestService:
    """Stateless suggestions (POST /v1/suggest) from the app's one Suggester. Concurrent HTTP calls are
    coalesced into batches (`batching.Batcher`): the classifier is much cheaper per text in a batch."""

    def __init__(self, suggester: Suggester, reference: Reference) -> None:
        self.suggester = suggester
        self.reference = reference
        self.batcher: Batcher[SuggestionRequest, dict[str, Any]] = Batcher(suggester.suggest_many)

    def prepare(
        self, items: Sequence[SuggestItem], *, max_text_chars: int, max_batch: int
    ) -> list[SuggestionRequest]:
        """Validate a call: batch size, text length, caller district (422 on any problem)."""
        if len(items) > max_batch:
            raise InvalidInput(message("batch_too_large", limit=max_batch), {"max_batch": max_batch})
        requests = []
        for item in items:
            check_text(item.text, max_text_chars)
            district = self.reference.district(item.caller_district)
            requests.append(SuggestionRequest(text=item.text, id=item.id, caller_district=district))
        return requests

    def suggest(
        self, items: Sequence[SuggestItem], *, max_text_chars: int, max_batch: int
    ) -> list[dict[str, Any]]:
        return self.suggester.suggest_many(
            self.prepare(items, max_text_chars=max_text_chars, max_batch=max_batch)
        )

    async def suggest_async(
        self, items: Sequence[SuggestItem], *, max_text_chars: int, max_batch: int
    ) -> list[dict[str, Any]]:
        """As `suggest`, from the event loop: the work runs in the threadpool, batched with other calls."""
        requests = self.prepare(items, max_text_chars=max_text_chars, max_batch=max_batch)
        return await self.batcher.submit(requests)
