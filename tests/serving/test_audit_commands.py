"""`jiesu audit misdispatch` from the command line: its default period and its errors."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from jiesu.errors import JiesuError
from jiesu.serving.audit_commands import add_audit_commands, beijing_today


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="jiesu")
    add_audit_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def test_the_default_period_ends_today_in_beijing() -> None:
    # 17:00 UTC is 01:00 the next day in Beijing: that day's tickets are in the default period.
    assert beijing_today(datetime(2026, 3, 1, 17, 0, tzinfo=UTC)) == date(2026, 3, 2)


def test_a_database_without_the_schema_is_an_error_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JIESU_DATABASE_URL", raising=False)
    url = f"sqlite:///{tmp_path / 'none.db'}"
    with pytest.raises(JiesuError, match=r"cannot use the database .*none\.db.*run `jiesu db upgrade`"):
        run(["audit", "misdispatch", "--database-url", url])
    unreachable = "postgresql+psycopg2://jiesu:secret@127.0.0.1:1/nowhere"
    with pytest.raises(JiesuError, match=r"cannot use the database postgresql\+psycopg2://jiesu:\*\*\*@"):
        run(["audit", "misdispatch", "--database-url", unreachable])
