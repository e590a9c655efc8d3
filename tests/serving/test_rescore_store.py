"""`jiesu rescore --from-db`: the stored tickets re-scored into rescored_tickets, keyed by model and
ticket, beside the unit each was first dispatched to; a second run scores only what is missing, and the
table comes and goes with its migration."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select

from jiesu.batch.records import COLUMNS
from jiesu.serving.db import downgrade, upgrade
from jiesu.serving.orm import RescoredTicket
from jiesu.serving.rescore_store import _refresh_labels, _store, rescore_database
from jiesu.workflow.states import Action
from tests.serving.conftest import HEATING_UNIT, OTHER_UNIT, Services
from tests.serving.flows import Actors


@pytest.mark.slow  # loads the seed model from disk (~5 s)
def test_tickets_are_rescored_once_per_model_with_their_dispatched_unit(
    services: Services, db_url: str, seed_model_dir: Path, tmp_path: Path
) -> None:
    actors = Actors(services)
    confirmed = actors.create()
    actors.act(actors.operator, confirmed.id, Action.DISPATCH)
    overridden = actors.create("海淀区中关村街道楼下饭店油烟太大，窗户都不敢开")
    actors.act(actors.operator, overridden.id, Action.DISPATCH, unit=OTHER_UNIT, reason="城管委管油烟")
    waiting = actors.create("西城区什刹海附近晚上施工噪音扰民")
    summary = rescore_database(seed_model_dir, database_url=db_url, output=tmp_path, progress=False)
    assert summary.rows == 3
    assert summary.errors == 0
    assert summary.unit_agreement.rows == 2
    assert (tmp_path / "summary.json").exists()
    with services.database.read() as session:
        rows = {row.ticket_id: row for row in session.scalars(select(RescoredTicket))}
    assert set(rows) == {confirmed.id, overridden.id, waiting.id}
    assert rows[confirmed.id].historical_unit == HEATING_UNIT
    assert rows[confirmed.id].unit == HEATING_UNIT
    assert rows[confirmed.id].unit_agrees is True
    assert rows[overridden.id].historical_unit == OTHER_UNIT
    assert rows[overridden.id].unit_agrees is (rows[overridden.id].unit == OTHER_UNIT)
    assert rows[waiting.id].historical_unit is None
    assert rows[waiting.id].unit_agrees is None
    assert rows[waiting.id].record["model_id"] == summary.model_id
    assert len({row.model_id for row in rows.values()}) == 1
    actors.create("丰台区方庄小区门口道路有个大坑")
    again = rescore_database(seed_model_dir, database_url=db_url, progress=False)
    assert again.timing is not None
    assert again.timing.rows_scored == 1  # only the new ticket
    assert again.rows == 4


def test_the_migration_adds_and_removes_the_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jiesu.db'}"
    upgrade(url, "0002")
    engine = create_engine(url)
    assert "rescored_tickets" not in inspect(engine).get_table_names()
    upgrade(url)
    assert "rescored_tickets" in inspect(engine).get_table_names()
    downgrade(url, "0002")
    assert "rescored_tickets" not in inspect(engine).get_table_names()
    engine.dispose()


def test_a_page_that_two_runs_scored_is_stored_once(services: Services) -> None:
    """Two `--from-db` runs of one model at once read the same unscored tickets: the later write keeps
    the row already there instead of failing the run on the primary key."""
    ticket = Actors(services).create()
    record = dict.fromkeys(COLUMNS) | {
        "id": ticket.id,
        "model_id": "model-a",
        "disposition": "dispatch",
        "consult_required": False,
    }
    _store(services.database, [record])
    _store(services.database, [record | {"unit": "another unit"}])
    with services.database.read() as session:
        rows = session.scalars(select(RescoredTicket)).all()
    assert [(row.ticket_id, row.unit) for row in rows] == [(ticket.id, None)]


def test_a_ticket_dispatched_after_it_was_rescored_gets_its_historical_unit(services: Services) -> None:
    """A rerun scores only tickets this model has not scored; one that was waiting for its dispatch then
    must still get the unit it was dispatched to, or the audit never compares it with what was done."""
    actors = Actors(services)
    waiting = actors.create()
    record = dict.fromkeys(COLUMNS) | {
        "id": waiting.id,
        "model_id": "model-a",
        "disposition": "dispatch",
        "consult_required": False,
        "unit": HEATING_UNIT,
    }
    _store(services.database, [record])
    actors.act(actors.operator, waiting.id, Action.DISPATCH)
    assert _refresh_labels(services.database, "model-a", 10) == 1
    with services.database.read() as session:
        row = session.scalars(select(RescoredTicket)).one()
    assert (row.historical_unit, row.unit_agrees) == (HEATING_UNIT, True)
    assert row.record["historical_unit"] == HEATING_UNIT
    assert row.record["unit_agrees"] is True
    assert _refresh_labels(services.database, "model-a", 10) == 0
