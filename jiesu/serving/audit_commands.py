"""`jiesu audit misdispatch`: the mis-dispatch audit from the command line (table, JSON, CSV or an HTML
page with plots). `jiesu.cli` calls `add_audit_commands(subparsers)`; the heavy imports wait for the
handler. The database comes from the server's settings (JIESU_DATABASE_URL) or --database-url."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from jiesu.serving.commands import reports_database_errors
from jiesu.workflow.misdispatch import GROUPINGS
from jiesu.workflow.states import BEIJING_TZ

FORMATS = ("table", "json", "csv", "html")


def add_audit_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = subparsers.add_parser("audit", help="audits of the ticket history")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    misdispatch = audit_commands.add_parser(
        "misdispatch",
        help="first-dispatch accuracy, returns, rounds, days lost, model vs operator, per group",
    )
    misdispatch.add_argument(
        "--from",
        dest="date_from",
        type=date.fromisoformat,
        help="first day, YYYY-MM-DD (default: 30 days ago)",
    )
    misdispatch.add_argument(
        "--to",
        dest="date_to",
        type=date.fromisoformat,
        help="last day, inclusive (default: today in Beijing)",
    )
    misdispatch.add_argument("--group-by", choices=GROUPINGS, default="unit")
    misdispatch.add_argument("--format", choices=FORMATS, default="table")
    misdispatch.add_argument("--output", type=Path, help="write here instead of standard output")
    misdispatch.add_argument(
        "--database-url", help="SQLAlchemy URL (default: JIESU_DATABASE_URL or var/jiesu.db)"
    )
    misdispatch.set_defaults(handler=misdispatch_command)


def beijing_today(now: datetime) -> date:
    """`now`'s date in Beijing: the audit's days are Beijing's, whatever the host's time zone."""
    return now.astimezone(BEIJING_TZ).date()


@reports_database_errors
def misdispatch_command(args: argparse.Namespace) -> int:
    from jiesu.errors import Messages, SettingsError, message
    from jiesu.serving import audit_render
    from jiesu.serving.db import Database
    from jiesu.serving.misdispatch import misdispatch_audits
    from jiesu.serving.settings import load_settings
    from jiesu.workflow.misdispatch import GroupBy

    date_to = args.date_to or beijing_today(datetime.now(UTC))
    date_from = args.date_from or date_to - timedelta(days=29)
    if date_from > date_to:
        raise SettingsError(message(Messages.audit_period, start=date_from, end=date_to))
    settings = load_settings(database_url=args.database_url)
    database = Database(settings.database_url)  # database errors: @reports_database_errors
    try:
        # The page also plots the weeks and the units: one read of the tickets for all three.
        extra: tuple[GroupBy, ...] = ("week", "unit") if args.format == "html" else ()
        results = misdispatch_audits(database, date_from, date_to, (args.group_by, *extra))
    finally:
        database.dispose()
    result = results[args.group_by]
    if args.format == "html":
        from jiesu.serving.audit_html import render_html

        text = render_html(result, results["week"], results["unit"])
    else:
        render = {"table": audit_render.as_table, "json": audit_render.as_json, "csv": audit_render.as_csv}
        text = render[args.format](result)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
