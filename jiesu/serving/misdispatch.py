"""The mis-dispatch audit's database side: one row of facts per ticket created in the period, read with
SQL aggregates over its events (one GROUP BY over the events of those tickets, joined to the tickets);
the grouping and the statistics are jiesu.workflow.misdispatch's. Reads no request text, no caller data
and no free-text note: names, codes, states and times only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from jiesu.serving.audit_schemas import MisdispatchAuditOut
from jiesu.serving.db import Database
from jiesu.serving.orm import ApiKey, Ticket, TicketEvent
from jiesu.serving.ticket_queries import check_dates, local_day_bounds
from jiesu.workflow.errors import InvalidInput, Messages, message
from jiesu.workflow.misdispatch import GroupBy, TicketFacts, audit
from jiesu.workflow.states import Action

_READ = [Action.DISPATCH, Action.RETURN, Action.REVIEW_RETURN, Action.ESCALATE, Action.ACCEPT]


def _json(column: Any, key: str) -> Any:
    return type_coerce(column, JSON)[key]


def ticket_facts(session: Session, since: datetime, until: datetime) -> list[TicketFacts]:
    """The facts of every ticket created in [since, until)."""
    event, ticket = TicketEvent, Ticket
    first_unit = _json(ticket.decision, "unit").as_string()
    is_action = {action: event.action == action.value for action in _READ}
    # The events that give the ticket a (new) lead unit: the dispatch, an upheld return, an escalation.
    sent_to_a_unit = or_(
        is_action[Action.DISPATCH],
        is_action[Action.ESCALATE],
        and_(is_action[Action.REVIEW_RETURN], _json(event.payload, "decision").as_string() == "uphold"),
    )
    per_ticket = (
        select(
            event.ticket_id.label("ticket_id"),
            func.min(case((is_action[Action.DISPATCH], event.at))).label("first_dispatch_at"),
            func.max(case((is_action[Action.DISPATCH], event.actor_key_id))).label("operator"),
            func.max(
                case(
                    (
                        and_(
                            is_action[Action.RETURN], _json(event.payload, "unit").as_string() == first_unit
                        ),
                        1,
                    ),
                    else_=0,
                )
            ).label("returned_by_first"),
            func.max(
                case(
                    (
                        and_(
                            is_action[Action.REVIEW_RETURN],
                            _json(event.payload, "decision").as_string() == "uphold",
                            _json(event.payload, "returned_by").as_string() == first_unit,
                        ),
                        1,
                    ),
                    else_=0,
                )
            ).label("upheld_first"),
            func.sum(case((is_action[Action.ESCALATE], 1), else_=0)).label("escalations"),
            func.max(case((sent_to_a_unit, event.version))).label("last_sent_version"),
        )
        .join(ticket, ticket.id == event.ticket_id)
        .where(
            ticket.created_at >= since, ticket.created_at < until, event.action.in_([a.value for a in _READ])
        )
        .group_by(event.ticket_id)
        .cte("per_ticket")
    )
    # The final unit's acceptance: its first after the ticket was last sent to a unit (a re-acceptance
    # after a reopening or a rejected return is not when the ticket reached the unit that handled it).
    accepted = (
        select(event.ticket_id.label("ticket_id"), func.min(event.at).label("final_accept_at"))
        .join(per_ticket, per_ticket.c.ticket_id == event.ticket_id)
        .where(event.action == Action.ACCEPT.value, event.version > per_ticket.c.last_sent_version)
        .group_by(event.ticket_id)
        .subquery()
    )
    query = (
        select(
            ticket.state,
            ticket.model_id,
            ticket.category,
            ticket.district,
            ticket.suggested_unit,
            _json(ticket.decision, "disposition").as_string().label("disposition"),
            first_unit.label("first_unit"),
            _json(ticket.decision, "overridden").as_boolean().label("overridden"),
            ticket.lead_unit,
            ticket.dispatch_round,
            _json(ticket.consultation, "units").label("consulted_units"),
            _json(ticket.consultation, "closed_at").as_string().label("consultation_closed_at"),
            per_ticket.c.first_dispatch_at,
            per_ticket.c.operator,
            per_ticket.c.returned_by_first,
            per_ticket.c.upheld_first,
            per_ticket.c.escalations,
            accepted.c.final_accept_at,
        )
        .outerjoin(per_ticket, per_ticket.c.ticket_id == ticket.id)
        .outerjoin(accepted, accepted.c.ticket_id == ticket.id)
        .where(ticket.created_at >= since, ticket.created_at < until)
    )
    names: dict[str, str | None] = {
        row.id: row.name for row in session.execute(select(ApiKey.id, ApiKey.name))
    }
    facts = []
    for row in session.execute(query):
        dispatched = row.disposition == "dispatch"
        facts.append(
            TicketFacts(
                state=row.state,
                model_id=row.model_id,
                category=row.category,
                district=row.district,
                suggested_unit=row.suggested_unit,
                disposition=row.disposition,
                first_unit=row.first_unit if dispatched else None,
                overridden=bool(row.overridden),
                operator=(names.get(row.operator) or row.operator) if row.operator else None,
                first_dispatch_at=row.first_dispatch_at,
                final_unit=row.lead_unit,
                returned_by_first=bool(row.returned_by_first),
                upheld_first=bool(row.upheld_first),
                rounds=(row.dispatch_round or 0) + int(row.escalations or 0),
                final_accept_at=row.final_accept_at,
                consulted_units=tuple(row.consulted_units or ()),
                consultation_closed=row.consultation_closed_at is not None,
            )
        )
    return facts


def misdispatch_audit(
    database: Database, date_from: date, date_to: date, group_by: GroupBy
) -> MisdispatchAuditOut:
    """The audit of tickets created between two Beijing dates, inclusive, as they stand now."""
    return misdispatch_audits(database, date_from, date_to, (group_by,))[group_by]


def misdispatch_audits(
    database: Database, date_from: date, date_to: date, groupings: Sequence[GroupBy]
) -> dict[GroupBy, MisdispatchAuditOut]:
    """The audit by each of several groupings, from one read of the tickets (the HTML page needs three)."""
    check_dates(date_from, date_to)
    if date_from > date_to:
        raise InvalidInput(message(Messages.date_range))
    since, until = local_day_bounds(date_from, date_to)
    with database.read() as session:
        facts = ticket_facts(session, since, until)
    period = {"from_date": date_from.isoformat(), "to_date": date_to.isoformat()}
    return {
        group_by: MisdispatchAuditOut.model_validate({**vars(audit(facts, group_by)), **period})
        for group_by in dict.fromkeys(groupings)
    }
