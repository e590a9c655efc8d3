"""`jiesu bench …`: the benchmarks that print their figures next to a baseline in one run (each module
under jiesu/evaluation, jiesu/batch and jiesu/serving does the measuring; this file only wires the
subcommands). Imports are lazy: `jiesu --help` loads none of them."""

from __future__ import annotations

import argparse
from pathlib import Path

from jiesu.argtypes import whole_number
from jiesu.extras import require_extra
from jiesu.serving.learning_commands import add_learning_bench


def _bench_classify(args: argparse.Namespace) -> int:
    from jiesu.evaluation.bench_classify import format_report, run_benchmark
    from jiesu.training.default_model import ensure_default_model

    require_extra("bench", "jiesu bench classify")  # before the default model is trained, not after
    seed_model = None if args.no_seed_model else ensure_default_model()
    report = run_benchmark(
        args.data_dir, args.output, k=args.k, progress=not args.no_progress, seed_model=seed_model
    )
    print(format_report(report))
    print(f"full results in {args.output}")
    return 0


def _bench_training(args: argparse.Namespace) -> int:
    from jiesu.evaluation.bench_training import format_report, run_benchmark
    from jiesu.training.fold_workers import default_workers

    report = run_benchmark(args.output, args.workers or default_workers(), args.rows)
    print(format_report(report))
    print(f"full results in {args.output}")
    return 0 if report["same_model"] else 1


def _bench_suggest(args: argparse.Namespace) -> int:
    from jiesu.evaluation.bench_suggest import format_report, run_benchmark
    from jiesu.training.default_model import ensure_default_model

    model_dir = args.model or ensure_default_model()
    report = run_benchmark(
        model_dir, args.data_dir / "messages_raw_1842.jsonl", args.output, split=args.split
    )
    print(format_report(report))
    print(f"full results in {args.output}")
    return 0


def _bench_real(args: argparse.Namespace) -> int:
    from jiesu.evaluation.bench_real import BASELINE_REVISION, format_report, run_benchmark
    from jiesu.evaluation.real_text import RAW_FILE, default_real_data_dir, load_real_texts
    from jiesu.training.default_model import ensure_default_model

    real_data = args.real_data or default_real_data_dir()
    texts = load_real_texts(real_data, args.half)  # a missing folder is an error now, not after a training
    model_dir = args.model or ensure_default_model()
    revision = None if args.no_baseline else args.baseline_revision or BASELINE_REVISION
    report = run_benchmark(
        model_dir,
        texts,
        args.half,
        args.output,
        baseline_revision=revision,
        real_source=str(real_data / RAW_FILE),
        # The report half's crosswalk figures are learnt on the dev half (jiesu.evaluation.crosswalk).
        crosswalk_texts=load_real_texts(real_data, "dev") if args.half == "report" else (),
    )
    print(format_report(report))
    print(f"full results in {args.output}")
    return 0


def _bench_serving(args: argparse.Namespace) -> int:
    from jiesu.evaluation.bench_serving import format_report, run_benchmark

    postgres = None if args.no_postgres else args.postgres_url
    report = run_benchmark(args.output, model_dir=args.model, postgres_url=postgres)
    print(format_report(report))
    print(f"full results in {args.output}")
    return 0


def _default_teddy_dir() -> Path:
    """The Teddy Cup folder of the shared data, found as `jiesu bench real` finds it (beside the
    repository, not the working directory)."""
    from jiesu.evaluation.real_text import default_real_data_dir

    return default_real_data_dir() / "teddycup2020"


def add_bench_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `jiesu bench classify|training|suggest|real|rescore|serving|learning` on the CLI's subparsers."""
    bench = commands.add_parser("bench", help="benchmarks that print figures next to a baseline")
    bench_commands = bench.add_subparsers(dest="bench_command", required=True)
    classify = bench_commands.add_parser(
        "classify", help="classifier on the shared Teddy Cup data vs a baseline"
    )
    classify.add_argument("--data-dir", type=Path, default=_default_teddy_dir(), help="Teddy Cup folder")
    classify.add_argument("--output", type=Path, default=Path("var/bench/classify.json"), help="JSON results")
    classify.add_argument("--k", type=int, default=5, help="folds (default 5)")
    classify.add_argument("--no-seed-model", action="store_true", help="skip timing the 3-head seed model")
    classify.add_argument("--no-progress", action="store_true", help="no progress bars")
    classify.set_defaults(handler=_bench_classify)

    training = bench_commands.add_parser(
        "training", help="the seed corpus's calibrated fit with worker processes vs one process"
    )
    training.add_argument(
        "--workers",
        type=whole_number(1, 256, "--workers"),
        default=None,
        help="worker processes (default: $JIESU_TRAIN_WORKERS or the cores)",
    )
    training.add_argument(
        "--rows",
        type=whole_number(100, 10_000_000, "--rows"),
        default=None,
        help="only the first ROWS seed rows",
    )
    training.add_argument("--output", type=Path, default=Path("var/bench/training.json"), help="JSON results")
    training.set_defaults(handler=_bench_training)
    bench_suggest = bench_commands.add_parser(
        "suggest", help="suggestions on the seed test split vs a naive baseline"
    )
    bench_suggest.add_argument("--model", type=Path, help="model directory (default: the default model)")
    bench_suggest.add_argument("--split", default="test", choices=["train", "dev", "test"], help="seed split")
    bench_suggest.add_argument(
        "--data-dir", type=Path, default=_default_teddy_dir(), help="Teddy Cup folder (speed)"
    )
    bench_suggest.add_argument(
        "--output", type=Path, default=Path("var/bench/suggest.json"), help="JSON results"
    )
    bench_suggest.set_defaults(handler=_bench_suggest)
    bench_real = bench_commands.add_parser(
        "real", help="issue 16's targets: real Teddy Cup texts and the seed test split vs today's code"
    )
    bench_real.add_argument("--model", type=Path, help="model directory (default: the default model)")
    bench_real.add_argument(
        "--real-data",
        type=Path,
        help="folder holding teddycup2020/messages_raw_1842.jsonl, read in place, never copied "
        "(default: $JIESU_SHARED_DATA, else ../shared/data beside the repository)",
    )
    bench_real.add_argument(
        "--half",
        default="report",
        choices=["report", "dev"],
        help="which half of the real texts (default report; dev also prints its errors)",
    )
    bench_real.add_argument(
        "--baseline-revision",
        help="git revision whose code is the baseline, run in a subprocess (default: 4ff3340)",
    )
    bench_real.add_argument("--no-baseline", action="store_true", help="only this model, no baseline")
    bench_real.add_argument("--output", type=Path, default=Path("var/bench/real.json"), help="JSON results")
    bench_real.set_defaults(handler=_bench_real)
    from jiesu.batch.command import add_bench_rescore

    add_bench_rescore(bench_commands, _default_teddy_dir())
    bench_serving = bench_commands.add_parser(
        "serving", help="load benchmark against a server it starts itself"
    )
    bench_serving.add_argument("--model", type=Path, help="model directory (default: the default model)")
    bench_serving.add_argument(
        "--postgres-url",
        default="postgresql+psycopg2://postgres@127.0.0.1:5432/test",
        help="an existing PostgreSQL database used to create and drop the benchmark's own",
    )
    bench_serving.add_argument("--no-postgres", action="store_true", help="SQLite only")
    bench_serving.add_argument(
        "--output", type=Path, default=Path("var/bench/serving.json"), help="JSON results"
    )
    bench_serving.set_defaults(handler=_bench_serving)
    add_learning_bench(bench_commands)
