"""The `jiesu` command line: one entry point, subcommands per job. Logging is configured here only."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from jiesu.errors import JiesuError

log = logging.getLogger("jiesu")

Handler = Callable[[argparse.Namespace], int]


def _data_check(args: argparse.Namespace) -> int:
    from jiesu.data.check import ReferencePaths, format_report, run_check

    result = run_check(
        ReferencePaths(
            taxonomy=args.taxonomy,
            aliases=args.aliases,
            catalogue=args.catalogue,
            disposition=args.disposition,
            workflow=args.workflow,
            corpus=args.corpus,
        )
    )
    print(format_report(result))
    return 0 if result.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jiesu", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", required=True)

    data = commands.add_parser("data", help="reference data and corpus")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    check = data_commands.add_parser(
        "check", help="validate reference data and the seed corpus; print coverage tables"
    )
    for name, what in [
        ("taxonomy", "taxonomy JSON"),
        ("aliases", "alias table CSV"),
        ("catalogue", "dispatch catalogue JSON"),
        ("disposition", "disposition rules JSON"),
        ("workflow", "workflow settings JSON"),
        ("corpus", "corpus JSONL file or folder of JSONL files"),
    ]:
        check.add_argument(f"--{name}", type=Path, help=f"{what} to check instead of the shipped one")
    check.set_defaults(handler=_data_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    handler: Handler = args.handler
    try:
        return handler(args)
    except JiesuError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
