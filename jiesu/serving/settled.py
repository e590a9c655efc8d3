"""Settled tickets read from the database, as training and evaluation examples (jiesu.workflow.outcomes
decides what each ticket's history says and how sure it is)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from sqlalchemy import select

from jiesu.serving.db import Database
from jiesu.serving.orm import Ticket, TicketEvent
from jiesu.training.settled import SettledExample
from jiesu.workflow.outcomes import SETTLED_STATES, OutcomeWeights, settle

CHUNK = 500  # ticket ids per IN (…) query: well under every backend's parameter limit


def load_settled(
    database: Database,
    weights: OutcomeWeights | None = None,
    *,
    exclude: Collection[str] = (),
    limit: int | None = None,
) -> list[SettledExample]:
    """Settled tickets, the most recently settled first (at most `limit`), leaving out `exclude`."""
    weights = weights or OutcomeWeights()
    skip = set(exclude)
    out: list[SettledExample] = []
    with database.read() as session:
        rows = session.execute(
            select(
                Ticket.id,
                Ticket.text,
                Ticket.caller_district,
                Ticket.state,
                Ticket.category,
                Ticket.suggestion,
                Ticket.replied_at,
            )
            .where(Ticket.state.in_(SETTLED_STATES), Ticket.replied_at.is_not(None))
            .order_by(Ticket.replied_at.desc(), Ticket.id)
        ).all()
        wanted = [row for row in rows if row.id not in skip]
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            events = _events(session, [row.id for row in chunk])
            for row in chunk:
                outcome = settle(row.state, row.category, row.suggestion, events[row.id], weights)
                if outcome is None or outcome.category_l1 is None:
                    continue
                out.append(
                    SettledExample(
                        ticket_id=row.id,
                        text=row.text,
                        caller_district=row.caller_district,
                        category_l1=outcome.category_l1,
                        category_l2=outcome.category_l2,
                        unit=outcome.unit,
                        kind=outcome.kind,
                        weight=outcome.weight,
                        settled_at=row.replied_at,
                    )
                )
                if limit is not None and len(out) >= limit:
                    return out
    return out


def _events(session: Any, ids: list[str]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    found: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for ticket_id, action, payload in session.execute(
        select(TicketEvent.ticket_id, TicketEvent.action, TicketEvent.payload)
        .where(TicketEvent.ticket_id.in_(ids))
        .order_by(TicketEvent.ticket_id, TicketEvent.version)
    ):
        found[ticket_id].append((action, payload))
    return found
