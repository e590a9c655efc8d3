"""`jiesu bench learning` on the command line (jiesu.serving.learning_bench does the work; it drives the
ticket service, so it lives in the serving layer, not beside the other benchmarks in evaluation/)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_learning_bench(bench_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    learning = bench_commands.add_parser(
        "learning",
        help="issue 13's acceptance: settle real dev-half messages, train --from-db, score the report half",
    )
    learning.add_argument("--model", type=Path, help="the serving model (default: the default model)")
    learning.add_argument(
        "--real-data",
        type=Path,
        help="folder holding teddycup2020/ (default: $JIESU_SHARED_DATA, else ../shared/data)",
    )
    learning.add_argument("--tickets", type=int, default=2000, help="tickets to settle (default 2000)")
    learning.add_argument("--seed", type=int, default=0, help="order of the messages (default 0)")
    learning.add_argument("--output", type=Path, default=Path("var/bench/learning.json"), help="JSON results")
    learning.set_defaults(handler=bench_learning)


def bench_learning(args: argparse.Namespace) -> int:
    from jiesu.evaluation.real_text import default_real_data_dir, load_real_texts
    from jiesu.serving.learning_bench import format_report, run_learning_bench
    from jiesu.training.default_model import ensure_default_model

    real_data = args.real_data or default_real_data_dir()
    dev, report_half = load_real_texts(real_data, "dev"), load_real_texts(real_data, "report")
    model_dir = args.model or ensure_default_model()
    report = run_learning_bench(model_dir, dev, report_half, args.tickets, args.seed)
    print(format_report(report))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"full results in {args.output}")
    return 0
