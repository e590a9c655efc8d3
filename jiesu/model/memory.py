"""Keeping the garbage collector off the loaded model.

A loaded model with its reference data (gazetteer automaton and lexicon, catalogue, taxonomy) is a few
hundred thousand long-lived Python objects. Every full collection walks all of them (~0.1-0.2 s), and a
batch of suggestions allocates enough to trigger several: ~10% of batch time, and a stall for every
request in flight on the server. Entry points call `freeze_loaded_objects` once the model is loaded;
library code never touches the collector."""

from __future__ import annotations

import gc

# A suggestion allocates ~100 container objects (its output models, predictions, spans) that live until
# the batch is answered. At the default threshold (700) a batch of 1,842 texts ran ~250 young
# collections and two full ones over the batch's results: ~10% of its time. At this one: a few, and a
# few MB of cyclic garbage at most waits for the next.
YOUNG_THRESHOLD = 50_000


# Freezes not yet thawed (apps whose lifespans overlap in one test process), and the thresholds before
# the first of them: only the last thaw gives the collector back.
_holders = 0
_thresholds_before: tuple[int, int, int] | None = None


def freeze_loaded_objects() -> None:
    """Collect once, then move every object that survived into the permanent generation, which later
    collections skip (they still collect everything allocated afterwards); and collect the young
    generation less often (YOUNG_THRESHOLD). A young threshold of 0 (collection turned off on purpose)
    stays 0."""
    global _holders, _thresholds_before
    gc.collect()
    gc.freeze()
    if _holders == 0:
        _thresholds_before = gc.get_threshold()
    _holders += 1
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(YOUNG_THRESHOLD, young) if young else 0, middle, old)


def thaw_loaded_objects() -> None:
    """Undo `freeze_loaded_objects` where the process goes on after the model (an app shut down in a test
    run). Only the last holder's thaw unfreezes and restores the thresholds from before the first freeze."""
    global _holders
    if _holders == 0:
        return
    _holders -= 1
    if _holders == 0 and _thresholds_before is not None:
        gc.unfreeze()
        gc.set_threshold(*_thresholds_before)
