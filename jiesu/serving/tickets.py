"""The ticket service the HTTP handlers call (and tests call directly): intake (jiesu.serving.intake),
workflow actions, queries, the three rates and the dispatch audit. One database transaction per call;
every change to a ticket is an optimistic `UPDATE … WHERE id = :id AND version = :v` plus one appended
event, in that same transaction, so a concurrent change is refused (409), never lost. What an action does
is decided by the workflow package (jiesu.workflow.actions), without I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from jiesu.data.workflow_settings import WorkflowSettings
from jiesu.serving.clock import Clock, utcnow
from jiesu.serving.db import Database
from jiesu.serving.intake import CreateOutcome, Intake, SuggestManyFn, TicketIntake
from jiesu.serving.orm import Base, FollowUp, Ticket, TicketEvent, TicketUnit
from jiesu.serving.schemas import (
    DispatchAuditOut,
    RateRow,
    RatesOut,
    TicketCreate,
    TicketDetail,
    TicketOut,
    TicketPage,
)
from jiesu.serving.ticket_queries import (
    MAX_PAGE,
    TicketFilter,
    check_dates,
    check_visible,
    decode_cursor,
    encode_cursor,
    load_visible,
    local_day_bounds,
    with_unit,
)
from jiesu.serving.views import event_view, new_event, ticket_view
from jiesu.workflow.actions import decide
from jiesu.workflow.actors import Principal
from jiesu.workflow.audit import AUDITED_ACTIONS, dispatch_audit
from jiesu.workflow.bodies import TICKET_ID, ActionBody, CloseDuplicateBody
from jiesu.workflow.errors import Conflict, InvalidInput, Messages, NotFound, message
from jiesu.workflow.payloads import PreviousDecision
from jiesu.workflow.rates import FORMULA, RateCounts, compute_rates
from jiesu.workflow.records import Rules, rejected_return
from jiesu.workflow.reference import Reference
from jiesu.workflow.states import BEIJING_TZ, CLOCK_RUNNING, Action, Role, State, cycle_of

__all__ = ["Intake", "TicketFilter", "TicketService"]


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
        self.page_size = page_size
        self.clock = clock
        self.intake = TicketIntake(
            database,
            workflow,
            reference,
            suggest_many,
            self.view,
            max_text_chars=max_text_chars,
            clock=lambda: self.clock(),  # tests move the clock by replacing it
        )

    # --- intake ---------------------------------------------------------------------------------------
    def create(
        self, principal: Principal, body: TicketCreate, idempotency_key: str | None
    ) -> tuple[TicketOut, bool]:
        """Create a ticket; (ticket, True). A retry with the same Idempotency-Key returns the ticket
        already created, (ticket, False), also when the two calls race: the unique key decides."""
        return self.intake.create(principal, body, idempotency_key)

    def create_many(self, intakes: Sequence[Intake]) -> list[CreateOutcome]:
        return self.intake.create_many(intakes)

    async def create_async(
        self, principal: Principal, body: TicketCreate, idempotency_key: str | None
    ) -> tuple[TicketOut, bool]:
        return await self.intake.create_async(principal, body, idempotency_key)

    # --- actions --------------------------------------------------------------------------------------
    def act(self, principal: Principal, ticket_id: str, action: Action, body: ActionBody) -> TicketOut:
        """Apply one workflow action in one transaction; 404 when the key cannot see the ticket, 403 for
        the wrong role or unit, 409 for a stale version or an action the state does not allow."""
        now = self.clock()
        with self.db.write() as session:
            ticket = self.apply(session, principal, ticket_id, action, body, now)
        return self.view(principal, ticket, now)

    def apply(
        self,
        session: Session,
        principal: Principal,
        ticket_id: str,
        action: Action,
        body: ActionBody,
        now: datetime,
        *,
        loaded: Ticket | None = None,
    ) -> Ticket:
        """`act` inside the caller's write transaction, at `now`; the changed row (not yet viewed). A
        simulated history (jiesu.demo) applies many actions per transaction through it. `loaded`: the
        row as this caller's last `apply` returned it, instead of reading it again (the versioned UPDATE
        still refuses the change if it is stale; a unit key's access is still checked). The writes are
        Core statements: the ORM's unit of work cost more than they do."""
        _lock_linked_pair(session, ticket_id, body)
        if loaded is not None and loaded.id == ticket_id:
            ticket = loaded
            check_visible(session, principal, ticket)
        else:
            ticket = load_visible(session, principal, ticket_id)
            session.expunge(ticket)  # changed below by an explicit versioned UPDATE, not by the ORM
        from_state = State(ticket.state)
        rules = Rules(
            self.workflow,
            self.reference,
            now,
            linked=_linked(session, ticket, body),
            rejected_return=_rejected_return(session, ticket, action),
        )
        change = decide(action, ticket, body, principal, rules)
        read_version = ticket.version
        values = {
            **change.updates,
            "state": change.to_state.value,
            "version": read_version + 1,
            "updated_at": now,
        }
        connection = session.connection()
        result = connection.execute(
            update(_TICKETS)
            .where(_TICKETS.c.id == ticket.id, _TICKETS.c.version == read_version)
            .values(**values)
        )
        if result.rowcount != 1:
            raise Conflict(message(Messages.stale), code="stale_version")
        for name, value in values.items():
            setattr(ticket, name, value)
        event = new_event(
            principal,
            ticket.id,
            read_version + 1,
            now,
            action.value,
            from_state,
            change.to_state,
            change.event_payload,
        )
        connection.execute(insert(_EVENTS), {column: getattr(event, column) for column in _EVENT_COLUMNS})
        if change.relink:
            _relink(session, ticket)
        if change.followup is not None:
            connection.execute(insert(_FOLLOWUPS), vars(change.followup))
        return ticket

    # --- views and queries ----------------------------------------------------------------------------
    def view(self, principal: Principal, ticket: Ticket, now: datetime) -> TicketOut:
        return ticket_view(principal, ticket, now, self.workflow.followup.after_deadline_hours)

    def get(self, principal: Principal, ticket_id: str) -> TicketDetail:
        with self.db.read() as session:
            ticket = load_visible(session, principal, ticket_id)
            events = session.scalars(
                select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.version)
            ).all()
            view = self.view(principal, ticket, self.clock())
            clear = not view.caller_masked
            return TicketDetail(**view.model_dump(), events=[event_view(clear, event) for event in events])

    def list(
        self, principal: Principal, filters: TicketFilter, cursor: str | None = None, limit: int | None = None
    ) -> TicketPage:
        now = self.clock()
        conditions: list[ColumnElement[bool]] = []
        if principal.role is Role.UNIT:
            conditions.append(with_unit(principal.unit or ""))
        if filters.state is not None:
            conditions.append(Ticket.state == filters.state)
        if filters.unit is not None:
            self.reference.check_units([filters.unit])
            conditions.append(with_unit(filters.unit))
        if filters.district is not None:
            conditions.append(Ticket.district == self.reference.district(filters.district))
        if filters.category is not None:
            self.reference.check_category(filters.category)
            conditions.append(Ticket.category == filters.category)
        check_dates(*(moment.date() for moment in (filters.created_from, filters.created_to) if moment))
        if filters.created_from and filters.created_to and filters.created_from > filters.created_to:
            raise InvalidInput(message(Messages.date_range))
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
            raise NotFound(message(Messages.unit_not_found))
        return self._page(principal, [with_unit(unit)], cursor, limit, self.clock())

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
            after_at, after_id = decode_cursor(cursor)
            query = query.where(
                or_(Ticket.created_at > after_at, and_(Ticket.created_at == after_at, Ticket.id > after_id))
            )
        query = query.order_by(Ticket.created_at, Ticket.id).limit(size + 1)
        with self.db.read() as session:
            rows = session.scalars(query).all()
        items = [self.view(principal, ticket, now) for ticket in rows[:size]]
        next_cursor = encode_cursor(rows[size - 1]) if len(rows) > size else None
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
                raise NotFound(message(Messages.unit_not_found))
            unit = principal.unit
        elif unit is not None and not self.reference.is_unit(unit):
            raise NotFound(message(Messages.unit_not_found))
        since, until = local_day_bounds(start, end)
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
            raise InvalidInput(message(Messages.date_range))
        return start, end

    def dispatch_audit(self, date_from: date | None, date_to: date | None) -> DispatchAuditOut:
        """Mis-dispatch figures (jiesu.workflow.audit) over the events between two Beijing dates,
        inclusive; default: the current assessment period up to today."""
        start, end = self._period(date_from, date_to)
        since, until = local_day_bounds(start, end)
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


