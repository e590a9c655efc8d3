"""Finding tickets: which a key may see, list filters, date checks and the opaque page cursor."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from jiesu.serving.orm import Ticket, TicketUnit
from jiesu.workflow.actors import Principal
from jiesu.workflow.bodies import TICKET_ID
from jiesu.workflow.errors import InvalidInput, Messages, NotFound, message
from jiesu.workflow.states import BEIJING_TZ, Role

MAX_PAGE = 500
# Dates the API accepts: wide enough for any archive, narrow enough that no time-zone shift or
# assessment-cycle step leaves Python's or the database's date range.
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2999, 12, 31)


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


def check_dates(*days: date | None) -> None:
    if any(day is not None and not EARLIEST_DATE <= day <= LATEST_DATE for day in days):
        raise InvalidInput(
            message(
                Messages.date_out_of_range, earliest=EARLIEST_DATE.isoformat(), latest=LATEST_DATE.isoformat()
            )
        )


def local_day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in Beijing time."""
    return (
        datetime.combine(start, time.min, BEIJING_TZ),
        datetime.combine(end + timedelta(days=1), time.min, BEIJING_TZ),
    )


def load_visible(session: Session, principal: Principal, ticket_id: str) -> Ticket:
    """The ticket, or 404 when it does not exist or the key may not see it."""
    ticket = session.get(Ticket, ticket_id) if TICKET_ID.fullmatch(ticket_id) else None
    if ticket is None:
        raise NotFound(message(Messages.ticket_not_found))
    check_visible(session, principal, ticket)
    return ticket


def check_visible(session: Session, principal: Principal, ticket: Ticket) -> None:
    """404 unless the key may see the ticket: a unit key sees only tickets with its unit."""
    if principal.role is Role.UNIT:
        # Another unit's ticket is "not found", not "forbidden": its existence is not disclosed.
        visible = session.connection().scalar(
            select(exists().where(TicketUnit.ticket_id == ticket.id, TicketUnit.unit == principal.unit))
        )
        if not visible:
            raise NotFound(message(Messages.ticket_not_found))


def with_unit(unit: str) -> ColumnElement[bool]:
    return exists().where(TicketUnit.ticket_id == Ticket.id, TicketUnit.unit == unit)


def encode_cursor(ticket: Ticket) -> str:
    raw = json.dumps([ticket.created_at.astimezone(UTC).isoformat(), ticket.id]).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, ticket_id = json.loads(raw)
        at = datetime.fromisoformat(created_at)
        if at.tzinfo is None or not isinstance(ticket_id, str) or not TICKET_ID.fullmatch(ticket_id):
            raise ValueError("bad cursor")
        if not EARLIEST_DATE <= at.date() <= LATEST_DATE:
            raise ValueError("cursor time out of range")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(message(Messages.cursor)) from None
    return at, ticket_id
