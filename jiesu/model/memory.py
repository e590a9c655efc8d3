"""Keeping the garbage collector off the loaded model.

A loaded model with its reference data (gazetteer automaton and lexicon, catalogue, taxonomy) is a few
hundred thousand long-lived Python objects. Every full collection walks all of them (~0.1-0.2 s), and a
batch of suggestions allocates enough to trigger several: ~10% of batch time, and a stall for every
request in flight on the server. Entry points call `freeze_loaded_objects` once the model is loaded;
library code never touches the collector."""

from __future__ import annotations

import gc


def freeze_loaded_objects() -> None:
    """Collect once, then move every object that survived into the permanent generation, which later
    collections skip (they still collect everything allocated afterwards)."""
    gc.collect()
    gc.freeze()
