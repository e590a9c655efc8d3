"""`jiesu db upgrade` and `jiesu keys create|list|revoke` through add_serving_commands."""

from __future__ import annotations

import argparse
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jiesu.errors import JiesuError
from jiesu.serving.commands import add_serving_commands
from jiesu.serving.db import Database, current_revision, upgrade
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
    assert "revision 0004" in capsys.readouterr().out
    database = Database(f"sqlite:///{data_dir / 'jiesu.db'}")
    assert current_revision(database.engine) == "0004"
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


def test_the_schema_head_constant_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    from jiesu.serving.db import HEAD_REVISION, alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [HEAD_REVISION]


def test_an_upgrade_at_head_runs_no_migration(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from alembic import command

    url = f"sqlite:///{data_dir / 'jiesu.db'}"
    with caplog.at_level(logging.INFO):
        upgrade(url)
    assert "Running upgrade  -> 0001" in caplog.text  # applied: alembic says what
    caplog.clear()
    monkeypatch.setattr(command, "upgrade", lambda *_: pytest.fail("alembic ran at head"))
    with caplog.at_level(logging.INFO):
        upgrade(url)
        assert run(["keys", "create", "--role", "operator"]) == 0
    assert caplog.text == ""


@pytest.mark.slow  # two fresh interpreters (~1 s each, more under load)
def test_keys_create_is_quiet_and_loads_no_model_or_reference_data(data_dir: Path) -> None:
    code = (
        "import sys; from jiesu.cli import main; code = main(['keys', 'create', '--role', 'operator']); "
        "heavy = sorted(m for m in ('jiesu.model.suggestion_types', 'jiesu.model.classifier', 'jieba_fast_dat',"
        " 'sklearn', 'alembic') if m in sys.modules); print(heavy, file=sys.stderr); sys.exit(code)"
    )
    env = os.environ | {"JIESU_DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, "-m", "jiesu", "db", "upgrade"], env=env, check=True, capture_output=True)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.startswith("jsk_")
    lines = done.stderr.splitlines()
    assert lines[0].startswith("created operator key ")
    assert lines[1:] == ["[]"]  # no log line, and nothing heavy imported


def test_serve_workers_must_be_at_least_one(capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ("0", "-1", "two", "65"):
        with pytest.raises(SystemExit):
            run(["serve", "--workers", bad])
        assert "--workers" in capsys.readouterr().err


def test_the_workers_get_the_validated_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from jiesu.serving.factory import VERBOSE_VARIABLE, worker_environment
    from jiesu.serving.settings import load_settings

    monkeypatch.delenv("JIESU_MODEL_DIR", raising=False)
    settings = load_settings(host="0.0.0.0", port=8123, model_dir=Path("/models/m"))
    variables = worker_environment(settings, verbose=True)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert load_settings() == settings  # what each worker reads back
    assert variables[VERBOSE_VARIABLE] == "1"
