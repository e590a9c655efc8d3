"""Schema migrations keep what is stored: a ticket stored before the typed suggestion reads after it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, insert, select

from jiesu.serving.db import downgrade, upgrade
from jiesu.serving.orm import Base, Ticket
from jiesu.serving.views import ticket_view
from jiesu.workflow.actors import Principal
from jiesu.workflow.states import Role
from tests.serving.conftest import BACKENDS, PostgresServer

OLD_SUGGESTION: dict[str, Any] = {
    "id": None,
    "model_id": "m-2026-11",
    "catalogue_version": "2026.11",
    "category": {"l1": "城乡建设", "l2": "供热", "confidence": 0.91, "top": []},
    "request_type": {"label": "投诉", "confidence": 0.8},
    "disposition": {
        "label": "dispatch",
        "channel": None,
        "emergency_number": None,
        "confidence": 0.99,
        "evidence": [],
        "notice": None,
    },
    "jurisdiction": {
        "in_beijing": True,
        "region": "北京市",
        "district": "朝阳区",
        "district_code": None,
        "street": None,
        "street_code": None,
        "community": None,
        "confidence": 0.9,
        "source": "text",
        "evidence": [{"text": "朝阳区", "start": 0, "end": 3}],
        "candidates": [],
    },
    "route": {
        "unit": "北京市热力集团",
        "unit_type": "enterprise",
        "copy_to": [],
        "rule_id": "heating",
        "alternatives": [],
    },
    "deadline": {"tier": "utility", "hours": 48},
    "consult": {"required": False, "reasons": []},
    "risk": {"flag": False, "cues": []},
}


@pytest.fixture(params=BACKENDS)
def unmigrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.fresh(migrate=False)


def test_a_suggestion_stored_before_the_typed_shape_reads_after_the_upgrade_and_back(
    unmigrated_url: str,
) -> None:
    upgrade(unmigrated_url, "0001")
    engine = create_engine(unmigrated_url)
    now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    row: dict[str, Any] = {column.key: None for column in Base.metadata.tables["tickets"].columns}
    row |= {
        "id": str(uuid.uuid4()),
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "state": "received",
        "text": "朝阳区小区暖气不热",
        "intake_channel": "phone",
        "suggestion": OLD_SUGGESTION,
        "model_id": "m-2026-11",
        "suggested_unit": "北京市热力集团",
        "copy_to": [],
        "co_handlers": [],
        "dispatch_round": 0,
        "extensions": 0,
        "idempotency_key": "old-1",
        "request_hash": "h",
    }
    with engine.begin() as connection:
        connection.execute(insert(Base.metadata.tables["tickets"]), [row])
    upgrade(unmigrated_url)
    with engine.connect() as connection:
        stored = connection.execute(select(Ticket.suggestion)).scalar_one()
    assert stored["versions"] == {
        "model_id": "m-2026-11",
        "taxonomy": None,
        "catalogue": "2026.11",
        "disposition_rules": None,
        "gazetteer": None,
    }
    assert {key: value for key, value in stored.items() if key != "versions"} == {
        key: value for key, value in OLD_SUGGESTION.items() if key not in ("model_id", "catalogue_version")
    }
    ticket = Ticket(**(row | {"suggestion": stored}))
    view = ticket_view(Principal("k", Role.AUDITOR), ticket, now, 24)
    assert view.suggestion.versions.model_id == "m-2026-11"
    assert view.suggestion.route is not None
    assert view.suggestion.route.unit == "北京市热力集团"
    downgrade(unmigrated_url, "0001")
    with engine.connect() as connection:
        assert connection.execute(select(Ticket.suggestion)).scalar_one() == OLD_SUGGESTION
    engine.dispose()


def test_a_suggestion_in_the_old_shape_still_reads_when_a_row_was_written_after_the_upgrade() -> None:
    # An older process sharing the database may still write the old shape: reading never fails on it.
    now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    ticket = Ticket(
        id=str(uuid.uuid4()),
        created_at=now,
        updated_at=now,
        version=1,
        state="received",
        text="朝阳区小区暖气不热",
        intake_channel="phone",
        suggestion=OLD_SUGGESTION,
        model_id="m-2026-11",
        suggested_unit="北京市热力集团",
        copy_to=[],
        co_handlers=[],
        dispatch_round=0,
        extensions=0,
    )
    view = ticket_view(Principal("k", Role.AUDITOR), ticket, now, 24)
    assert (view.suggestion.versions.model_id, view.suggestion.versions.catalogue) == ("m-2026-11", "2026.11")
    assert view.suggestion.deadline is not None
    assert view.suggestion.deadline.tier == "utility"


def test_console_sessions_come_with_0004_and_go_with_its_downgrade_keeping_the_keys(
    unmigrated_url: str,
) -> None:
    from sqlalchemy import inspect

    from jiesu.serving.orm import ApiKey, ConsoleSession

    upgrade(unmigrated_url, "0003")
    engine = create_engine(unmigrated_url)
    now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    key = {"id": str(uuid.uuid4()), "prefix": "jsk_abcdefgh", "key_hash": "0" * 64, "role": "operator"}
    with engine.begin() as connection:
        connection.execute(insert(ApiKey).values(**key, unit=None, name=None, created_at=now))
    assert "console_sessions" not in inspect(engine).get_table_names()
    upgrade(unmigrated_url)
    with engine.begin() as connection:
        session = {"id": "1" * 64, "key_id": key["id"], "csrf": "c", "created_at": now, "expires_at": now}
        connection.execute(insert(ConsoleSession).values(**session))
    downgrade(unmigrated_url, "0003")
    assert "console_sessions" not in inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert connection.execute(select(ApiKey.id)).scalar_one() == key["id"]
    upgrade(unmigrated_url)
    assert "console_sessions" in inspect(engine).get_table_names()
    engine.dispose()
