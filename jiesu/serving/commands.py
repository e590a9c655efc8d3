"""Command-line hooks of the serving layer: `jiesu serve`, `jiesu db upgrade`, `jiesu keys create|list|
revoke`. `jiesu.cli` calls `add_serving_commands(subparsers)`; every handler returns an exit code. The
database comes from the same settings as the server (JIESU_DATABASE_URL, JIESU_DATA_DIR)."""

from __future__ import annotations

import argparse
import functools
import logging
import os
import socket
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from jiesu.errors import JiesuError, Messages, SettingsError, message
from jiesu.serving.settings import ServingSettings, load_settings
from jiesu.workflow.states import Role

if TYPE_CHECKING:
    from jiesu.serving.db import Database
    from jiesu.serving.keys import KeyService

log = logging.getLogger(__name__)


def add_serving_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser("serve", help="run the HTTP API (uvicorn); migrates the embedded SQLite")
    serve.add_argument("--host", help="interface to bind (default JIESU_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default JIESU_PORT or 8000)")
    serve.add_argument(
        "--workers",
        type=_worker_count,
        default=1,
        help=f"worker processes (1 to {MAX_WORKERS}; default 1), each with its own model (~500 MB); "
        "for PostgreSQL: SQLite has one writer",
    )
    serve.set_defaults(handler=serve_command)

    db = subparsers.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply the schema migrations (Alembic)")
    upgrade.add_argument("--revision", default="head", help="target revision (default head)")
    upgrade.set_defaults(handler=db_upgrade_command)

    keys = subparsers.add_parser("keys", help="API keys")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser("create", help="create an API key and print it (shown once)")
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--unit", help="for --role unit: the unit name the key acts for")
    create.add_argument("--name", help="who or what uses the key")
    create.add_argument("--expires-days", type=int, help="the key expires after N days (default never)")
    create.set_defaults(handler=keys_create_command)
    listing = key_commands.add_parser("list", help="list keys (prefix, role, unit, expiry; never secrets)")
    listing.set_defaults(handler=keys_list_command)
    revoke = key_commands.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("key_id")
    revoke.set_defaults(handler=keys_revoke_command)


MAX_WORKERS = 64


def _worker_count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 1 <= number <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"--workers must be between 1 and {MAX_WORKERS}, got {number}")
    return number


def serve_command(args: argparse.Namespace) -> int:
    settings = load_settings(host=args.host, port=args.port)  # checked before the app is even imported
    check_can_listen(settings.host, settings.port)  # before the model loads, not after

    import uvicorn

    # log_config=None keeps the logging set up by the CLI; the app logs one line per request itself
    # (RequestLogMiddleware: path without the query string), so uvicorn's access log stays off.
    if args.workers == 1:
        from jiesu.serving.app import create_app

        uvicorn.run(
            create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False
        )
        return 0
    from jiesu.serving.factory import FACTORY, worker_environment

    settings = _prepare_workers(settings, args.workers)
    os.environ.update(worker_environment(settings, verbose=log.isEnabledFor(logging.DEBUG)))
    uvicorn.run(
        FACTORY,
        factory=True,
        workers=args.workers,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )
    return 0


def _prepare_workers(settings: ServingSettings, workers: int) -> ServingSettings:
    """What the workers would otherwise race to do at once, done once before they start: train the default
    model (each would train its own copy into the same directory) and migrate the embedded SQLite (two
    processes creating the same tables). The workers then find the model saved and the schema at head."""
    if settings.is_sqlite:
        # Allowed, not refused: suggestions scale with the workers, and SQLite (WAL, busy timeout, BEGIN
        # IMMEDIATE) keeps writes correct across processes. But writes do not scale, and writers of
        # different processes wait on SQLite's polling busy handler, not on one in-process queue.
        log.warning(
            "%d workers on SQLite: one writer at a time across all of them, so ticket writes do not scale "
            "and their latency tail grows; use PostgreSQL (JIESU_DATABASE_URL) for more than one worker",
            workers,
        )
    if settings.model_dir is None:
        from jiesu.training.default_model import ensure_default_model

        settings = settings.model_copy(update={"model_dir": ensure_default_model()})
    if settings.migrate_on_start:
        from jiesu.serving.db import Database

        database = Database(settings.database_url)
        try:
            database.upgrade()
        finally:
            database.dispose()
    return settings


