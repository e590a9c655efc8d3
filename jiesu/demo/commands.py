"""`jiesu demo simulate`: fill a database with a simulated history (jiesu.demo.simulate). `jiesu.cli`
calls `add_demo_commands(subparsers)`; the heavy imports wait for the handler."""

from __future__ import annotations

import argparse
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from jiesu.workflow.states import BEIJING_TZ

log = logging.getLogger(__name__)


def add_demo_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = subparsers.add_parser("demo", help="simulated histories for demos and tests")
    demo_commands = demo.add_subparsers(dest="demo_command", required=True)
    simulate = demo_commands.add_parser(
        "simulate",
        help="fill an empty database with N days of simulated tickets, through the real workflow",
    )
    simulate.add_argument("--days", type=_positive, required=True, help="days of history")
    simulate.add_argument("--per-day", type=_positive, required=True, help="requests a day")
    simulate.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    simulate.add_argument(
        "--start",
        type=date.fromisoformat,
        help="first day, YYYY-MM-DD (default: so that the last day is yesterday); one seed and one start "
        "give one history",
    )
    simulate.add_argument("--config", type=Path, help="JSON overriding the simulated behaviour's defaults")
    simulate.add_argument(
        "--database-url", help="SQLAlchemy URL (default: JIESU_DATABASE_URL or var/jiesu.db); migrated first"
    )
    simulate.add_argument("--model-dir", type=Path, help="model that suggests (default: the default model)")
    simulate.set_defaults(handler=simulate_command)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def default_start(days: int, now: datetime) -> date:
    """The first day of a `days`-day history whose last day is yesterday in Beijing (the simulation's
    days are Beijing's, whatever the host's time zone)."""
    return now.astimezone(BEIJING_TZ).date() - timedelta(days=days)


def simulate_command(args: argparse.Namespace) -> int:
    from jiesu.demo.config import load_simulation_config
    from jiesu.demo.simulate import simulate
    from jiesu.model.classifier import RequestClassifier
    from jiesu.model.suggestion import Suggester
    from jiesu.serving.db import Database
    from jiesu.serving.settings import load_settings

    config = load_simulation_config(args.config)
    overrides = {"database_url": args.database_url} if args.database_url else {}
    settings = load_settings(**overrides)
    model_dir = args.model_dir or settings.model_dir
    if model_dir is None:
        from jiesu.training.default_model import ensure_default_model

        model_dir = ensure_default_model()
    suggester = Suggester.with_reference_data(RequestClassifier.load(model_dir))
    start = args.start or default_start(args.days, datetime.now(UTC))
    database = Database(settings.database_url)
    try:
        database.upgrade()
        result = simulate(
            database,
            suggester.suggest_many,
            days=args.days,
            per_day=args.per_day,
            seed=args.seed,
            start=start,
            config=config,
            progress=log.info,
        )
    finally:
        database.dispose()
    print(result.summary())
    return 0
