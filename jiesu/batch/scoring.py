"""Scoring records with a suggester, in batches, in this process or in a pool of processes that each
load the model once (the pattern of `jiesu.model.suggest_io.suggest_lines_in_processes`)."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any, Literal, TypeVar

from jiesu.batch.readers import InputRow, RowError
from jiesu.batch.records import flatten
from jiesu.errors import InputTextError
from jiesu.model.suggestion import Suggester, SuggestionRequest
from jiesu.model.suggestion_types import Suggestion
from jiesu.processes import die_with_parent

BATCH_SIZE = 256
T = TypeVar("T")
R = TypeVar("R")


def load_suggester(model_dir: str | Path) -> Suggester:
    """The model and the shipped reference data, loaded once, then frozen out of the garbage collector's
    way (a long stream of suggestions allocates much; the loaded model never changes)."""
    from jiesu.model.classifier import RequestClassifier
    from jiesu.model.memory import freeze_loaded_objects

    suggester = Suggester.with_reference_data(RequestClassifier.load(model_dir))
    freeze_loaded_objects()
    return suggester


def score_rows(
    suggester: Suggester, rows: Sequence[InputRow], source: str, *, with_json: bool = False
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Output rows for the rows that could be scored, and an error for each that could not (a text the
    suggester refuses), in input order."""
    requests: list[tuple[InputRow, SuggestionRequest]] = []
    errors: list[RowError] = []
    for row in rows:
        try:
            requests.append((row, SuggestionRequest(row.text, row.id, row.caller_district)))
        except InputTextError as exc:
            errors.append(_error(row, source, str(exc)))
    out: list[dict[str, Any]] = []
    for start in range(0, len(requests), BATCH_SIZE):
        batch = requests[start : start + BATCH_SIZE]
        for (row, _), answer in zip(batch, _suggest_batch(suggester, batch), strict=True):
            if isinstance(answer, Suggestion):
                out.append(flatten(row, source, answer, with_json=with_json))
            else:
                errors.append(_error(row, source, answer))
    errors.sort(key=lambda error: error.number)
    return out, errors


def _suggest_batch(
    suggester: Suggester, batch: list[tuple[InputRow, SuggestionRequest]]
) -> list[Suggestion | str]:
    try:
        return list(suggester.suggest_many([request for _, request in batch]))
    except ValueError:
        # One request the suggester refuses must not sink its batch: answer one by one.
        answers: list[Suggestion | str] = []
        for _, request in batch:
            try:
                answers.append(suggester.suggest(request))
            except ValueError as exc:
                answers.append(str(exc))
        return answers


def _error(row: InputRow, source: str, reason: str) -> RowError:
    position: Literal["line", "row"] = "row" if source.lower().endswith((".parquet", ".pq")) else "line"
    return RowError(source=source, position=position, number=row.number, id=row.id, reason=reason)


# --- in processes -----------------------------------------------------------------------------------------

_worker_suggester: Suggester | None = None


def worker_suggester() -> Suggester:
    assert _worker_suggester is not None, "worker started without a model"
    return _worker_suggester


def _start_worker(model_dir: str, parent: int) -> None:
    global _worker_suggester
    die_with_parent()
    if os.getppid() != parent:  # the run died before the line above: no signal will come
        raise SystemExit(f"the re-scoring run (process {parent}) is gone")
    _worker_suggester = load_suggester(model_dir)


def map_in_processes(
    model_dir: Path, task: Callable[[T], R], items: Iterable[T], workers: int
) -> Iterator[R]:
    """`task(item)` for every item, in order, in `workers` processes that each load the model once
    (`task` reads it with `worker_suggester()`). At most two items per worker are in flight, so the items
    are streamed, never all held. With one worker, everything runs here, with no process to start."""
    global _worker_suggester
    if workers == 1:
        _worker_suggester = load_suggester(model_dir)
        yield from map(task, items)
        return
    context = multiprocessing.get_context("spawn")  # a clean process: no state inherited from the caller
    initargs = (str(model_dir), os.getpid())
    with context.Pool(workers, initializer=_start_worker, initargs=initargs) as pool:
        in_flight: deque[AsyncResult[R]] = deque()
        for item in items:
            in_flight.append(pool.apply_async(task, (item,)))
            if len(in_flight) >= 2 * workers:
                yield in_flight.popleft().get()
        while in_flight:
            yield in_flight.popleft().get()
