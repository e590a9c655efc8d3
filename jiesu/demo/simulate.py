"""A simulated history (`jiesu demo simulate`): requests from the seed corpus arrive over N days and go
through the real ticket service (intake, then every workflow action through `TicketService.apply`), with a
clock the simulation moves. Simulated operators, units and reviewers act as `SimulationConfig` says.

Time advances in slots of `SLOT`: the slot's arrivals are created in one intake batch, then every action
due in the slot runs, in time order, in one transaction. Actions due after the last day are left undone,
so the youngest tickets are still open, as in a real database. One seed and one start give one history
(ticket ids and key secrets aside, which are random)."""

from __future__ import annotations

import heapq
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from jiesu.data.workflow_settings import load_workflow_settings
from jiesu.demo.config import Delay, SimulationConfig
from jiesu.demo.steps import SimTicket, Steps
from jiesu.demo.world import CachedSuggestions, SeedRecord, Staff, SuggestMany, UnitPool, load_seed_records
from jiesu.errors import Messages, SettingsError, message
from jiesu.serving.db import Database
from jiesu.serving.intake import Intake
from jiesu.serving.keys import KeyService
from jiesu.serving.orm import Ticket
from jiesu.serving.schemas import TicketCreate
from jiesu.serving.tickets import TicketService
from jiesu.workflow.errors import ServiceError
from jiesu.workflow.reference import Reference
from jiesu.workflow.states import BEIJING_TZ

SLOT = timedelta(minutes=30)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"


@dataclass
class SimulationResult:
    tickets: int
    actions: Counter[str]
    start: date
    end: date
    seconds: float
    distinct_texts: int
    open_tickets: int = 0
    truth: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        acts = ", ".join(f"{name} {count}" for name, count in sorted(self.actions.items()))
        return (
            f"simulated {self.tickets} tickets from {self.start} to {self.end} (Beijing dates) in "
            f"{self.seconds:.1f} s ({self.distinct_texts} distinct texts classified once each); "
            f"{self.open_tickets} still open at the end; actions: {acts}"
        )


class Clock:
    """The services' clock during a simulation: the simulation sets `now`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def simulate(
    database: Database,
    suggest_many: SuggestMany,
    *,
    days: int,
    per_day: int,
    seed: int = 0,
    start: date,
    config: SimulationConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> SimulationResult:
    """Fill an empty, migrated database with `days` × `per_day` simulated tickets from `start`."""
    began = time.perf_counter()
    config = config or SimulationConfig()
    with database.read() as session:
        existing = session.scalar(select(func.count()).select_from(Ticket)) or 0
    if existing:
        raise SettingsError(message(Messages.simulation_not_empty, database=database.url, count=existing))
    rng = random.Random(seed)
    reference = Reference.load()
    records = load_seed_records()
    first = datetime.combine(start, datetime.min.time(), BEIJING_TZ)
    end = first + timedelta(days=days)
    arrivals = _arrivals(rng, config, first, days, per_day, records)
    suggestions = CachedSuggestions(suggest_many)
    suggestions.warm(record.text for _, record in arrivals)
    pool = UnitPool(reference, records)
    found = {text: pool.candidates(record, suggestions.cache[(text, None)]) for _, record in arrivals
             for text in [record.text]}  # fmt: skip
    clock = Clock(first)
    service = TicketService(database, load_workflow_settings(), reference, suggestions, clock=clock)
    staff = Staff.hire(KeyService(database, reference, clock=clock), config, pool.all_units(found.values()))
    steps = Steps(service, config, staff, pool, rng)
    queue: list[tuple[datetime, int, int, str]] = []
    order = itertools.count()
    tickets: list[SimTicket] = []
    position = 0
    slot_start = first
    while slot_start < end:
        slot_end = min(slot_start + SLOT, end)
        batch: list[tuple[datetime, SeedRecord]] = []
        while position < len(arrivals) and arrivals[position][0] < slot_end:
            batch.append(arrivals[position])
            position += 1
        if batch:
            clock.now = batch[-1][0].astimezone(UTC)
            for created in _create(service, staff, rng, config, batch, len(tickets), seed):
                record = created[1]
                candidates = found[record.text]
                truth = pool.truth(rng, candidates, config.model.suggestion_accuracy)
                ticket = SimTicket(
                    created[0], record, candidates, truth if record.disposition == "dispatch" else None
                )
                tickets.append(ticket)
                due = clock.now + _hours(rng, config.operators.decide_delay)
                heapq.heappush(queue, (due, next(order), len(tickets) - 1, "decide"))
        if queue and queue[0][0] < slot_end:
            with database.write() as session:
                while queue and queue[0][0] < slot_end:
                    due, _, index, step = heapq.heappop(queue)
                    clock.now = due
                    for after, following in steps.run(session, tickets[index], step, due):
                        heapq.heappush(queue, (due + after, next(order), index, following))
        if progress and slot_end.hour == 0 and slot_end.minute == 0:
            progress(f"day {(slot_end - first).days} of {days}: {len(tickets)} tickets")
        slot_start = slot_end
    return SimulationResult(
        tickets=len(tickets),
        actions=steps.counts,
        start=start,
        end=start + timedelta(days=days - 1),
        seconds=time.perf_counter() - began,
        distinct_texts=len(suggestions.cache),
        open_tickets=len({index for _, _, index, _ in queue}),
    )


def _hours(rng: random.Random, delay: Delay) -> timedelta:
    return timedelta(hours=rng.uniform(delay.low, delay.high))


def _arrivals(
    rng: random.Random,
    config: SimulationConfig,
    first: datetime,
    days: int,
    per_day: int,
    records: list[SeedRecord],
) -> list[tuple[datetime, SeedRecord]]:
    traffic = config.traffic
    span = max(traffic.day_end_hour - traffic.day_start_hour, 1) * 3600
    arrivals = []
    for day in range(days):
        opening = first + timedelta(days=day, hours=traffic.day_start_hour)
        offsets = sorted(rng.uniform(0, span) for _ in range(per_day))
        arrivals += [(opening + timedelta(seconds=offset), rng.choice(records)) for offset in offsets]
    return arrivals


def _create(
    service: TicketService,
    staff: Staff,
    rng: random.Random,
    config: SimulationConfig,
    batch: list[tuple[datetime, SeedRecord]],
    created_so_far: int,
    seed: int,
) -> list[tuple[str, SeedRecord]]:
    channels = list(config.traffic.channels)
    weights = list(config.traffic.channels.values())
    intakes = []
    for number, (_, record) in enumerate(batch, start=created_so_far):
        body = TicketCreate.model_validate(
            {
                "text": record.text,
                "intake_channel": rng.choices(channels, weights)[0],
                "caller_phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                "caller_name": f"{rng.choice(SURNAMES)}{rng.choice(['先生', '女士'])}",
            }
        )
        intakes.append(Intake(rng.choice(staff.operators), body, f"simulated-{seed}-{number}"))
    created = []
    for outcome, (_, record) in zip(service.create_many(intakes), batch, strict=True):
        if isinstance(outcome, ServiceError):
            raise outcome
        created.append((outcome[0].id, record))
    return created
