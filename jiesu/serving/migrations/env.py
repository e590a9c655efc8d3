"""Alembic environment. `jiesu.serving.db.upgrade` passes an open connection in
`config.attributes["connection"]`; without one, the URL in the `sqlalchemy.url` option is used."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from jiesu.serving.orm import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as fresh:
            _run(fresh)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported; run `jiesu db upgrade`")
run_migrations_online()
