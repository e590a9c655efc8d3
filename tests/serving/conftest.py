"""Fixtures for the serving tests: databases (a SQLite file per test, and a fresh PostgreSQL database per
session on 127.0.0.1:5432), services over them with a fake clock, and an app client with API keys.

Services and apps suggest with the real `Suggester` over `keyword_model`, a deterministic keyword
classifier (tests/keyword_classifier.py) built in milliseconds; the texts below come out on the units
named here as they do on the seed model. A test that needs the trained model asks for `seed_model` and
passes it on (`make_api(classifier=seed_model)`, or a `SuggestService` over it for `build_services`)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from jiesu.model.classifier import RequestClassifier
from jiesu.model.suggestion import Suggester
from jiesu.serving.app import create_app
from jiesu.serving.db import Database, upgrade
from jiesu.serving.keys import KeyService
from jiesu.serving.schemas import KeyCreate
from jiesu.serving.settings import ServingSettings
from jiesu.serving.suggestions import SuggestService
from jiesu.serving.tickets import TicketService
from jiesu.workflow.actors import Principal
from jiesu.workflow.reference import Reference
from jiesu.workflow.states import Role
from tests.keyword_classifier import keyword_classifier

PG_DSN = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test", "connect_timeout": 3}
TABLES = "console_sessions, rescored_tickets, ticket_events, followups, ticket_units, tickets, api_keys"

# Units the keyword model (and the seed model) route these texts to, and two others for re-dispatch and escalation.
HEATING_TEXT = "朝阳区望京街道小区暖气不热，家里只有十五度"
HEATING_UNIT = "北京市热力集团"
OTHER_UNIT = "朝阳区城市管理委员会"
THIRD_UNIT = "朝阳区望京街道办事处"
CITY_UNIT = "北京市城市管理委员会"
DISTRICT_GOVERNMENT = "朝阳区人民政府"


class FakeClock:
    """Test time: starts on a Monday, 10:00 Beijing time; `advance` moves it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


# --- PostgreSQL ---------------------------------------------------------------------------------------


def _admin_connection() -> Any:
    connection = psycopg2.connect(**PG_DSN)
    connection.autocommit = True
    return connection


@dataclass
class PostgresServer:
    databases: list[str]

    def fresh(self, migrate: bool = True) -> str:
        """A new database, migrated unless asked not to; dropped at the end of the session."""
        name = f"jiesu_test_{uuid.uuid4().hex[:12]}"
        connection = _admin_connection()  # not `with connection`: that opens a transaction block
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        self.databases.append(name)
        url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
        if migrate:
            upgrade(url)
        return url


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    try:
        _admin_connection().close()
    except psycopg2.OperationalError:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres, database test)")
    server = PostgresServer([])
    yield server
    connection = _admin_connection()
    with connection.cursor() as cursor:
        for name in server.databases:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


@pytest.fixture(scope="session")
def postgres_url(postgres: PostgresServer) -> str:
    return postgres.fresh()


def reset_postgres(url: str) -> None:
    """Empty every table between tests. The event log refuses DELETE and TRUNCATE by trigger, so the
    (superuser) test turns its triggers off for the truncate only."""
    connection = psycopg2.connect(url.replace("postgresql+psycopg2", "postgresql"))
    connection.autocommit = False
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE ticket_events DISABLE TRIGGER USER")
        cursor.execute(f"TRUNCATE {TABLES}")
        cursor.execute("ALTER TABLE ticket_events ENABLE TRIGGER USER")
    connection.commit()
    connection.close()


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session (alembic takes ~0.1 s a run); tests get copies."""
    path = tmp_path_factory.mktemp("sqlite") / "jiesu.db"
    upgrade(f"sqlite:///{path}")
    # The engine is disposed: the write-ahead log is checkpointed into the file, which is all there is.
    assert [file.name for file in path.parent.iterdir()] == [path.name]
    return path


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: a copy of the migrated SQLite file, or the session's PostgreSQL
    database emptied."""
    if request.param == "sqlite":
        path = tmp_path / "jiesu.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        return f"sqlite:///{path}"
    postgres_url: str = request.getfixturevalue("postgres_url")
    reset_postgres(postgres_url)
    return postgres_url


# --- services -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def reference() -> Reference:
    return Reference.load()


@pytest.fixture(scope="session")
def keyword_model() -> RequestClassifier:
    """The serving tests' classifier: deterministic keyword rules, no training."""
    return keyword_classifier()


@pytest.fixture(scope="session")
def suggestions(keyword_model: RequestClassifier, reference: Reference) -> SuggestService:
    return SuggestService(Suggester.with_reference_data(keyword_model), reference)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@dataclass
class Services:
    database: Database
    tickets: TicketService
    keys: KeyService

    def principal(self, role: Role, unit: str | None = None) -> Principal:
        created = self.keys.create(KeyCreate(role=role, unit=unit))
        return self.keys.authenticate(created.key)


def build_services(url: str, reference: Reference, suggestions: SuggestService, clock: FakeClock) -> Services:
    from jiesu.data.workflow_settings import load_workflow_settings

    database = Database(url)
    tickets = TicketService(
        database, load_workflow_settings(), reference, suggestions.suggester.suggest_many, clock=clock
    )
    return Services(database, tickets, KeyService(database, reference, clock=clock))


@pytest.fixture
def services(
    db_url: str, reference: Reference, suggestions: SuggestService, clock: FakeClock
) -> Iterator[Services]:
    built = build_services(db_url, reference, suggestions, clock)
    yield built
    built.database.dispose()


# --- HTTP ---------------------------------------------------------------------------------------------


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    keys: KeyService

    def key(self, role: Role, unit: str | None = None) -> dict[str, str]:
        return {"X-API-Key": self.keys.create(KeyCreate(role=role, unit=unit)).key}


ApiFactory = Callable[..., Api]


def start_api(url: str, classifier: RequestClassifier, **settings: Any) -> Api:
    """An app over `url` with its lifespan entered (the model and database are loaded); the caller
    leaves it with `api.client.__exit__(None, None, None)`."""
    app = create_app(ServingSettings(database_url=url, **settings), classifier=classifier)
    client = TestClient(app, raise_server_exceptions=False)
    client.__enter__()
    return Api(app, client, app.state.runtime.keys)


@pytest.fixture
def make_api(db_url: str, keyword_model: RequestClassifier) -> Iterator[ApiFactory]:
    """Start an app (lifespan runs) over the test database; `classifier` replaces the keyword model,
    other keyword arguments go to ServingSettings."""
    started: list[Api] = []

    def make(classifier: RequestClassifier | None = None, **settings: Any) -> Api:
        started.append(start_api(db_url, classifier or keyword_model, **settings))
        return started[-1]

    yield make
    for api in reversed(started):
        api.client.__exit__(None, None, None)


@pytest.fixture
def api(make_api: ApiFactory) -> Api:
    return make_api()
