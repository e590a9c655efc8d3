"""`jiesu db upgrade` and `jiesu keys create|list|revoke` through add_serving_commands."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from jiesu.errors import JiesuError
from jiesu.serving.commands import add_serving_commands
from jiesu.serving.db import Database, current_revision
from jiesu.serving.keys import KeyService
from jiesu.workflow.reference import Reference
from tests.serving.conftest import PostgresServer


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="jiesu")
    add_serving_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JIESU_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JIESU_DATABASE_URL", raising=False)
    return tmp_path


def test_db_upgrade_on_the_default_sqlite(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["db", "upgrade"]) == 0
    assert "revision 0002" in capsys.readouterr().out
    database = Database(f"sqlite:///{data_dir / 'jiesu.db'}")
    assert current_revision(database.engine) == "0002"
    database.dispose()


def test_keys_create_list_revoke(
    data_dir: Path, capsys: pytest.CaptureFixture[str], reference: Reference
) -> None:
    assert (
        run(
            [
                "keys",
                "create",
                "--role",
                "unit",
                "--unit",
                "北京市热力集团",
                "--name",
                "热力",
                "--expires-days",
                "30",
            ]
        )
        == 0
    )
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("jsk_")
    assert "\n" not in secret
    database = Database(f"sqlite:///{data_dir / 'jiesu.db'}")
    principal = KeyService(database, reference).authenticate(secret)
    assert (principal.role.value, principal.unit) == ("unit", "北京市热力集团")
    assert run(["keys", "list"]) == 0
    listing = capsys.readouterr().out
    assert principal.key_id in listing
    assert secret not in listing
    assert run(["keys", "revoke", principal.key_id]) == 0
    assert run(["keys", "list"]) == 0
    assert "inactive" in capsys.readouterr().out
    database.dispose()
    with pytest.raises(JiesuError, match="unit"):
        run(["keys", "create", "--role", "unit"])
    with pytest.raises(JiesuError, match="unknown unit"):
        run(["keys", "create", "--role", "unit", "--unit", "火星区人民政府"])
    with pytest.raises(SystemExit):
        run(["keys", "create", "--role", "root"])
    with pytest.raises(JiesuError, match=r"--expires-days: .*greater than or equal to 1"):
        run(["keys", "create", "--role", "auditor", "--expires-days", "0"])


def test_a_database_that_cannot_be_reached_is_an_error_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIESU_DATABASE_URL", "postgresql+psycopg2://jiesu:secret@127.0.0.1:1/nowhere")
    for argv in (["db", "upgrade"], ["keys", "list"]):
        with pytest.raises(JiesuError, match=r"cannot use the database postgresql\+psycopg2://jiesu:\*\*\*@"):
            run(argv)


@pytest.mark.postgres
def test_database_errors_say_what_to_do(monkeypatch: pytest.MonkeyPatch, postgres: PostgresServer) -> None:
    empty = postgres.fresh(migrate=False)
    monkeypatch.setenv("JIESU_DATABASE_URL", empty)
    with pytest.raises(JiesuError, match="run `jiesu db upgrade`"):
        run(["keys", "list"])
    missing = empty.rsplit("/", 1)[0] + "/jiesu_never_created"
    monkeypatch.setenv("JIESU_DATABASE_URL", missing)
    with pytest.raises(JiesuError, match=re.escape("createdb -h 127.0.0.1 -U postgres jiesu_never_created")):
        run(["db", "upgrade"])
    monkeypatch.setenv("JIESU_DATABASE_URL", empty.replace("postgres@", "no_such_role@"))
    with pytest.raises(JiesuError, match='role "no_such_role" does not exist') as raised:
        run(["keys", "list"])
    assert "createdb" not in str(raised.value)
