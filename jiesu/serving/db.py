"""Database access: engines (SQLite by default, PostgreSQL when the URL says so), sessions with one
transaction per unit of work, and the Alembic migrations run through alembic's Python API."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:  # alembic itself is imported only when a migration may run
    from alembic.config import Config

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000
_IMMEDIATE = "jiesu_sqlite_immediate"


def migrations_dir() -> Path:
    return Path(__file__).resolve().parent / "migrations"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str) -> Engine:
    """An engine for `url`. SQLite gets WAL (readers never wait for the writer), foreign keys, a busy
    timeout, and explicit BEGINs so that writing transactions can take the write lock up front."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=30)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        parsed,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=8,
        max_overflow=32,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself (pysqlite's own handling defers it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A deferred transaction that reads and then writes fails at once (SQLITE_BUSY_SNAPSHOT, no
        # busy wait) when another writer committed in between; BEGIN IMMEDIATE waits for the lock.
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """One engine and its sessions. `write()` is one transaction (committed on success, rolled back on
    any error); `read()` is a read-only unit of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        sqlite = self.dialect == "sqlite"
        writer = self.engine.execution_options(**{_IMMEDIATE: True}) if sqlite else self.engine
        self._write = sessionmaker(writer, expire_on_commit=False)
        # SQLite has one writer at a time. Writers of this process queue on a lock, which wakes the
        # next at once; SQLite's own busy handler polls with sleeps of up to 100 ms, which turns a
        # short queue into a long latency tail. (Other processes still meet the busy timeout.)
        self._write_lock: AbstractContextManager[Any] = threading.Lock() if sqlite else nullcontext()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._write_lock, self._write() as session, session.begin():
            yield session

    def upgrade(self, revision: str = "head") -> None:
        upgrade(self.engine, revision)

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


# The newest revision under migrations/versions/ (tests/serving/test_migrations.py checks it against
# alembic's own reading of the files): comparing it with the database needs no alembic import.
HEAD_REVISION = "0004"


def upgrade(target: Engine | str, revision: str = "head") -> None:
    """Apply the migrations up to `revision` (`jiesu db upgrade`; on start for the embedded SQLite).

    A database already at the head costs one version read: alembic does not run, so it logs nothing;
    its INFO lines (and ours) appear only when a migration is applied."""
    if revision == "head":
        engine = make_engine(target) if isinstance(target, str) else target
        try:
            at = current_revision(engine)
            if at == HEAD_REVISION:
                log.debug("database schema already at revision %s (%s)", at, engine.dialect.name)
                return
        finally:
            if isinstance(target, str):
                engine.dispose()
    from alembic import command

    engine = _migrate(target, command.upgrade, revision)
    log.info("database schema at revision %s (%s)", revision, engine.dialect.name)


def downgrade(target: Engine | str, revision: str) -> None:
    """Undo the migrations after `revision` (to run an older jiesu on this database)."""
    from alembic import command

    _migrate(target, command.downgrade, revision)


def _migrate(target: Engine | str, step: Callable[[Config, str], None], revision: str) -> Engine:
    engine = make_engine(target) if isinstance(target, str) else target
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            step(config, revision)
    finally:
        if isinstance(target, str):
            engine.dispose()
    return engine


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: no schema yet), read from alembic's version table with a
    plain query: alembic's MigrationContext would log its setup at INFO on every command."""
    from sqlalchemy import inspect, text

    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return versions[0] if len(versions) == 1 else None
