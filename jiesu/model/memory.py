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


def freeze_loaded_objects() -> tuple[int, int, int]:
    """Collect once, then move every object that survived into the permanent generation, which later
    collections skip (they still collect everything allocated afterwards); and collect the young
    generation less often (YOUNG_THRESHOLD). Returns the thresholds before, for `thaw_loaded_objects`.
    A young threshold of 0 (collection turned off on purpose) stays 0."""
    gc.collect()
    gc.freeze()
    before = gc.get_threshold()
    young, middle, old = before
    gc.set_threshold(max(YOUNG_THRESHOLD, young) if young else 0, middle, old)
    return before


def thaw_loaded_objects(thresholds: tuple[int, int, int]) -> None:
    """Undo `freeze_loaded_objects` where the process goes on after the model (an app shut down in a test
    run): the frozen objects are collectable again, and the thresholds are those before."""
    gc.unfreeze()
    gc.set_threshold(*thresholds)
