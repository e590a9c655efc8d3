"""`jiesu rescore --from-db`: the tickets of the serving database re-scored by a model into the
rescored_tickets table, keyed by (model id, ticket id), beside the unit and category each ticket was first
dispatched with (its first `dispatch` event), so that the audit can compare models on the same history.

Tickets are read in pages by id, leaving out those this model has scored already; each page is scored (in
a process pool, each worker loading the model once) and written in one transaction. A run that is killed
loses at most the pages in flight, and the next run picks up the tickets still missing. Each run also
gives the rows of tickets dispatched since they were scored their historical unit and category."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import exists, select

from jiesu.batch.job import model_id_of
from jiesu.batch.output import SUMMARY, write_atomically
from jiesu.batch.readers import InputRow, RowError
from jiesu.batch.records import SCHEMA, category_agrees, unit_agrees
from jiesu.batch.scoring import map_in_processes, score_rows, worker_suggester
from jiesu.batch.summary import RescoreSummary, SummaryBuilder, Timing
from jiesu.errors import JiesuError
from jiesu.serving.db import HEAD_REVISION, Database, current_revision
from jiesu.serving.orm import RescoredTicket, Ticket, TicketEvent
from jiesu.serving.settings import load_settings

log = logging.getLogger(__name__)
SOURCE = "database"


def rescore_database(
    model_dir: Path,
    *,
    database_url: str | None = None,
    workers: int = 1,
    chunk_rows: int = 1000,
    output: Path | None = None,
    progress: bool = True,
) -> RescoreSummary:
    """Score every ticket this model has not scored yet; then the summary over all it has scored."""
    from tqdm import tqdm

    settings = load_settings()
    database = Database(database_url or settings.database_url)
    started, clock = datetime.now(UTC), time.perf_counter()
    try:
        if database.dialect == "sqlite":
            database.upgrade()
        elif current_revision(database.engine) != HEAD_REVISION:
            raise JiesuError(
                f"the database schema is not at revision {HEAD_REVISION}: run `jiesu db upgrade`"
            )
        model_id = model_id_of(model_dir)
        scored = failed = 0
        with tqdm(unit=" tickets", file=sys.stderr, disable=not progress) as bar:
            pages = _unscored_pages(database, model_id, chunk_rows)
            for records, errors in map_in_processes(model_dir, _score_page, pages, workers):
                _store(database, records)
                for error in errors:
                    log.warning("ticket %s not scored: %s", error.id, error.reason)
                scored += len(records)
                failed += len(errors)
                bar.update(len(records) + len(errors))
        _refresh_labels(database, model_id, chunk_rows)
        timing = Timing.since(
            started, clock, engine="local", workers=workers, rows_scored=scored, resumed=False
        )
        summary = _summary(database, model_id, failed, timing)
    finally:
        database.dispose()
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
        write_atomically(output / SUMMARY, summary.model_dump_json(indent=1).encode("utf-8"))
    return summary


def _unscored_pages(database: Database, model_id: str, size: int) -> Iterator[list[InputRow]]:
    done = exists().where(RescoredTicket.model_id == model_id, RescoredTicket.ticket_id == Ticket.id)
    last = ""
    while True:
        with database.read() as session:
            tickets = session.execute(
                select(Ticket.id, Ticket.text, Ticket.caller_district)
                .where(Ticket.id > last, ~done)
                .order_by(Ticket.id)
                .limit(size)
            ).all()
            if not tickets:
                return
            dispatched = _first_dispatches(session, [ticket.id for ticket in tickets])
        yield [
            InputRow(
                id=ticket.id,
                text=ticket.text,
                number=1,
                historical_unit=dispatched.get(ticket.id, {}).get("unit"),
                historical_category=dispatched.get(ticket.id, {}).get("category"),
                caller_district=ticket.caller_district,
            )
            for ticket in tickets
        ]
        last = tickets[-1].id


def _first_dispatches(session: Any, ticket_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per ticket, the payload of its first dispatch (the unit and category the operator chose)."""
    events = session.execute(
        select(TicketEvent.ticket_id, TicketEvent.payload)
        .where(TicketEvent.ticket_id.in_(ticket_ids), TicketEvent.action == "dispatch")
        .order_by(TicketEvent.ticket_id, TicketEvent.version)
    ).all()
    first: dict[str, dict[str, Any]] = {}
    for ticket_id, payload in events:
        first.setdefault(ticket_id, payload if isinstance(payload, dict) else {})
    return first


