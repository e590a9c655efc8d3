"""`jiesu models list|evaluate|promote|rollback`, `jiesu train --from-db` and `jiesu audit model`: the
learning loop from the command line. `jiesu.cli` calls `add_model_commands(subparsers)` and
`add_model_audit_command(subparsers)`; heavy imports wait for the handlers. The database comes from the
server's settings (JIESU_DATABASE_URL) or --database-url; the registry is `<data dir>/models`."""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from jiesu.errors import JiesuError, Messages, message

if TYPE_CHECKING:
    from jiesu.model.config import ClassifierConfig
    from jiesu.serving.db import Database
    from jiesu.training.datasets import SourceSpec
    from jiesu.training.registry import ModelRegistry

EVALUATION_LIMIT = 1000
HOLDOUT = 0.2


def registry() -> ModelRegistry:
    from jiesu.training.default_model import data_dir
    from jiesu.training.registry import ModelRegistry

    return ModelRegistry(data_dir() / "models")


def open_database(url: str | None) -> tuple[Database, str]:
    """The database and its URL as it may be shown (no password)."""
    from sqlalchemy import make_url

    from jiesu.serving.db import Database
    from jiesu.serving.settings import load_settings

    settings = load_settings(database_url=url)
    return Database(settings.database_url), make_url(settings.database_url).render_as_string()


def add_model_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    models = subparsers.add_parser("models", help="the model registry: list, evaluate, promote, roll back")
    commands = models.add_subparsers(dest="models_command", required=True)
    listing = commands.add_parser("list", help="every model: id, training data, promise, evaluation")
    listing.add_argument("--json", action="store_true", help="JSON instead of a table")
    listing.set_defaults(handler=list_models)
    evaluate = commands.add_parser(
        "evaluate", help="a candidate against the current model on recent settled tickets neither trained on"
    )
    evaluate.add_argument("model", help="registry id (jiesu models list)")
    evaluate.add_argument("--limit", type=int, default=EVALUATION_LIMIT, help="most recent N tickets")
    evaluate.add_argument("--database-url", help="SQLAlchemy URL (default: JIESU_DATABASE_URL)")
    evaluate.set_defaults(handler=evaluate_model)
    promote = commands.add_parser("promote", help="make a model current (refused if it evaluated worse)")
    promote.add_argument("model", help="registry id")
    promote.add_argument("--force", action="store_true", help="promote even if worse or not evaluated")
    promote.set_defaults(handler=promote_model)
    rollback = commands.add_parser("rollback", help="return to the previous current model")
    rollback.set_defaults(handler=rollback_model)


def add_train_options(train: argparse.ArgumentParser) -> None:
    train.add_argument(
        "--from-db",
        action="store_true",
        help="train on the seed corpus (or --data) plus the database's settled tickets, weighted by how "
        "sure their outcome is; the model goes into the registry as a candidate (--out optional)",
    )
    train.add_argument("--database-url", help="with --from-db: SQLAlchemy URL (default: JIESU_DATABASE_URL)")
    train.add_argument(
        "--holdout",
        type=float,
        default=HOLDOUT,
        help=f"with --from-db: share of the most recently settled tickets kept out of training for "
        f"`jiesu models evaluate` (default {HOLDOUT})",
    )


