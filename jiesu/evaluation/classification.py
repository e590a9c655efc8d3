"""`jiesu evaluate`: score a saved model on a labelled dataset, per head."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from jiesu.errors import DataValidationError
from jiesu.evaluation.metrics import head_metrics
from jiesu.model.classifier import RequestClassifier


def evaluate_model(
    model: RequestClassifier, texts: Sequence[str], targets: Mapping[str, Sequence[str | None]]
) -> dict[str, Any]:
    """Metrics for every head the model has and the data labels. Labels the model has never seen
    count as errors (their class is added with probability zero)."""
    heads = [head for head in model.heads_ if head in targets]
    if not heads:
        raise DataValidationError(
            [f"the data has no labels for the model's heads {model.heads_} (it has {sorted(targets)})"]
        )
    proba = model.predict_proba(list(texts))
    report: dict[str, Any] = {"model_id": model.model_id_, "n_texts": len(texts), "heads": {}}
    for head in heads:
        classes = list(model.classes_[head])
        labels = targets[head]
        unseen = sorted({label for label in labels if label and label not in classes})
        all_classes = classes + unseen
        index = {label: i for i, label in enumerate(all_classes)}
        rows = np.array([i for i, label in enumerate(labels) if label], dtype=np.int64)
        y = np.array([index[labels[i]] for i in rows], dtype=np.int64)
        head_proba = np.zeros((len(rows), len(all_classes)), dtype=np.float32)
        head_proba[:, : len(classes)] = proba[head][rows]
        threshold = model.thresholds_.get(head)
        confidence = head_proba.max(axis=1)
        auto = confidence >= threshold if threshold is not None else np.zeros(len(rows), dtype=bool)
        metrics = head_metrics(all_classes, y, head_proba, auto=auto)
        metrics["threshold"] = threshold
        metrics["labels_unknown_to_model"] = unseen
        report["heads"][head] = metrics
    return report
