"""The model that serves suggestions, and the swap to a newly promoted one without a restart.

`ServedModel` holds the classifier and its suggester as one tuple, replaced in one assignment: a request
reads it once and uses that pair throughout, so every suggestion (and the ticket that stores it, with its
`versions.model_id`) comes from one model, old or new, never a mix.

`RegistryWatcher` looks at the registry pointer's modification time at most every `interval_s` seconds
(a stat, in the event loop's background task); when it changed and names another model directory, the
model is loaded and warmed up in a worker thread, off the request path, and swapped in. A model that
fails to load leaves the old one serving and logs an error naming the kind of failure (never a request
text); it is tried again after a wait that doubles with each failure (up to MAX_RETRY_S), so a model being
repaired in place is picked up without loading a broken one every few seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from jiesu.model.classifier import RequestClassifier
from jiesu.model.suggestion import Suggester, SuggestionRequest
from jiesu.model.suggestion_types import Suggestion
from jiesu.training.registry import ModelRegistry

log = logging.getLogger(__name__)
WARM_UP_TEXT = "朝阳区望京街道小区暖气不热"
MAX_RETRY_S = 300.0  # the longest wait between tries of a model that failed to load


class ServedModel:
    def __init__(self, classifier: RequestClassifier, directory: Path | None = None) -> None:
        self._current = _ready(classifier)
        self.directory = directory

    @property
    def classifier(self) -> RequestClassifier:
        return self._current[0]

    @property
    def suggester(self) -> Suggester:
        return self._current[1]

    def suggest(self, request: SuggestionRequest) -> Suggestion:
        return self._current[1].suggest(request)

    def suggest_many(self, requests: Sequence[SuggestionRequest]) -> list[Suggestion]:
        return self._current[1].suggest_many(requests)

    def swap(self, classifier: RequestClassifier, directory: Path | None) -> None:
        """Serve `classifier` from now on (its suggester is built and warmed up before the swap)."""
        pair = _ready(classifier)
        self._current = pair  # one assignment: a reader sees the old pair or the new one
        self.directory = directory


def _ready(classifier: RequestClassifier) -> tuple[RequestClassifier, Suggester]:
    suggester = Suggester.with_reference_data(classifier)
    suggester.suggest(SuggestionRequest(WARM_UP_TEXT))  # so that the first request is not slow
    return classifier, suggester


class RegistryWatcher:
    def __init__(self, served: ServedModel, registry: ModelRegistry, interval_s: float) -> None:
        self.served = served
        self.registry = registry
        self.interval_s = interval_s
        self._seen = self._stamp()
        self._failed: float | None = None  # the pointer stamp whose model last failed to load
        self._failures = 0
        self._retry_at = 0.0
        self.clock: Callable[[], float] = time.monotonic  # tests may replace it

    def _stamp(self) -> float | None:
        try:
            return self.registry.pointer_path.stat().st_mtime_ns / 1e9
        except OSError:
            return None

    def check(self) -> bool:
        """Swap in the registry's current model when the pointer changed; True when a model was swapped."""
        stamp = self._stamp()
        if stamp == self._seen or (stamp == self._failed and self.clock() < self._retry_at):
            return False
        try:
            directory = self.registry.current_path()
            if directory is None or directory == self.served.directory:
                self._seen = stamp
                return False
            classifier = RequestClassifier.load(directory)
            self.served.swap(classifier, directory)
        except Exception as exc:  # any failure to load or warm up: keep serving, try again later
            # Not marked seen: tried again later (a disk that was full, a file being replaced), after a
            # wait that doubles each time; the error is logged once per pointer change.
            if stamp != self._failed:
                log.error(
                    "model reload failed (%s); still serving %s; trying again later",
                    type(exc).__name__,
                    self.served.classifier.model_id_,
                )
                self._failures = 0
            self._failed = stamp
            self._failures += 1
            self._retry_at = self.clock() + min(MAX_RETRY_S, self.interval_s * 2**self._failures)
            return False
        self._seen = stamp
        self._failed = None
        self._failures = 0
        log.info("now serving model %s from %s", classifier.model_id_, directory)
        return True

    async def run(self) -> None:
        """Check forever, every `interval_s` seconds; the lifespan cancels it."""
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await run_in_threadpool(self.check)
            except Exception:  # the watcher must outlive any one failed check
                log.exception(
                    "model watcher check failed; still serving %s", self.served.classifier.model_id_
                )
