"""The `jiesu` command line: one entry point, subcommands per job. (Logging is configured here only.)"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from jiesu.argtypes import whole_number
from jiesu.bench_cli import add_bench_commands
from jiesu.errors import JiesuError, Messages, SettingsError, message
from jiesu.extras import require_extra
from jiesu.logformat import configure_logging as configure_log_format
from jiesu.processes import Terminated, unwind_on_sigterm
from jiesu.serving.model_commands import add_model_audit_command, add_model_commands, add_train_options
from jiesu.training.source_options import add_data_options, source_specs

if TYPE_CHECKING:
    from jiesu.model.config import ClassifierConfig
    from jiesu.model.suggestion import Suggester
    from jiesu.training.datasets import TrainingData
    from jiesu.training.pipeline import CrossValidation

log = logging.getLogger("jiesu")

Handler = Callable[[argparse.Namespace], int]


def _data_check(args: argparse.Namespace) -> int:
    from jiesu.data.check import ReferencePaths, format_report, load_reference, run_check
    from jiesu.data.loading import load_dataset
    from jiesu.data.manifest import update_manifest
    from jiesu.data.register import format_comparison, profile_texts

    compared = None
    if args.compare:  # read first: a file that cannot be read stops before the long check
        texts = load_dataset(
            args.compare, text_column=args.compare_text_column, min_classes=0, duplicates="ignore"
        )["text"]
        compared = profile_texts(args.compare.name, texts)
    if args.update_manifest:
        load_reference(ReferencePaths())  # a resource that is not valid is not recorded: its error stops here
        changes = update_manifest()
        print("\n".join(f"recorded {change}" for change in changes) or "manifest already up to date")
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
    if compared is not None and result.corpus_texts:
        print()
        print(format_comparison([profile_texts("seed corpus", result.corpus_texts), compared]))
    return 0 if result.ok else 1


def _classifier_config(args: argparse.Namespace) -> ClassifierConfig:
    from dataclasses import replace

    from jiesu.model.config import ClassifierConfig

    config = ClassifierConfig.from_file(args.config) if args.config else ClassifierConfig()
    if args.backend:
        config = replace(config, backend=args.backend)
    if args.seed is not None:
        config = replace(config, seed=args.seed)
    if getattr(args, "checkpoint", None):
        config = replace(config, transformer=replace(config.transformer, checkpoint=args.checkpoint))
    return config


_worker_count = whole_number(1, 256, "--workers")
_fold_count = whole_number(2, 1000, "--cv (cross-validation folds)")


def _train(args: argparse.Namespace) -> int:
    from jiesu.evaluation.metrics import format_head, head_metrics
    from jiesu.model.model_dir import check_save_target
    from jiesu.training.datasets import load_training_sources
    from jiesu.training.fold_workers import default_workers
    from jiesu.training.pipeline import cross_validate, fit_calibrated

    try:
        config = _classifier_config(args)
    except (ValueError, TypeError) as exc:  # TypeError: a list where a word list was expected, say
        raise JiesuError(f"configuration: {exc}") from exc
    if config.backend == "transformer":
        require_extra("transformer", "jiesu train --backend transformer")
    if args.from_db:
        from jiesu.serving.model_commands import train_from_db

        return train_from_db(args, config, source_specs(args))
    if not args.sources:
        raise JiesuError("the following arguments are required: --data (or --from-db)")
    if args.out is None:
        raise JiesuError("--out is required (only --from-db has a default: the model registry)")
    check_save_target(Path(args.out))  # before minutes of training, not after
    default_workers()  # a bad JIESU_TRAIN_WORKERS is said before the data is read, not after
    data = load_training_sources(source_specs(args))
    scored = _cv_rows(args, data)
    progress = not args.no_progress
    if not progress and config.backend == "transformer":
        # transformers and huggingface_hub draw bars of their own (loading weights, writing shards).
        os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    log.info(
        "training %s heads %s on %d texts from %s",
        config.backend,
        list(data.targets),
        len(data.texts),
        data.source,
    )
    cv_metrics: dict[str, Any] = {}
    try:
        if args.cv:
            result = cross_validate(
                data.texts,
                data.targets,
                config,
                args.cv,
                scored=scored,
                progress=progress,
                unit_labels=data.unit_labels,
            )
            on = "" if scored is None else f", scored on the rows of --data #{args.cv_source}"
            for head, oof in result.heads.items():
                cv_metrics[head] = head_metrics(oof.classes, oof.y, oof.proba, auto=oof.auto, folds=oof.fold)
                title = f"{head} (out-of-fold, {args.cv}-fold{on})"
                print(format_head(title, cv_metrics[head], per_class=False))
            _print_second_level(result, data.targets)
        model, _ = fit_calibrated(
            data.texts,
            data.targets,
            config,
            source=data.source,
            progress=progress,
            unit_labels=data.unit_labels,
        )
    except ValueError as exc:  # too few texts or groups for the folds asked for
        raise JiesuError(f"cannot train on {data.source}: {exc}") from exc
    if cv_metrics:
        model.training_.metrics["cross_validation"] = {"k": args.cv, "heads": cv_metrics}
    out = model.save(args.out)
    calibration = model.training_.metrics["calibration"]
    for head in model.heads_:
        threshold = calibration["threshold"][head]
        shown = "none (never auto)" if threshold is None else f"{threshold:.4f}"
        print(f"{head}: {len(model.classes_[head])} classes, temperature {calibration['temperature'][head]:.3f}, "
              f"threshold {shown}, inner ECE {calibration['inner_out_of_fold_ece'][head]:.4f}")  # fmt: skip
    print(f"saved model {model.model_id_} to {out} (metrics in {out / 'metrics.json'})")
    return 0


def _cv_rows(args: argparse.Namespace, data: TrainingData) -> list[bool] | None:
    """With --cv-source N: the rows of the N-th --data are cross-validated, the others always train."""
    if args.cv_source is None:
        return None
    if not args.cv:
        raise JiesuError("--cv-source needs --cv K")
    if not 1 <= args.cv_source <= len(args.sources):
        raise JiesuError(f"--cv-source {args.cv_source}: there are {len(args.sources)} --data sources")
    if data.origin is None:
        return None  # one source: every row is scored
    return [origin == args.cv_source - 1 for origin in data.origin]


def _print_second_level(result: CrossValidation, targets: Mapping[str, Sequence[str | None]]) -> None:
    """Rows scored without a second-level label still get one: show what the hierarchy names."""
    from collections import Counter

    if "category" not in result.proba or "category" in result.heads:
        return
    rows = result.scored_rows
    if len(rows) == 0:
        return
    classes = result.heads["category_l1"].classes if "category_l1" in result.heads else []
    named = result.proba["category"][rows].argmax(axis=1)
    counts = Counter(named.tolist())
    l2_names = sorted({label for label in targets["category"] if label})
    common = ", ".join(f"{l2_names[i]} {n}" for i, n in counts.most_common(8))
    print(
        f"second level (no label on these {len(rows)} rows): every row is given one of "
        f"{len(counts)} categories under {len(classes)} first-level ones; most frequent: {common}"
    )


def _evaluate(args: argparse.Namespace) -> int:
    from jiesu.evaluation.classification import evaluate_decisions, evaluate_model, format_decisions
    from jiesu.evaluation.metrics import format_head
    from jiesu.model.classifier import RequestClassifier
    from jiesu.training.datasets import load_training_data

    model = RequestClassifier.load(args.model)
    specs = source_specs(args)
    if len(specs) != 1:
        raise JiesuError("evaluate scores one --data at a time")
    data = load_training_data(
        specs[0].path,
        text_column=specs[0].text_column,
        label_column=specs[0].label_column,
        columns=specs[0].columns,
        seed_splits=(args.split,),
        for_evaluation=True,
        label_map=specs[0].label_map,
    )
    if args.report:
        require_extra("report", "jiesu evaluate --report")  # before the minutes of scoring, not after
    report = evaluate_model(model, data.texts, data.targets)
    report["data"] = data.source
    units = data.dataset["unit"] if "unit" in data.dataset.column_names else None
    report["decisions"] = evaluate_decisions(model, data.texts, data.targets, units)
    if "id" in data.dataset.column_names:  # the bad-case list names each row as the data does
        ids = data.dataset["id"]
        for metrics in report["heads"].values():
            for error in metrics["confident_errors"]:
                error["id"] = ids[error["row"]]
    print(format_decisions(report["decisions"]))
    for head, metrics in report["heads"].items():
        print(format_head(head, metrics))
    if args.report:
        from jiesu.evaluation.model_report import write_model_report

        print(f"report page written to {write_model_report(report, args.report)}")
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"report written to {args.output}")
    return 0


def _open_text(path: Path, mode: Literal["r", "w"]) -> TextIO:
    try:
        return path.open(mode, encoding="utf-8", errors="surrogateescape" if mode == "r" else "strict")
    except OSError as exc:
        raise JiesuError(message(Messages.cannot_open, path=path, problem=exc.strerror or exc)) from None


def _suggest(args: argparse.Namespace) -> int:
    from jiesu.model.classifier import RequestClassifier
    from jiesu.model.memory import freeze_loaded_objects
    from jiesu.model.suggest_io import (
        format_readable,
        suggest_lines,
        suggest_lines_in_processes,
        write_jsonl,
        write_lines,
    )
    from jiesu.model.suggestion import Suggester, SuggestionRequest
    from jiesu.training.default_model import ensure_default_model

    if args.interactive:
        if args.text is not None or args.input or args.output or args.workers > 1:
            raise JiesuError(
                "--interactive reads texts from the terminal: no --text, --input, --output or --workers"
            )
        if isinstance(sys.stdin, io.TextIOWrapper):
            sys.stdin.reconfigure(errors="surrogateescape")
        try:
            model = RequestClassifier.load(args.model or ensure_default_model())
        except KeyboardInterrupt:  # Ctrl-C while the model loads (or the default model trains)
            return 130
        suggester = Suggester.with_reference_data(model)
        return _suggest_interactively(suggester, sys.stdin, args.caller_district, as_json=args.json)
    if args.text is not None:
        try:  # the text is checked before the model loads: a text with no request fails at once
            request = SuggestionRequest(text=args.text, caller_district=args.caller_district)
        except ValueError as exc:  # empty, or no request in it (only emoji, punctuation, a number)
            raise JiesuError(str(exc)) from exc
        model = RequestClassifier.load(args.model or ensure_default_model())
        try:
            suggestion = Suggester.with_reference_data(model).suggest(request)
        except ValueError as exc:  # an unknown caller district
            raise JiesuError(str(exc)) from exc
        readable = format_readable(suggestion)
        print(
            json.dumps(suggestion.model_dump(mode="json"), ensure_ascii=False, indent=1)
            if args.json
            else readable
        )
        return 0
    # Files are opened before the model loads: a wrong path is an error line at once, not after a training.
    # Bytes that are not UTF-8 become lone surrogates, refused line by line like any other bad line.
    with ExitStack() as files:
        source = files.enter_context(_open_text(args.input, "r")) if args.input else sys.stdin
        if not args.input and isinstance(sys.stdin, io.TextIOWrapper):
            sys.stdin.reconfigure(errors="surrogateescape")
        target = files.enter_context(_open_text(args.output, "w")) if args.output else sys.stdout
        model_dir = args.model or ensure_default_model()
        model = RequestClassifier.load(model_dir)
        freeze_loaded_objects()  # a stream of suggestions: keep full collections off the loaded model
        if args.workers > 1:
            written = write_lines(suggest_lines_in_processes(model_dir, source, args.workers), target)
        else:
            written = write_jsonl(suggest_lines(Suggester.with_reference_data(model), source), target)
    log.info(
        "wrote %d suggestion(s) and %d error line(s) (lines that could not be answered) with model %s",
        written.suggestions,
        written.errors,
        model.model_id_,
    )
    return 0


def _suggest_interactively(
    suggester: Suggester, source: TextIO, caller_district: str | None, *, as_json: bool
) -> int:
    """`jiesu suggest --interactive`: the model is loaded once; each line read is one request text, answered
    as `--text` answers it. Blank lines are skipped; a bad line is an error line and the loop goes on;
    end of input (Ctrl-D) or Ctrl-C ends it with status 0."""
    from jiesu.model.suggest_io import format_readable
    from jiesu.model.suggestion import SuggestionRequest

    prompt = "text> " if source.isatty() else ""
    if prompt:
        print("one request text per line; Ctrl-D or Ctrl-C ends", file=sys.stderr)
    try:
        while True:
            if prompt:
                print(prompt, end="", file=sys.stderr, flush=True)
            line = source.readline()
            if not line:
                break
            text = line.strip()
            if not text:
                continue
            try:
                suggestion = suggester.suggest(SuggestionRequest(text=text, caller_district=caller_district))
            except (ValueError, UnicodeError) as exc:  # an unknown district, undecodable bytes
                print(f"error: {exc}", file=sys.stderr, flush=True)
                continue
            shown = suggestion.model_dump(mode="json")
            print(
                json.dumps(shown, ensure_ascii=False) if as_json else format_readable(suggestion) + "\n",
                flush=True,
            )
    except KeyboardInterrupt:
        pass
    if prompt:
        print(file=sys.stderr)
    return 0


def _rescore(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from jiesu.batch.command import file_job, workers_of
    from jiesu.batch.summary import format_summary
    from jiesu.training.default_model import ensure_default_model

    if args.from_db and args.input:
        raise JiesuError("--from-db reads the serving database, not --input: give one or the other")
    if args.from_db and args.engine != "local":
        raise JiesuError("--from-db runs on the local engine only (--workers processes): leave out --engine")
    if args.database_url and not args.from_db:
        raise JiesuError("--database-url goes with --from-db (files are scored into --output)")
    if args.from_db:
        from jiesu.serving.rescore_store import rescore_database

        summary = rescore_database(
            args.model or ensure_default_model(),
            database_url=args.database_url,
            workers=workers_of(args),
            chunk_rows=args.chunk_rows,
            output=args.output,
            progress=not args.no_progress,
        )
    else:
        from jiesu.batch.job import run_job

        if args.engine == "ray":
            require_extra("ray", "jiesu rescore --engine ray")
        job = file_job(args, args.model or Path())  # inputs checked before the default model may be trained
        if args.model is None:
            job = replace(job, model_dir=ensure_default_model())
        summary = run_job(
            job,
            engine=args.engine,
            workers=workers_of(args),
            progress=not args.no_progress,
            ray_address=args.ray_address,
            ray_gpus_per_worker=args.ray_gpus_per_worker,
        )
    print(format_summary(summary))
    if args.output is not None:
        print(f"summary in {args.output / 'summary.json'}")
    return 0


def _data_oracle(args: argparse.Namespace) -> int:
    from jiesu.data.catalogue import load_catalogue
    from jiesu.data.corpus import load_seed_corpus
    from jiesu.evaluation.catalogue_oracle import format_oracle, run_oracle

    rows = load_seed_corpus(args.corpus).to_list()
    catalogue = load_catalogue(args.catalogue) if args.catalogue else None
    print(format_oracle(run_oracle(rows, catalogue), examples=args.examples))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jiesu",
        description="jiesu: dispatch suggestions and the ticket workflow of a city service hotline",
    )
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
    check.add_argument(
        "--update-manifest",
        action="store_true",
        help="record every shipped resource's version and sha256 in resources/manifest.json, then check; "
        "refuses a changed file whose version was not bumped",
    )
    check.add_argument(
        "--compare",
        type=Path,
        metavar="FILE",
        help="also print the corpus's length and register figures next to those of FILE (CSV/JSONL/JSON/"
        "Parquet, e.g. ../shared/data/teddycup2020/messages_raw_1842.jsonl)",
    )
    check.add_argument(
        "--compare-text-column", default="text", metavar="C", help="the text column of --compare FILE"
    )
    check.set_defaults(handler=_data_check)
    oracle = data_commands.add_parser(
        "oracle",
        help="route each corpus row's gold category at its gold place and compare with its gold unit, "
        "per split; list the disagreements",
    )
    oracle.add_argument("--catalogue", type=Path, help="dispatch catalogue JSON instead of the shipped one")
    oracle.add_argument("--corpus", type=Path, help="corpus JSONL file or folder instead of the seed corpus")
    oracle.add_argument(
        "--examples",
        type=whole_number(0, 100_000, "--examples"),
        default=0,
        metavar="N",
        help="also print the first N rows",
    )
    oracle.set_defaults(handler=_data_oracle)

    train = commands.add_parser("train", help="train a classifier and write a model directory")
    add_data_options(train, several=True, required=False)  # --from-db alone: the seed corpus
    train.add_argument("--out", type=Path, help="model directory to write (replaced atomically)")
    train.add_argument(
        "--backend", choices=["linear", "transformer"], help="default: linear (or the config's)"
    )
    train.add_argument("--config", type=Path, help="JSON configuration (see jiesu.model.config)")
    train.add_argument("--checkpoint", help="transformer backend: local checkpoint directory or hub name")
    train.add_argument(
        "--cv", type=_fold_count, metavar="K", help="also report K-fold out-of-fold metrics (K ≥ 2)"
    )
    train.add_argument(
        "--cv-source",
        type=int,
        metavar="N",
        help="with --cv and several --data: cross-validate on the rows of the N-th (1-based); the other "
        "sources are in every fold's training part",
    )
    train.add_argument("--seed", type=int, help="random seed (default 0 or the config's)")
    train.add_argument("--no-progress", action="store_true", help="no progress bars")
    add_train_options(train)  # --from-db
    train.set_defaults(handler=_train)

    evaluate = commands.add_parser("evaluate", help="score a model directory on labelled data")
    evaluate.add_argument("--model", required=True, type=Path, help="model directory")
    add_data_options(evaluate)
    evaluate.add_argument(
        "--split", default="test", choices=["train", "dev", "test"], help="seed corpus split"
    )
    evaluate.add_argument("--output", type=Path, help="write the JSON report here")
    evaluate.add_argument(
        "--report",
        type=Path,
        metavar="DIR",
        help="write a page for people to DIR/index.html (plots, per-class table, the surest errors)",
    )
    evaluate.set_defaults(handler=_evaluate)

    suggest = commands.add_parser("suggest", help="dispatch suggestions for requests (JSON Lines in, out)")
    suggest.add_argument(
        "--model", type=Path, help="model directory (default: the default model, built if missing)"
    )
    suggest.add_argument(
        "--input", type=Path, help='JSON Lines of {"id", "text", "caller_district"?} (default stdin)'
    )
    suggest.add_argument(
        "--output", type=Path, help="where to write one suggestion per line (default stdout)"
    )
    suggest.add_argument(
        "--workers",
        type=_worker_count,
        default=1,
        help="processes for a JSON Lines file (re-scoring history on every core); output order is kept",
    )
    suggest.add_argument("--text", help="suggest for this one text and print it readably")
    suggest.add_argument("--caller-district", help="with --text: the caller's district as a prior")
    suggest.add_argument("--json", action="store_true", help="with --text: print the JSON object instead")
    suggest.add_argument(
        "--interactive",
        action="store_true",
        help="load the model once, then answer each line typed (one request text) as --text does; "
        "Ctrl-D or Ctrl-C ends (with --json: one JSON object per line)",
    )
    suggest.set_defaults(handler=_suggest)

    from jiesu.batch.command import add_rescore_options

    rescore = commands.add_parser(
        "rescore", help="re-score historical cases in bulk (files or the database), resumable, summarised"
    )
    add_rescore_options(rescore)
    rescore.set_defaults(handler=_rescore)

    from jiesu.serving.commands import add_serving_commands  # serve, db upgrade, keys create/list/revoke

    add_serving_commands(commands)

    from jiesu.demo.commands import add_demo_commands  # demo simulate
    from jiesu.serving.audit_commands import add_audit_commands  # audit misdispatch

    add_demo_commands(commands)
    add_audit_commands(commands)

    add_bench_commands(commands)
    add_model_commands(commands)  # models list|evaluate|promote|rollback
    add_model_audit_command(commands)  # audit model
    return parser


def configure_logging(verbose: bool = False) -> None:
    """The log setup of every jiesu process: the CLI, and each `jiesu serve --workers N` worker
    (`jiesu.serving.factory`), in the format JIESU_LOG_FORMAT names (text or json; SettingsError if
    neither)."""
    configure_log_format(logging.DEBUG if verbose else logging.INFO)
    if not verbose:
        # Alembic lists every plugin it sets up at INFO, on every command that opens the database.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        configure_logging(args.verbose)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    handler: Handler = args.handler
    unwind_on_sigterm()  # `serve` installs uvicorn's own handler when it starts
    try:
        return handler(args)
    except JiesuError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130  # 128 + SIGINT
    except Terminated:
        print("terminated", file=sys.stderr)
        return 143  # 128 + SIGTERM
    except BrokenPipeError:
        # The reader went away (`jiesu suggest … | head`): stop quietly, as Unix tools do. Pointing
        # stdout at devnull keeps the interpreter's final flush from raising again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
