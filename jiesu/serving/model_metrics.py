"""The promise checked live (GET /v1/metrics/model, `jiesu audit model`): reads the tickets of a period
and their dispatch and review events, and each model version's promise and reference distributions from
the model registry (jiesu.workflow.promise computes the figures)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from jiesu.model.model_dir import FORMAT, METADATA_FILE
from jiesu.serving.db import Database
from jiesu.serving.orm import Ticket, TicketEvent
from jiesu.serving.served_model import ServedModel
from jiesu.serving.ticket_queries import check_dates, local_day_bounds
from jiesu.training.drift import MIN_LIVE, PSI_WARNING, Histogram
from jiesu.workflow.errors import InvalidInput, Messages, message
from jiesu.workflow.promise import ModelMetricsOut, Period, Rate, TicketFacts, drift, facts, promise_rows
from jiesu.workflow.states import BEIJING_TZ

CHUNK = 500
DEFAULT_DAYS = 28
METHOD = (
    "Per model version and period: tickets whose suggestion would dispatch without a person; of those "
    "dispatched, the share overridden by the operator and the share returned with the return upheld; "
    "accuracy = neither. 95% Wilson intervals; promise = the target accuracy of the model's decision "
    f"threshold, flagged when outside the interval. Drift: population stability index over the "
    f"training reference's deciles (out-of-fold), warning above {PSI_WARNING}."
)


class ModelReferences:
    """What each known model promised and its reference distributions, by model id, read from the model
    directories (the registry and any served directory); read once per report."""

    def __init__(self, directories: list[Path]) -> None:
        self.promised: dict[str, float | None] = {}
        self.references: dict[str, dict[str, Histogram | None]] = {}
        for directory in directories:
            try:
                meta = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(meta, dict) or meta.get("format") != FORMAT or "model_id" not in meta:
                continue  # not a model directory (a copy, notes): the report must not fail on it
            metrics = meta.get("metrics", {})
            self.promised[meta["model_id"]] = metrics.get("calibration", {}).get("target_accuracy")
            stored = metrics.get("reference_distributions") or {}
            self.references[meta["model_id"]] = {
                name: Histogram.model_validate(stored[name]) if stored.get(name) else None
                for name in ("decision_confidence", "unfamiliarity")
            }

    @classmethod
    def under(cls, root: Path, *extra: Path | None) -> ModelReferences:
        found = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
        return cls([*found, *(p for p in extra if p is not None)])


def model_metrics(
    database: Database, references: ModelReferences, date_from: date, date_to: date, period: Period
) -> ModelMetricsOut:
    check_dates(date_from, date_to)
    if date_from > date_to:
        raise InvalidInput(message(Messages.date_range))
    start, end = local_day_bounds(date_from, date_to)
    tickets: list[TicketFacts] = []
    with database.read() as session:
        rows = session.execute(
            select(Ticket.id, Ticket.model_id, Ticket.created_at, Ticket.suggestion)
            .where(Ticket.created_at >= start, Ticket.created_at < end)
            .order_by(Ticket.created_at, Ticket.id)
        ).all()
        for first in range(0, len(rows), CHUNK):
            chunk = rows[first : first + CHUNK]
            events = _events(session, [row.id for row in chunk])
            tickets += [
                facts(row.model_id, row.created_at, row.suggestion, events.get(row.id, [])) for row in chunk
            ]
    return ModelMetricsOut(
        date_from=date_from,
        date_to=date_to,
        period=period,
        method=METHOD,
        rows=promise_rows(tickets, period, references.promised),
        drift=drift(tickets, references.references),
    )


def _events(session: Any, ids: list[str]) -> Mapping[str, list[tuple[str, dict[str, Any]]]]:
    found: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for ticket_id, action, payload in session.execute(
        select(TicketEvent.ticket_id, TicketEvent.action, TicketEvent.payload)
        .where(TicketEvent.ticket_id.in_(ids), TicketEvent.action.in_(("dispatch", "review-return")))
        .order_by(TicketEvent.ticket_id, TicketEvent.version)
    ):
        found[ticket_id].append((action, payload))
    return found


class PromiseService:
    """The report for the HTTP handler: the registry's models and the one serving now are its references."""

    def __init__(self, database: Database, registry_root: Path, served: ServedModel) -> None:
        self.database = database
        self.registry_root = registry_root
        self.served = served

    def report(self, date_from: date | None, date_to: date | None, period: Period) -> ModelMetricsOut:
        """The report for a period (default: the 28 days to today, Beijing time)."""
        end = date_to or datetime.now(BEIJING_TZ).date()
        start = date_from or end - timedelta(days=DEFAULT_DAYS - 1)
        references = ModelReferences.under(self.registry_root, self.served.directory)
        return model_metrics(self.database, references, start, end, period)


def format_table(report: ModelMetricsOut) -> str:
    """`jiesu audit model` as text: one line per model version and period, then the drift."""

    def shown(r: Rate) -> str:
        return "-" if r.value is None else f"{r.value:.3f} [{r.low:.3f}, {r.high:.3f}] {r.count}/{r.of}"

    lines = [f"{report.date_from} … {report.date_to}, per {report.period}", report.method, ""]
    for row in report.rows:
        promised = "-" if row.promised is None else f"{row.promised:.2f}"
        flag = "  PROMISE OUTSIDE INTERVAL" if row.promise_outside_interval else ""
        lines += [
            f"{row.model_id}  {row.period}  {row.tickets} tickets",
            f"  without a person {shown(row.without_person)}",
            f"  overridden {shown(row.overridden)}; returned and upheld {shown(row.returned_upheld)}",
            f"  accuracy {shown(row.accuracy)} vs promised {promised}{flag}",
        ]
    lines.append("")
    for model in report.drift:
        for signal in model.signals:
            index = "-" if signal.psi is None else f"{signal.psi:.3f}"
            live = signal.live.n if signal.live else 0
            warn = "  WARNING: live traffic has parted from training" if signal.warning else ""
            if signal.psi is not None and not signal.warning and live < MIN_LIVE:
                # A large PSI on a handful of values is noise: said so, not left unexplained.
                warn = f"  (on {live} live values: no warning under {MIN_LIVE})"
            lines.append(f"drift {model.model_id} {signal.measure}: PSI {index}{warn}")
    return "\n".join(lines)