def _lock_linked_pair(session: Session, ticket_id: str, body: ActionBody) -> None:
    """A close-duplicate reads the linked ticket to refuse a link to another duplicate. Two links made at
    once in opposite directions (A → B, B → A) would each read the other still open and close both, so
    both rows are locked first, in id order (no deadlock), and the second link reads the first one's result.
    (SQLite has one writer at a time already and takes no row locks.)"""
    if not isinstance(body, CloseDuplicateBody) or not TICKET_ID.fullmatch(body.linked_ticket_id):
        return
    pair = sorted({ticket_id, body.linked_ticket_id})
    session.execute(select(Ticket.id).where(Ticket.id.in_(pair)).order_by(Ticket.id).with_for_update())


def _linked(session: Session, ticket: Ticket, body: ActionBody) -> Ticket | None:
    """The ticket a close-duplicate names, when it is another existing ticket."""
    if not isinstance(body, CloseDuplicateBody):
        return None
    linked_id = body.linked_ticket_id
    if linked_id == ticket.id or not TICKET_ID.fullmatch(linked_id):
        return None
    return session.get(Ticket, linked_id)


def _rejected_return(session: Session, ticket: Ticket, action: Action) -> PreviousDecision | None:
    """A return: the reviewer's rejection of an earlier return in this dispatch round, read from the
    ticket's events (read in this transaction; the versioned UPDATE refuses the change if one was added
    since)."""
    if action is not Action.RETURN:
        return None
    events = session.scalars(
        select(TicketEvent)
        .where(
            TicketEvent.ticket_id == ticket.id,
            TicketEvent.action.in_([Action.DISPATCH, Action.REVIEW_RETURN, Action.ESCALATE]),
        )
        .order_by(TicketEvent.version)
    ).all()
    return rejected_return(events)


_TICKETS = Base.metadata.tables[Ticket.__tablename__]
_EVENTS = Base.metadata.tables[TicketEvent.__tablename__]
_EVENT_COLUMNS = tuple(column.key for column in _EVENTS.columns if column.key != "id")
_FOLLOWUPS = Base.metadata.tables[FollowUp.__tablename__]
_UNITS = Base.metadata.tables[TicketUnit.__tablename__]


def _relink(session: Session, ticket: Ticket) -> None:
    connection = session.connection()
    connection.execute(delete(_UNITS).where(_UNITS.c.ticket_id == ticket.id))
    links = {(ticket.lead_unit, "lead")} if ticket.lead_unit else set()
    links |= {(unit, "co") for unit in ticket.co_handlers}
    links |= {(unit, "copy") for unit in ticket.copy_to}
    if links:
        connection.execute(
            insert(_UNITS),
            [
                {"ticket_id": ticket.id, "unit": unit, "relation": relation}
                for unit, relation in sorted(links)
            ],
        )