def _refresh_labels(database: Database, model_id: str, size: int) -> int:
    """Rows this model scored while their ticket waited for its dispatch get the dispatch it has had
    since (a rerun does not score them again: the suggestion does not depend on it). Returns how many."""
    refreshed = 0
    last = ""
    while True:
        with database.write() as session:
            rows = session.scalars(
                select(RescoredTicket)
                .where(
                    RescoredTicket.model_id == model_id,
                    RescoredTicket.ticket_id > last,
                    RescoredTicket.historical_unit.is_(None),
                    RescoredTicket.historical_category.is_(None),
                )
                .order_by(RescoredTicket.ticket_id)
                .limit(size)
            ).all()
            if not rows:
                return refreshed
            dispatched = _first_dispatches(session, [row.ticket_id for row in rows])
            for row in rows:
                payload = dispatched.get(row.ticket_id)
                if not payload or (payload.get("unit") is None and payload.get("category") is None):
                    continue
                record = dict(row.record)
                record["historical_unit"] = payload.get("unit")
                record["historical_category"] = payload.get("category")
                record["unit_agrees"] = unit_agrees(record["historical_unit"], record["unit"])
                record["category_agrees"] = category_agrees(
                    record["historical_category"], record["category_l1"], record["category_l2"]
                )
                row.historical_unit = record["historical_unit"]
                row.historical_category = record["historical_category"]
                row.unit_agrees = record["unit_agrees"]
                row.category_agrees = record["category_agrees"]
                row.record = record
                refreshed += 1
            last = rows[-1].ticket_id


def _score_page(rows: list[InputRow]) -> tuple[list[dict[str, Any]], list[RowError]]:
    return score_rows(worker_suggester(), rows, SOURCE)


def _store(database: Database, records: list[dict[str, Any]]) -> None:
    """One page in one transaction. A row this model already has for the ticket is kept: two runs at
    once may score the same page, and the second must not fail on the key (the scores are the same)."""
    if not records:
        return
    if database.dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    now = datetime.now(UTC)
    rows = [
        {
            "model_id": record["model_id"],
            "ticket_id": record["id"],
            "scored_at": now,
            "category_l1": record["category_l1"],
            "category_l2": record["category_l2"],
            "disposition": record["disposition"],
            "unit": record["unit"],
            "consult_required": record["consult_required"],
            "historical_unit": record["historical_unit"],
            "historical_category": record["historical_category"],
            "unit_agrees": record["unit_agrees"],
            "category_agrees": record["category_agrees"],
            "record": record,
        }
        for record in records
    ]
    statement = insert(RescoredTicket).on_conflict_do_nothing(index_elements=["model_id", "ticket_id"])
    with database.write() as session:
        session.execute(statement, rows)  # executemany: batched, within the driver's parameter limits


def _summary(database: Database, model_id: str, errors: int, timing: Timing) -> RescoreSummary:
    builder = SummaryBuilder()
    last = ""
    while True:
        with database.read() as session:
            page = session.execute(
                select(RescoredTicket.ticket_id, RescoredTicket.record)
                .where(RescoredTicket.model_id == model_id, RescoredTicket.ticket_id > last)
                .order_by(RescoredTicket.ticket_id)
                .limit(5000)
            ).all()
        if not page:
            break
        builder.add(pa.Table.from_pylist([record for _, record in page], schema=SCHEMA))
        last = page[-1].ticket_id
    return builder.build(model_id, [SOURCE], errors, timing)