def check_can_listen(host: str, port: int) -> None:
    """A port already taken, or an address this machine does not have, is one error line at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise SettingsError(
            message(Messages.cannot_listen, host=host, port=port, problem=exc.strerror)
        ) from None


Handler = Callable[[argparse.Namespace], int]


def reports_database_errors(handler: Handler) -> Handler:
    """A database that cannot be reached (not created yet, server down, wrong user) is an error line that
    says which database and what to do, not a traceback. The URL is shown without its password."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import OperationalError, ProgrammingError

        try:
            return handler(args)
        except (OperationalError, ProgrammingError) as exc:
            # the database the command used: its --database-url where it has one, else the settings'
            url = make_url(load_settings(database_url=getattr(args, "database_url", None)).database_url)
            shown = url.render_as_string(hide_password=True)
            reason = (str(exc.orig) if exc.orig else str(exc)).strip().splitlines()[0].rstrip(".")
            if f'database "{url.database}" does not exist' in reason:
                hint = f" Create it first, e.g. `createdb -h 127.0.0.1 -U postgres {url.database}`."
            elif "no such table" in reason or "UndefinedTable" in type(exc.orig).__name__:
                hint = " Its schema is missing or old: run `jiesu db upgrade` with the same settings."
            else:
                hint = ""
            raise JiesuError(f"cannot use the database {shown}: {reason}.{hint}") from None

    return run


@reports_database_errors
def db_upgrade_command(args: argparse.Namespace) -> int:
    from jiesu.serving.db import Database, current_revision

    database = Database(load_settings().database_url)
    try:
        database.upgrade(args.revision)
        print(f"database at revision {current_revision(database.engine)} ({database.dialect})")
    finally:
        database.dispose()
    return 0


def _key_service() -> tuple[Database, KeyService]:
    # Imported here: `jiesu --help` must not load SQLAlchemy, the gazetteer or the catalogue. The
    # reference data (gazetteer, catalogue: seconds) is loaded only to check the unit of a unit key.
    from jiesu.serving.db import Database
    from jiesu.serving.keys import KeyService

    settings = load_settings()
    database = Database(settings.database_url)
    if settings.migrate_on_start:  # keys can be made before the server first ran; at head: one read
        database.upgrade()
    return database, KeyService(database)


@reports_database_errors
def keys_create_command(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from jiesu.serving.key_schemas import KeyCreate
    from jiesu.workflow.errors import ServiceError

    try:
        request = KeyCreate(
            role=Role(args.role), unit=args.unit, name=args.name, expires_days=args.expires_days
        )
    except ValidationError as exc:
        problems = "; ".join(
            f"--{'-'.join(map(str, error['loc'])).replace('_', '-')}: {error['msg']}"
            for error in exc.errors()
        )
        raise JiesuError(f"invalid key request: {problems}") from None
    database, service = _key_service()
    try:
        created = service.create(request)
    except ServiceError as exc:
        raise JiesuError(exc.message) from None
    finally:
        database.dispose()
    expiry = created.expires_at.isoformat() if created.expires_at else "never"
    print(f"created {created.role} key {created.id} ({created.prefix}…), expires {expiry}", file=sys.stderr)
    print(created.key)  # stdout: the secret alone, so scripts can capture it
    return 0


@reports_database_errors
def keys_list_command(_args: argparse.Namespace) -> int:
    database, service = _key_service()
    try:
        for key in service.list():
            expiry = key.expires_at.isoformat() if key.expires_at else "never"
            state = "active" if key.active else "inactive"
            print(
                f"{key.id}\t{key.prefix}…\t{key.role}\t{key.unit or '-'}\t{key.name or '-'}\t{expiry}\t{state}"
            )
    finally:
        database.dispose()
    return 0


@reports_database_errors
def keys_revoke_command(args: argparse.Namespace) -> int:
    from jiesu.workflow.errors import ServiceError

    database, service = _key_service()
    try:
        revoked = service.revoke(args.key_id)
    except ServiceError as exc:
        raise JiesuError(exc.message) from None
    finally:
        database.dispose()
    print(f"revoked {revoked.id} ({revoked.prefix}…)")
    return 0
