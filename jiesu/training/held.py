"""Which training rows a suggestion would send to a person whatever its confidence: a legal-channel
conflict, a risk, a second matter, two close categories that go to different units, a place outside
Beijing, no place for a local duty, unfamiliar text. Read off each inner fold model's own suggestion for
the rows it did not train on, calibrated as the final model will be (the temperatures and the
unfamiliarity threshold of the whole inner out-of-fold set). The decision threshold is chosen over the
other rows (jiesu.training.decision_threshold) where `calibration.leave_out_held` asks for it: it is the
only thing that stands between them and going without a person."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from jiesu.errors import InputTextError
from jiesu.model.classifier import RequestClassifier
from jiesu.model.suggestion import Suggester, SuggestionRequest
from jiesu.training.folds import Fold

# The reason the threshold itself gives; every other reason holds a row back whatever the threshold.
LOW_CONFIDENCE = "low_confidence"
BATCH = 256


def held_for_other_reasons(
    models: Sequence[RequestClassifier],
    folds: Sequence[Fold],
    texts: Sequence[str],
    temperatures: Mapping[str, float],
    unfamiliar_threshold: float | None,
    caller_districts: Sequence[str | None] | None = None,
) -> npt.NDArray[np.bool_]:
    """Per text, whether the suggestion of the fold model that did not train on it names a consultation
    reason other than low confidence. Each model's temperatures and unfamiliarity threshold are set to
    the given ones; its decision threshold is left unmeasured (low confidence is not read here)."""
    held = np.zeros(len(texts), dtype=bool)
    for model, (_, test_rows) in zip(models, folds, strict=True):
        model.temperatures_ = {head: temperatures.get(head, 1.0) for head in model.temperatures_}
        model.unfamiliar_threshold_ = unfamiliar_threshold
        suggester = Suggester.with_reference_data(model)
        rows = test_rows.tolist()
        for start in range(0, len(rows), BATCH):
            batch, requests = [], []
            for i in rows[start : start + BATCH]:
                district = caller_districts[i] if caller_districts else None
                try:
                    requests.append(SuggestionRequest(text=texts[i], caller_district=district))
                except InputTextError:
                    held[i] = True  # no request in it (only digits or emoji): refused, never alone
                    continue
                batch.append(i)
            for i, suggestion in zip(batch, suggester.suggest_many(requests), strict=True):
                held[i] = any(reason != LOW_CONFIDENCE for reason in suggestion.consult.reasons)
    return held
