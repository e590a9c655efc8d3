"""Classification metrics for one head: accuracy, macro-F1, per-class precision/recall/F1, confusion
matrix, expected calibration error, risk–coverage, and the auto-dispatch coverage under stored
thresholds. Plus a readable table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from jiesu.terminal import fit
from jiesu.training.calibration import expected_calibration_error
from jiesu.training.thresholds import risk_coverage


def head_metrics(
    classes: Sequence[str],
    y_true: npt.NDArray[np.int64],
    proba: npt.NDArray[np.floating],
    *,
    auto: npt.NDArray[np.bool_] | None = None,
    folds: npt.NDArray[np.int64] | None = None,
) -> dict[str, Any]:
    """Metrics of one head. `auto` marks predictions that met the threshold in force for them;
    `folds` (cross-validation) adds the spread of accuracy and macro-F1 over folds."""
    predicted = proba.argmax(axis=1)
    confidence = proba.max(axis=1)
    correct = predicted == y_true
    labels = np.arange(len(classes))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, predicted, labels=labels, zero_division=0
    )
    present = support > 0  # macro-F1 over the classes that occur in the evaluated data
    result: dict[str, Any] = {
        "n": len(y_true),
        "accuracy": float(accuracy_score(y_true, predicted)),
        "macro_f1": float(
            f1_score(y_true, predicted, labels=labels[present], average="macro", zero_division=0)
        ),
        "ece": expected_calibration_error(confidence, correct),
        "risk_coverage": [point.to_dict() for point in risk_coverage(confidence, correct)],
        "per_class": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(classes, precision, recall, f1, support, strict=True)
        },
        "confusion": {
            "labels": list(classes),
            "matrix": confusion_matrix(y_true, predicted, labels=labels).tolist(),
        },
    }
    if auto is not None:
        result["auto"] = {
            "coverage": float(auto.mean()) if len(auto) else 0.0,
            "accuracy": float(correct[auto].mean()) if auto.any() else None,
        }
    if folds is not None:
        per_fold = [
            (
                float(accuracy_score(y_true[folds == k], predicted[folds == k])),
                float(
                    f1_score(
                        y_true[folds == k],
                        predicted[folds == k],
                        labels=np.unique(y_true[folds == k]),
                        average="macro",
                        zero_division=0,
                    )
                ),
            )
            for k in np.unique(folds)
        ]
        result["folds"] = {
            "accuracy": [a for a, _ in per_fold],
            "macro_f1": [f for _, f in per_fold],
            "accuracy_mean": float(np.mean([a for a, _ in per_fold])),
            "accuracy_std": float(np.std([a for a, _ in per_fold])),
            "macro_f1_mean": float(np.mean([f for _, f in per_fold])),
            "macro_f1_std": float(np.std([f for _, f in per_fold])),
        }
    return result


def format_head(name: str, metrics: dict[str, Any], *, per_class: bool = True, max_classes: int = 30) -> str:
    """A readable block for one head."""
    lines = [f"== {name}: n={metrics['n']} accuracy={metrics['accuracy']:.4f} macro-F1={metrics['macro_f1']:.4f} "
             f"ECE={metrics['ece']:.4f}"]  # fmt: skip
    if "folds" in metrics:
        folds = metrics["folds"]
        lines.append(
            f"   folds: macro-F1 {folds['macro_f1_mean']:.4f} ± {folds['macro_f1_std']:.4f}, "
            f"accuracy {folds['accuracy_mean']:.4f} ± {folds['accuracy_std']:.4f}"
        )
    if "auto" in metrics:
        auto = metrics["auto"]
        accuracy = "n/a" if auto["accuracy"] is None else f"{auto['accuracy']:.4f}"
        lines.append(
            f"   auto-dispatch under stored thresholds: coverage {auto['coverage']:.3f}, accuracy {accuracy}"
        )
    cells = []
    for point in metrics["risk_coverage"]:
        cells.append(f"{point['target_accuracy']:.0%} → {point['coverage']:.3f}")
    lines.append("   risk–coverage (accuracy → coverage): " + ", ".join(cells))
    if per_class:
        lines.append(f"   {'class':<24} {'prec':>6} {'rec':>6} {'f1':>6} {'n':>6}")
        items = sorted(metrics["per_class"].items(), key=lambda item: -item[1]["support"])[:max_classes]
        for label, row in items:
            lines.append(
                f"   {fit(label, 24)} {row['precision']:>6.3f} {row['recall']:>6.3f} {row['f1']:>6.3f} {row['support']:>6}"
            )
        if len(metrics["per_class"]) > max_classes:
            lines.append(f"   … {len(metrics['per_class']) - max_classes} more classes in the JSON report")
        confusions = top_confusions(metrics["confusion"])
        if confusions:
            # The whole matrix is in the JSON report; on a terminal, the mistakes that happen most.
            lines.append("   most frequent confusions (true → predicted: count): " + ", ".join(
                f"{true} → {predicted}: {count}" for true, predicted, count in confusions
            ))  # fmt: skip
    return "\n".join(lines)


def top_confusions(confusion: dict[str, Any], limit: int = 5) -> list[tuple[str, str, int]]:
    """The most frequent off-diagonal cells of a confusion matrix, largest first."""
    labels, matrix = confusion["labels"], confusion["matrix"]
    cells = [
        (labels[i], labels[j], count)
        for i, row in enumerate(matrix)
        for j, count in enumerate(row)
        if i != j and count > 0
    ]
    return sorted(cells, key=lambda cell: -cell[2])[:limit]
