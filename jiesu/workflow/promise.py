"""Is the model keeping its promise? From stored suggestions and the event log, per model version and
period (Beijing day or ISO week): the share of tickets the suggestion would dispatch without a person,
and how often those, once dispatched, were overridden by the operator or returned by the unit with the
return upheld. Every rate has its count and a 95% Wilson interval; the observed accuracy (neither
overridden nor upheld) is compared with the accuracy the model's decision threshold was chosen for, and
flagged when that promise lies outside the interval.

Drift: the decision confidence and the unfamiliar-text score of live suggestions (their `consult.checks`)
against the out-of-fold distributions stored with the model at training time (jiesu.training.drift).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from jiesu.evaluation.proportions import wilson
from jiesu.training.drift import MIN_LIVE, PSI_WARNING, Histogram, live_histogram, psi
from jiesu.workflow.states import BEIJING_TZ

Period = Literal["day", "week"]


class Rate(BaseModel):
    model_config = ConfigDict(frozen=True)

    count: int = Field(description="tickets counted")
    of: int = Field(description="out of")
    value: float | None = Field(description="count / of; null when of is 0")
    low: float | None = Field(description="95% Wilson interval, lower bound")
    high: float | None = Field(description="95% Wilson interval, upper bound")


def rate(count: int, of: int) -> Rate:
    interval = wilson(count, of)
    return Rate(
        count=count,
        of=of,
        value=round(count / of, 4) if of else None,
        low=round(interval[0], 4) if interval else None,
        high=round(interval[1], 4) if interval else None,
    )


class PromiseRow(BaseModel):
    model_id: str
    period: str = Field(description="the day (YYYY-MM-DD) or ISO week (YYYY-Www), Beijing time")
    tickets: int
    without_person: Rate = Field(description="suggested for dispatch without a person, of all tickets")
    overridden: Rate = Field(description="of those dispatched: the operator chose another unit")
    returned_upheld: Rate = Field(description="of those dispatched: a return upheld by a reviewer")
    accuracy: Rate = Field(description="of those dispatched: neither overridden nor upheld")
    promised: float | None = Field(description="the accuracy the model's decision threshold targets")
    promise_outside_interval: bool | None = Field(
        description="true when the promise lies outside the accuracy's 95% interval"
    )


class DriftSignal(BaseModel):
    measure: Literal["decision_confidence", "unfamiliarity"]
    reference: Histogram | None = Field(description="out-of-fold distribution saved at training time")
    live: Histogram | None
    psi: float | None = Field(description="population stability index, live against reference")
    warning: bool = Field(
        description=f"PSI over {PSI_WARNING} on at least {MIN_LIVE} live values: live traffic has parted from training"
    )


class ModelDrift(BaseModel):
    model_id: str
    suggestions: int
    signals: list[DriftSignal]


class ModelMetricsOut(BaseModel):
    """GET /v1/metrics/model and `jiesu audit model`: no request text, no caller data."""

    date_from: date
    date_to: date
    period: Period
    method: str
    rows: list[PromiseRow]
    drift: list[ModelDrift]


@dataclass(frozen=True)
class TicketFacts:
    """What one ticket says about its suggestion (no text, no caller)."""

    model_id: str
    created_at: datetime
    without_person: bool
    dispatched: bool
    overridden: bool
    upheld: bool
    decision_confidence: float | None
    unfamiliarity: float | None


def facts(
    model_id: str,
    created_at: datetime,
    suggestion: Mapping[str, Any],
    events: Sequence[tuple[str, Mapping[str, Any]]],
) -> TicketFacts:
    consult = suggestion.get("consult") or {}
    disposition = (suggestion.get("disposition") or {}).get("label")
    auto = not consult.get("required", True) and disposition == "dispatch" and bool(suggestion.get("route"))
    checks = {check.get("decision"): check for check in consult.get("checks", [])}
    familiarity = checks.get("familiarity", {}).get("confidence")
    dispatches = [payload for action, payload in events if action == "dispatch"]
    return TicketFacts(
        model_id=model_id,
        created_at=created_at,
        without_person=auto,
        dispatched=bool(dispatches),
        overridden=bool(dispatches) and bool(dispatches[0].get("overridden")),
        upheld=any(a == "review-return" and p.get("decision") == "uphold" for a, p in events),
        decision_confidence=checks.get("decision", {}).get("confidence"),
        unfamiliarity=None if familiarity is None else 1 - float(familiarity),
    )


def period_of(moment: datetime, period: Period) -> str:
    local = moment.astimezone(BEIJING_TZ).date()
    if period == "day":
        return local.isoformat()
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class _Counts:
    tickets: int = 0
    auto: int = 0
    judged: int = 0
    overridden: int = 0
    upheld: int = 0
    wrong: int = 0
    confidences: list[float] = field(default_factory=list)


def promise_rows(
    tickets: Iterable[TicketFacts], period: Period, promised: Mapping[str, float | None]
) -> list[PromiseRow]:
    groups: dict[tuple[str, str], _Counts] = defaultdict(_Counts)
    for ticket in tickets:
        counts = groups[(ticket.model_id, period_of(ticket.created_at, period))]
        counts.tickets += 1
        if not ticket.without_person:
            continue
        counts.auto += 1
        if ticket.dispatched:
            counts.judged += 1
            counts.overridden += ticket.overridden
            counts.upheld += ticket.upheld
            counts.wrong += ticket.overridden or ticket.upheld
    rows = []
    for (model_id, label), c in sorted(groups.items()):
        accuracy = rate(c.judged - c.wrong, c.judged)
        target = promised.get(model_id)
        outside = (
            None
            if target is None or accuracy.low is None or accuracy.high is None
            else not accuracy.low <= target <= accuracy.high
        )
        rows.append(
            PromiseRow(
                model_id=model_id,
                period=label,
                tickets=c.tickets,
                without_person=rate(c.auto, c.tickets),
                overridden=rate(c.overridden, c.judged),
                returned_upheld=rate(c.upheld, c.judged),
                accuracy=accuracy,
                promised=target,
                promise_outside_interval=outside,
            )
        )
    return rows


def drift(
    tickets: Sequence[TicketFacts], references: Mapping[str, Mapping[str, Histogram | None]]
) -> list[ModelDrift]:
    """Per model version, each measure's live histogram in its reference's bins, and the PSI."""
    by_model: dict[str, list[TicketFacts]] = defaultdict(list)
    for ticket in tickets:
        by_model[ticket.model_id].append(ticket)
    out = []
    for model_id, own in sorted(by_model.items()):
        signals = []
        for measure in ("decision_confidence", "unfamiliarity"):
            reference = references.get(model_id, {}).get(measure)
            values = [v for t in own if (v := getattr(t, measure)) is not None]
            live = live_histogram(reference, values) if reference is not None and values else None
            index = psi(reference, live) if reference is not None and live is not None else None
            signals.append(
                DriftSignal(
                    measure=measure,
                    reference=reference,
                    live=live,
                    psi=index,
                    warning=index is not None and index > PSI_WARNING and len(values) >= MIN_LIVE,
                )
            )
        out.append(ModelDrift(model_id=model_id, suggestions=len(own), signals=signals))
    return out
