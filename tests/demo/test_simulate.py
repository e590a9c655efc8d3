"""The simulated history: driven through the real services, deterministic for a seed, and the audit
recovers the behaviour it was configured with."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from jiesu.demo.commands import default_start
from jiesu.demo.config import SimulationConfig, load_simulation_config
from jiesu.demo.simulate import SimulationResult, simulate
from jiesu.errors import SettingsError
from jiesu.model.suggestion import Suggester
from jiesu.serving.db import Database
from jiesu.serving.misdispatch import misdispatch_audit
from jiesu.serving.orm import Ticket, TicketEvent
from tests.keyword_classifier import keyword_classifier

START = date(2026, 3, 2)  # a Monday


@pytest.fixture(scope="module")
def suggester() -> Suggester:
    return Suggester.with_reference_data(keyword_classifier())


def _run(path: Path, suggester: Suggester, **options: Any) -> tuple[Database, SimulationResult]:
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    given: dict[str, Any] = {"days": 2, "per_day": 40, "seed": 7, "start": START} | options
    return database, simulate(database, suggester.suggest_many, **given)


def _history(database: Database) -> list[tuple[Any, ...]]:
    with database.read() as session:
        tickets = session.execute(
            select(
                Ticket.id, Ticket.text, Ticket.state, Ticket.lead_unit, Ticket.created_at, Ticket.caller_phone
            ).order_by(Ticket.created_at, Ticket.idempotency_key)
        ).all()
        events = session.execute(select(TicketEvent.ticket_id, TicketEvent.action, TicketEvent.at)).all()
    order = {row.id: i for i, row in enumerate(tickets)}
    return [tuple(row[1:]) for row in tickets] + sorted((order[e[0]], e[1], e[2]) for e in events)


@pytest.mark.slow
def test_one_seed_gives_one_history_and_an_occupied_database_is_refused(
    tmp_path: Path, suggester: Suggester
) -> None:
    first, result = _run(tmp_path / "a.db", suggester)
    second, _ = _run(tmp_path / "b.db", suggester)
    other, _ = _run(tmp_path / "c.db", suggester, seed=8)
    assert result.tickets == 80
    assert _history(first) == _history(second) != _history(other)
    assert {"dispatch", "accept", "answer"} <= set(result.actions)
    with pytest.raises(SettingsError, match="already holds 80"):
        simulate(first, suggester.suggest_many, days=1, per_day=1, start=START)


def test_a_config_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "sim.json"
    path.write_text('{"units": {"return_when_wrong": 0.5}}', encoding="utf-8")
    config = load_simulation_config(path)
    assert config.units.return_when_wrong == 0.5
    assert config.units.return_when_right == SimulationConfig().units.return_when_right
    path.write_text('{"units": {"return_when_wrong": 2}}', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"sim\.json"):
        load_simulation_config(path)


# a = suggestion accuracy, f / c = override when right / wrong, p = right pick when overriding a wrong
# one; without a suggestion the operator is right as often as with one (0.85), so every dispatch's first
# unit is right with probability a(1 - f) + (1 - a)cp = 0.85 whatever the model suggested.
RECOVERY = SimulationConfig.model_validate(
    {
        "model": {"suggestion_accuracy": 0.8},
        "operators": {"override_when_right": 0.05, "override_when_wrong": 0.5, "pick_right_when_overriding": 0.9,
                      "pick_right_without_suggestion": 0.85, "consult_rate": 0.0},
        "units": {"return_when_right": 0.05, "return_when_wrong": 0.8, "refile_after_rejection": 0.0},
        "reviewers": {"uphold_when_right": 0.2, "uphold_when_wrong": 0.9},
    }
)  # fmt: skip
RIGHT = 0.8 * 0.95 + 0.2 * 0.5 * 0.9
RETURNED = RIGHT * 0.05 + (1 - RIGHT) * 0.8
UPHELD = RIGHT * 0.05 * 0.2 + (1 - RIGHT) * 0.8 * 0.9
EXPECTED = {
    "accepted_suggestion": 0.8 * 0.95 + 0.2 * 0.5,
    "return_rate": RETURNED,
    "upheld_return_rate": UPHELD / RETURNED,
    "first_dispatch_accuracy": 1 - UPHELD,
}


@pytest.mark.slow
def test_the_audit_recovers_the_configured_rates_within_their_intervals(
    tmp_path: Path, suggester: Suggester
) -> None:
    # Tickets of the first three days, audited after three more: each has had time to settle.
    database, _ = _run(tmp_path / "r.db", suggester, days=6, per_day=250, seed=3, config=RECOVERY)
    result = misdispatch_audit(database, START, date(2026, 3, 4), "week")
    overall = result.overall
    assert overall.dispatched > 450
    assert overall.settled >= 0.97 * overall.dispatched
    for metric, expected in EXPECTED.items():
        rate = getattr(overall, metric)
        assert rate.low <= expected <= rate.high, (metric, expected, rate)


def test_the_default_history_ends_yesterday_in_beijing() -> None:
    # 17:00 UTC on 1 March is 01:00 on 2 March in Beijing: yesterday there is 1 March.
    assert default_start(3, datetime(2026, 3, 1, 17, 0, tzinfo=UTC)) == date(2026, 2, 27)


def test_a_unit_past_its_return_window_handles_the_ticket(tmp_path: Path, suggester: Suggester) -> None:
    # Return after 20 h, rejection 10 h later, refiling 20 h after that: 50 h after a Monday dispatch,
    # past the 2-working-day window. The workflow refuses such a return; the simulated unit accepts.
    late = SimulationConfig.model_validate(
        {
            "model": {"suggestion_accuracy": 0.0},
            "operators": {"override_when_wrong": 0.0, "consult_rate": 0.0},
            "units": {"return_when_wrong": 1.0, "refile_after_rejection": 1.0,
                      "return_delay": {"low": 19.9, "high": 20.0}},
            "reviewers": {"uphold_when_wrong": 0.0, "review_delay": {"low": 9.9, "high": 10.0}},
        }
    )  # fmt: skip
    _, result = _run(tmp_path / "late.db", suggester, days=3, per_day=10, config=late)
    assert result.actions["return"] > 0
    assert result.actions["accept"] > 0