def add_model_audit_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`jiesu audit model`, in the `audit` group (created here if no other command made it yet)."""
    audit = subparsers.choices.get("audit") or subparsers.add_parser("audit", help="audits of the history")
    group = next((a for a in audit._actions if isinstance(a, argparse._SubParsersAction)), None)
    group = group or audit.add_subparsers(dest="audit_command", required=True)
    model = group.add_parser(
        "model", help="is the model keeping its promise: auto-dispatch accuracy with intervals, drift"
    )
    model.add_argument(
        "--from", dest="date_from", type=date.fromisoformat, help="default: 27 days before --to"
    )
    model.add_argument("--to", dest="date_to", type=date.fromisoformat, help="default: today")
    model.add_argument("--period", choices=("day", "week"), default="week")
    model.add_argument("--format", choices=("table", "json"), default="table")
    model.add_argument("--database-url", help="SQLAlchemy URL (default: JIESU_DATABASE_URL)")
    model.set_defaults(handler=audit_model)


def list_models(args: argparse.Namespace) -> int:
    summaries = registry().summaries()
    if args.json:
        print(json.dumps([s.model_dump(mode="json") for s in summaries], ensure_ascii=False, indent=1))
        return 0
    if not summaries:
        print(f"no models in {registry().root}")
        return 0
    for s in summaries:
        promise = "-" if s.promised_accuracy is None else f"{s.promised_accuracy:.2f}"
        inner = "-" if s.inner_coverage is None else f"{s.inner_coverage:.3f} at {s.inner_accuracy or 0:.3f}"
        verdict = "not evaluated"
        if s.evaluation is not None:
            worse = s.evaluation.get("worse") or []
            verdict = f"vs {s.evaluation['current']}: " + (
                f"worse on {', '.join(worse)}" if worse else "not worse"
            )
        print(f"{'*' if s.current else ' '} {s.id}  (model {s.model_id}, created {s.created_at})")
        print(f"    trained on {s.rows} rows, {s.settled_tickets} settled tickets: {s.source}")
        print(f"    promised accuracy {promise}; inner folds: auto share {inner}; {verdict}")
    return 0


def evaluate_model(args: argparse.Namespace) -> int:
    from jiesu.evaluation.candidate import evaluate, format_evaluation
    from jiesu.model.classifier import RequestClassifier
    from jiesu.serving.commands import database_errors
    from jiesu.serving.settled import load_settled

    models = registry()
    candidate_dir = models.path(args.model)
    current = models.current()
    if current is None:
        raise JiesuError(message(Messages.registry_no_current, root=models.root))
    # Neither model may be scored on a ticket it trained on: the current model's own training tickets
    # would flatter it against the candidate (a candidate's held-out tickets can be among them).
    seen = models.settled_tickets(args.model) | models.settled_tickets(current)
    database, shown = open_database(args.database_url)
    try:
        with database_errors(args.database_url):
            examples = load_settled(database, exclude=seen, limit=args.limit)
    finally:
        database.dispose()
    if not examples:
        raise JiesuError(message(Messages.no_unseen_settled_tickets, model=args.model, current=current))
    result = evaluate(
        (args.model, RequestClassifier.load(candidate_dir)),
        (current, RequestClassifier.load(models.path(current))),
        examples,
    )
    path = models.save_evaluation(args.model, result.model_dump(mode="json") | {"database": shown})
    print(format_evaluation(result))
    print(f"evaluation saved to {path}")
    return 0


def promote_model(args: argparse.Namespace) -> int:
    models = registry()
    models.path(args.model)
    current = models.current()
    if current == args.model:
        print(f"{args.model} is already the current model")
        return 0
    evaluation = models.evaluation(args.model)
    problem = None
    if evaluation is None or evaluation.get("current") != current:
        problem = message(Messages.registry_not_evaluated, model=args.model, current=current)
    elif evaluation.get("worse"):
        worse = ", ".join(evaluation["worse"])
        problem = message(Messages.registry_promotion_refused, model=args.model, current=current, worse=worse)
    if problem is not None and not args.force:
        raise JiesuError(problem)
    event = models.promote(args.model, forced=problem is not None)
    forced = " (forced)" if event.forced else ""
    print(f"{args.model} is now the current model{forced}; previous: {event.previous}")
    return 0


def rollback_model(_args: argparse.Namespace) -> int:
    event = registry().rollback()
    print(f"rolled back: {event.model} is the current model again (was {event.previous})")
    return 0


def train_from_db(args: argparse.Namespace, config: ClassifierConfig, specs: list[SourceSpec]) -> int:
    """`jiesu train --from-db`: the seed corpus (or --data) plus settled tickets, into the registry."""
    from jiesu.serving.commands import database_errors
    from jiesu.serving.settled import load_settled
    from jiesu.training.datasets import SEED, load_training_data, load_training_sources
    from jiesu.training.pipeline import fit_calibrated
    from jiesu.training.registry import SETTLED_FILE
    from jiesu.training.settled import with_settled
    from jiesu.workflow.outcomes import OutcomeWeights

    if not 0 <= args.holdout < 1:
        raise JiesuError("--holdout must be at least 0 and below 1")
    database, shown = open_database(args.database_url)
    try:
        with database_errors(args.database_url):
            settled = load_settled(database)  # the most recently settled first
    finally:
        database.dispose()
    held = math.ceil(args.holdout * len(settled)) if settled else 0
    training = settled[held:]
    if not training:
        raise JiesuError(message(Messages.no_settled_tickets, database=shown, purpose="train on"))
    seed = load_training_sources(specs) if specs else load_training_data(SEED)
    data = with_settled(seed, training, shown)
    print(f"training on {len(seed.texts)} corpus rows and {len(training)} settled tickets "
          f"({held} most recent kept out for evaluation)")  # fmt: skip
    model, _ = fit_calibrated(
        data.texts, data.targets, config, source=data.source, progress=not args.no_progress,
        sample_weight=data.weights, unit_labels=data.unit_labels,
    )  # fmt: skip
    models = registry()
    out = Path(args.out) if args.out else models.new_model_dir(model.model_id_)
    sidecar = {"ticket_ids": data.ticket_ids, "weights": asdict(OutcomeWeights()), "held_out": held}
    model.save(out, extra={SETTLED_FILE: sidecar})
    decision = model.training_.metrics["calibration"]["decision"]
    print(f"saved candidate {out.name} (model {model.model_id_}) to {out}: not promoted; "
          f"inner auto share {decision['inner_coverage']:.3f}. Next: jiesu models evaluate {out.name}")  # fmt: skip
    return 0


def audit_model(args: argparse.Namespace) -> int:
    from jiesu.serving.commands import database_errors
    from jiesu.serving.model_metrics import ModelReferences, format_table, model_metrics

    date_to = args.date_to or date.today()
    date_from = args.date_from or date_to - timedelta(days=27)
    database, _ = open_database(args.database_url)
    try:
        with database_errors(args.database_url):
            report = model_metrics(
                database, ModelReferences.under(registry().root), date_from, date_to, args.period
            )
    finally:
        database.dispose()
    print(report.model_dump_json(indent=1) if args.format == "json" else format_table(report))
    return 0
