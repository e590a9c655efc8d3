"""The options of `jiesu rescore` (`jiesu.cli` adds the subcommand and runs it) and the file job they
describe."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from jiesu.argtypes import whole_number
from jiesu.batch.readers import CHUNK_ROWS, Columns
from jiesu.errors import JiesuError

if TYPE_CHECKING:  # the job imports the model: not at parser-building time (`jiesu keys` stays light)
    from jiesu.batch.job import RescoreJob


def add_rescore_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, help="model directory (default: the default model)")
    parser.add_argument(
        "--input",
        nargs="+",
        action="extend",
        default=[],
        metavar="PATH",
        help="CSV/TSV, JSON Lines or Parquet files, or globs ('history/*.parquet'); repeatable",
    )
    parser.add_argument("--output", type=Path, help="output folder: shards/, errors.jsonl, summary.json")
    parser.add_argument("--text-column", default="text", metavar="C", help="the text column (default text)")
    parser.add_argument(
        "--id-column", metavar="C", help="the id column (default: id where present, else FILE:LINE)"
    )
    parser.add_argument("--historical-unit-column", metavar="C", help="the unit the case was dispatched to")
    parser.add_argument(
        "--historical-category-column", metavar="C", help="the case's category (first or second level)"
    )
    parser.add_argument("--delimiter", help="CSV field delimiter (default: tab for .tsv/.tab, else comma)")
    parser.add_argument("--encoding", help="text encoding (default: detected, UTF-8 or GB18030)")
    parser.add_argument(
        "--workers",
        type=whole_number(1, 256, "--workers"),
        help="processes (Ray: actors), each with its own model (default: one per core)",
    )
    parser.add_argument("--engine", choices=["local", "ray"], default="local", help="default local")
    parser.add_argument("--ray-address", help="with --engine ray: the cluster (default: a local Ray)")
    parser.add_argument(
        "--ray-gpus-per-worker",
        type=float,
        default=0.0,
        metavar="G",
        help="with --engine ray: GPUs each actor asks for (a transformer model on device cuda; default 0)",
    )
    parser.add_argument(
        "--chunk-rows",
        type=whole_number(1, 1_000_000, "--chunk-rows"),
        default=CHUNK_ROWS,
        help=f"records per chunk and shard (default {CHUNK_ROWS}); resuming needs the same value",
    )
    parser.add_argument("--with-json", action="store_true", help="also keep each whole suggestion as JSON")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--from-db",
        action="store_true",
        help="score the tickets of the serving database into its rescored_tickets table instead of files",
    )
    parser.add_argument(
        "--database-url", help="with --from-db: SQLAlchemy URL (default JIESU_DATABASE_URL or var/jiesu.db)"
    )


def workers_of(args: argparse.Namespace) -> int:
    return int(args.workers or os.cpu_count() or 1)


def file_job(args: argparse.Namespace, model_dir: Path) -> RescoreJob:
    """The job `args` describe; JiesuError for a missing --input or --output."""
    if not args.input:
        raise JiesuError("jiesu rescore needs --input PATH... (or --from-db)")
    if args.output is None:
        raise JiesuError("jiesu rescore needs --output DIR")
    columns = Columns(
        text=args.text_column,
        id=args.id_column,
        historical_unit=args.historical_unit_column,
        historical_category=args.historical_category_column,
    )
    from jiesu.batch.inputs import expand_inputs
    from jiesu.batch.job import RescoreJob

    sources = expand_inputs(args.input, delimiter=args.delimiter, encoding=args.encoding)
    return RescoreJob(
        model_dir=model_dir,
        sources=sources,
        output=args.output,
        columns=columns,
        chunk_rows=args.chunk_rows,
        with_json=args.with_json,
    )


def add_bench_rescore(commands: argparse._SubParsersAction[argparse.ArgumentParser], teddy_dir: Path) -> None:
    """`jiesu bench rescore`: issue 14's targets (jiesu.batch.bench)."""
    bench = commands.add_parser(
        "rescore", help="issue 14's targets: re-scoring throughput with 1 and 2 workers, memory, Ray vs local"
    )
    bench.add_argument("--model", type=Path, help="model directory (default: the default model)")
    bench.add_argument("--data-dir", type=Path, default=teddy_dir, help="Teddy Cup folder (raw messages)")
    bench.add_argument("--rows", type=int, default=200_000, help="rows for the throughput runs")
    bench.add_argument(
        "--memory-rows", type=int, help="rows of the larger run for peak memory (default 5 × --rows)"
    )
    bench.add_argument("--ray-rows", type=int, default=2_000, help="rows of the Ray-vs-local check")
    bench.add_argument("--no-ray", action="store_true", help="skip the Ray-vs-local check")
    bench.add_argument("--output", type=Path, default=Path("var/bench/rescore.json"), help="JSON results")
    bench.set_defaults(handler=bench_rescore_command)


def bench_rescore_command(args: argparse.Namespace) -> int:
    from jiesu.batch.bench import format_report, run_benchmark
    from jiesu.extras import require_extra
    from jiesu.training.default_model import ensure_default_model

    raw = args.data_dir / "messages_raw_1842.jsonl"
    if not raw.is_file():
        raise JiesuError(f"{raw} not found: give --data-dir (the Teddy Cup folder) or set JIESU_SHARED_DATA")
    if not args.no_ray:
        require_extra("ray", "jiesu bench rescore (the Ray comparison; or --no-ray)")
    report = run_benchmark(
        args.model or ensure_default_model(),
        raw,
        args.output,
        rows=args.rows,
        memory_rows=args.memory_rows or 5 * args.rows,
        ray_rows=None if args.no_ray else args.ray_rows,
    )
    print(format_report(report))
    print(f"full results in {args.output}")
    return 0
