"""Fold models fitted in worker processes, one per available core, while the calling process fits the
final model: two cores fit the seed corpus's five fold models and its final model in about 60% of the
time one core takes.

Why processes and not threads: liblinear draws its coordinate order from one random generator per
process; fits in threads of one process share it, and their models differ in the last digits from run
to run. A process of its own per fit keeps every model the same as a fit in the calling process.
A fold model that the caller keeps comes back as a model directory (the format every model is saved in),
written under a folder that the caller owns and removes.

Why fork: spawn (and forkserver) import the caller's main module again in each worker, which runs a
script without a `__main__` guard a second time. A forked worker only fits a linear model: no threads of
its own, and Python re-creates the logging locks in the child. The transformer backend never forks here
(its libraries start thread pools, and its fits need the accelerator, not more processes).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from jiesu.errors import SettingsError
from jiesu.model.classifier import RequestClassifier
from jiesu.model.config import ClassifierConfig
from jiesu.processes import die_with_parent

log = logging.getLogger(__name__)
WORKERS_VARIABLE = "JIESU_TRAIN_WORKERS"

# Below this many rows a fold fits in a second or two: starting a worker (importing jiesu, loading the
# segmenter's dictionary for the scores) would cost more than it saves.
PARALLEL_MIN_ROWS = 2000


def available_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than the machine has)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def default_workers() -> int:
    """$JIESU_TRAIN_WORKERS, else one per available core. Each worker holds a fold's copy of the
    features (about 0.5 GB on the seed corpus): set it to 1 where memory is short."""
    value = os.environ.get(WORKERS_VARIABLE)
    if value is None or not value.strip():
        return available_cores()
    try:
        workers = int(value)
    except ValueError:
        workers = 0
    if workers < 1:
        raise SettingsError(f"{WORKERS_VARIABLE}={value!r}: expected a whole number of processes, 1 or more")
    return workers


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


@dataclass
class FoldJob:
    """One fold model to fit on `texts`/`y` and the texts it scores (the rows it did not train on)."""

    config: ClassifierConfig
    texts: list[str]
    y: dict[str, list[str | None]]
    classes: dict[str, list[str]]
    sample_weight: list[float] | None
    scored_texts: list[str]
    # Where the fitted model is written when the caller keeps it; None: only its scores come back.
    directory: Path | None = None


@dataclass
class FoldResult:
    scores: dict[str, npt.NDArray[np.float32]]
    unfamiliarity: npt.NDArray[np.float64] | None
    model: RequestClassifier | None


def fit_fold(job: FoldJob) -> FoldResult:
    """Fit one fold model and score its held-out texts (in the calling process or a worker)."""
    model = RequestClassifier(job.config).fit(
        job.texts, job.y, classes=job.classes, sample_weight=job.sample_weight
    )
    scores, unfamiliarity = model.backend_.scores_and_unfamiliarity(model.prepare(job.scored_texts))
    if job.directory is not None:
        model.save(job.directory)
    return FoldResult(scores, unfamiliarity, model)


def _fit_fold_in_worker(job: FoldJob) -> FoldResult:
    result = fit_fold(job)
    result.model = None  # the caller loads the saved directory: a model object does not cross processes
    return result


class FoldFitter:
    """Fits fold jobs in worker processes (`workers` > 1 and enough rows) or one by one in this process.
    Use as a context manager; `submit` all jobs, do other work, then read `results` in job order."""

    def __init__(self, workers: int, rows: int, backend: str = "linear", jobs: int | None = None) -> None:
        self.parallel = workers > 1 and rows >= PARALLEL_MIN_ROWS and backend == "linear" and _can_fork()
        # Never more processes than jobs: a fork of this process per core would be memory for nothing.
        self._workers = max(1, min(workers, jobs)) if jobs else workers
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[tuple[FoldJob, Future[FoldResult] | None]] = []

    def __enter__(self) -> FoldFitter:
        if self.parallel:
            self._pool = ProcessPoolExecutor(
                self._workers, mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent
            )
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, job: FoldJob) -> None:
        future = self._pool.submit(_fit_fold_in_worker, job) if self._pool is not None else None
        self._pending.append((job, future))

    def results(self) -> Iterator[FoldResult]:
        for job, future in self._pending:
            if future is None:  # in this process: the model object itself is kept, no directory needed
                yield fit_fold(replace(job, directory=None))
                continue
            try:
                result = future.result()
            except BrokenProcessPool:
                # A worker died (most often the kernel's out-of-memory killer): the folds it and the
                # others had not returned are fitted here, one by one, with less memory.
                log.warning(
                    "a training worker process died (out of memory?): fitting the remaining folds in this "
                    "process; %s=1 trains in one process from the start",
                    WORKERS_VARIABLE,
                )
                yield fit_fold(replace(job, directory=None))
                continue
            if job.directory is not None:
                result.model = RequestClassifier.load(job.directory)
            yield result
