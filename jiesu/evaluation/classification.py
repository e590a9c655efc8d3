"""`jiesu evaluate`: score a saved model on a labelled dataset, per head, and the dispatch decision that
the suggestions built on it make (how many go without a person, and how many of those are right)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from jiesu.errors import DataValidationError
from jiesu.evaluation.metrics import head_metrics
from jiesu.model.classifier import RequestClassifier
from jiesu.model.suggestion import Suggester, SuggestionRequest
from jiesu.model.suggestion_types import Suggestion

CONFIDENT_ERRORS = 50  # the bad-case list of the report: the errors the model was surest of
RELIABILITY_BINS = 10


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
        predicted = head_proba.argmax(axis=1)
        metrics["reliability"] = reliability_bins(confidence, predicted == y)
        metrics["coverage_curve"] = coverage_curve(confidence, predicted == y)
        metrics["confident_errors"] = [
            {
                "row": int(rows[i]),
                "text": texts[rows[i]],
                "true": all_classes[y[i]],
                "predicted": all_classes[predicted[i]],
                "confidence": round(float(confidence[i]), 4),
            }
            for i in np.argsort(-confidence, kind="stable")
            if predicted[i] != y[i]
        ][:CONFIDENT_ERRORS]
        report["heads"][head] = metrics
    return report


def reliability_bins(
    confidence: npt.NDArray[np.floating], correct: npt.NDArray[np.bool_]
) -> list[dict[str, float]]:
    """Equal-width confidence bins with their mean confidence, accuracy and count (empty bins left out):
    the points of a reliability diagram."""
    edges = np.linspace(0.0, 1.0, RELIABILITY_BINS + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, RELIABILITY_BINS - 1)
    return [
        {
            "low": float(edges[b]),
            "high": float(edges[b + 1]),
            "confidence": float(confidence[which == b].mean()),
            "accuracy": float(correct[which == b].mean()),
            "n": int((which == b).sum()),
        }
        for b in range(RELIABILITY_BINS)
        if (which == b).any()
    ]


def coverage_curve(
    confidence: npt.NDArray[np.floating], correct: npt.NDArray[np.bool_], points: int = 20
) -> list[dict[str, float]]:
    """Accuracy of the most confident share of the texts, for shares 1/points … 1: the risk–coverage
    curve (keeping only the surest predictions, how right are they)."""
    if len(confidence) == 0:
        return []
    hits = np.cumsum(correct[np.argsort(-confidence, kind="stable")])
    curve = []
    for step in range(1, points + 1):
        kept = max(1, round(len(confidence) * step / points))
        curve.append({"coverage": kept / len(confidence), "accuracy": float(hits[kept - 1] / kept)})
    return curve


def evaluate_decisions(
    model: RequestClassifier,
    texts: Sequence[str],
    targets: Mapping[str, Sequence[str | None]],
    units: Sequence[str | None] | None = None,
) -> dict[str, Any]:
    """What the full suggestions decide: the share that goes without a person (no consultation), and
    among those how often each labelled part is right: the disposition, the unit (`units`: the unit that
    handled each row, where known), the category (second level, else first). The thresholds promise the
    decision (disposition, and the unit where the row was dispatched), so that is the figure to hold
    them to; the category is shown beside it (a wrong second level can still reach the right unit)."""
    suggester = Suggester.with_reference_data(model)
    suggestions = suggester.suggest_many([SuggestionRequest(text=text) for text in texts])
    alone = [i for i, s in enumerate(suggestions) if not s.consult.required]
    labels: dict[str, Sequence[str | None]] = {}
    if any(targets.get("disposition") or []):
        labels["disposition"] = targets["disposition"]
    if units is not None and any(units):
        labels["unit"] = units
    category = _category_key(targets)
    if category is not None:
        labels["category"] = targets[category]
    right: dict[str, dict[str, int]] = {}
    for part, gold in labels.items():
        rows = [i for i in alone if gold[i]]
        hits = sum(_part_right(suggestions[i], part, category, gold[i]) for i in rows)
        right[part] = {"n": len(rows), "right": hits}
    decided = right_ones = 0
    if "disposition" in labels:
        for i in alone:
            if not labels["disposition"][i]:
                continue
            parts = ["disposition"]
            if "unit" in labels and labels["disposition"][i] == "dispatch" and labels["unit"][i]:
                parts.append("unit")
            decided += 1
            right_ones += all(_part_right(suggestions[i], p, category, labels[p][i]) for p in parts)
    return {
        "n": len(texts),
        "without_person": len(alone),
        "without_person_share": len(alone) / len(texts) if texts else 0.0,
        "right": right,
        "decision_right": {
            "n": decided,
            "right": right_ones,
            "parts": [p for p in ("disposition", "unit") if p in labels],
        },
        "promised": model.config.calibration.target_accuracy if model.decision_measured_ else None,
        "threshold": model.decision_threshold_,
    }


def _category_key(targets: Mapping[str, Sequence[str | None]]) -> str | None:
    for key in ("category", "category_l1"):
        if any(targets.get(key) or []):
            return key
    return None


def _part_right(suggestion: Suggestion, part: str, category_key: str | None, gold: str | None) -> bool:
    if part == "disposition":  # the labels name the channel or number: legal_channel:arbitration
        disposition = suggestion.disposition
        named = disposition.channel or disposition.emergency_number
        return (f"{disposition.label}:{named}" if named else disposition.label) == gold
    if part == "unit":
        return suggestion.route is not None and suggestion.route.unit == gold
    if category_key == "category":
        return suggestion.category.l2 == gold
    return suggestion.category.l1 == gold


def format_decisions(decisions: dict[str, Any]) -> str:
    """The decision figures as a readable block."""
    lines = [
        f"== dispatch decision: n={decisions['n']}, without a person {decisions['without_person']} "
        f"({decisions['without_person_share']:.3f})"
    ]
    for part, figures in decisions["right"].items():
        share = "n/a" if not figures["n"] else f"{figures['right'] / figures['n']:.4f}"
        lines.append(f"   {part} right among those: {share} ({figures['right']} of {figures['n']} labelled)")
    whole = decisions["decision_right"]
    if whole["n"]:
        lines.append(
            f"   decision right among those ({' + '.join(whole['parts'])}): {whole['right'] / whole['n']:.4f}"
        )
    promised = decisions["promised"]
    lines.append(f"   the threshold promises: {'not measured' if promised is None else f'{promised:.2f}'}")
    return "\n".join(lines)
