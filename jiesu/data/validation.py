"""Dataset validation with messages that say what to do. Every check reports all the rows it finds, and
`validate_dataset` collects every problem before raising, so one run shows everything to fix."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from datasets import Dataset

from jiesu.errors import DataValidationError, Messages, message

DuplicatePolicy = Literal["error", "warn", "ignore"]


@dataclass
class ValidationReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def raise_for_errors(self) -> None:
        if self.errors:
            raise DataValidationError(self.errors)


def _present_labels(values: Sequence[object]) -> list[str]:
    return [value for value in values if isinstance(value, str) and value != ""]


def validate_dataset(
    dataset: Dataset,
    *,
    text_column: str = "text",
    label_columns: Sequence[str] = (),
    allowed_labels: Mapping[str, Collection[str]] | None = None,
    min_classes: int = 2,
    duplicates: DuplicatePolicy = "error",
) -> ValidationReport:
    """Check columns, texts and labels. Label cells may be null or "" (that head has no label there)."""
    report = ValidationReport()
    available = dataset.column_names
    for column in [text_column, *label_columns]:
        if column not in available:
            report.errors.append(message(Messages.missing_column, column=column, available=available))
    if report.errors:
        return report
    texts = dataset[text_column]
    for row, text in enumerate(texts):
        if text is not None and not isinstance(text, str):
            report.errors.append(message(Messages.non_string_text, row=row, kind=type(text).__name__))
            break
    empty = [row for row, text in enumerate(texts) if not isinstance(text, str) or not text.strip()]
    if empty:
        report.errors.append(message(Messages.empty_text, count=len(empty), first=empty[0]))
    for column in label_columns:
        values = dataset[column]
        labels = sorted(set(_present_labels(values)))
        if allowed_labels and column in allowed_labels:
            unknown = [label for label in labels if label not in allowed_labels[column]]
            if unknown:
                report.errors.append(message(Messages.unknown_label, column=column, labels=unknown[:10]))
        if len(labels) < min_classes:
            report.errors.append(
                message(Messages.too_few_classes, column=column, count=len(labels), labels=labels)
            )
        if duplicates != "ignore":
            conflict = _conflicting_duplicates(texts, values)
            if conflict:
                first, seen = conflict[0]
                text = message(
                    Messages.conflicting_duplicates,
                    count=len(conflict),
                    column=column,
                    first=first,
                    labels=seen,
                )
                (report.errors if duplicates == "error" else report.warnings).append(text)
    return report


def duplicate_key(text: str) -> str:
    """Texts equal up to whitespace are duplicates (Chinese text has no meaningful spaces)."""
    return "".join(text.split())


def _conflicting_duplicates(texts: Sequence[object], labels: Sequence[object]) -> list[tuple[int, list[str]]]:
    """(first row, labels) for each normalised text that carries more than one label."""
    by_text: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row, (text, label) in enumerate(zip(texts, labels, strict=True)):
        if isinstance(text, str) and isinstance(label, str) and label:
            by_text[duplicate_key(text)].append((row, label))
    conflicts = []
    for hits in by_text.values():
        distinct = sorted({label for _, label in hits})
        if len(distinct) > 1:
            conflicts.append((hits[0][0], distinct))
    return sorted(conflicts)


def validate_split(train: Dataset, evaluation: Dataset, label_columns: Sequence[str]) -> ValidationReport:
    """Labels that occur only in the evaluation split can never be predicted: report them."""
    report = ValidationReport()
    for column in label_columns:
        if column not in train.column_names or column not in evaluation.column_names:
            continue
        seen = set(_present_labels(train[column]))
        only_eval = sorted(set(_present_labels(evaluation[column])) - seen)
        if only_eval:
            report.errors.append(message(Messages.labels_only_in_test, column=column, labels=only_eval[:10]))
    return report
