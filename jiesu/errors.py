"""Every error jiesu raises on purpose, with messages that say what to do.

The messages live here, in one place, so that wording stays consistent and a newcomer can find what a
message means by grepping this file.
"""

from __future__ import annotations


class JiesuError(Exception):
    """Base class: an expected failure with a message meant for the user."""


class ReferenceDataError(JiesuError):
    """A reference-data file (taxonomy, gazetteer, catalogue, rules, settings) is missing or invalid."""


class DataValidationError(JiesuError):
    """A dataset cannot be used as given. `problems` lists every problem found, not just the first."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems) if self.problems else "invalid dataset")


class InputTextError(JiesuError, ValueError):
    """A request text cannot be classified (empty, not a string)."""


class ModelLoadError(JiesuError):
    """A model directory is missing, incomplete, tampered with or from an incompatible version."""


# Message templates, keyed by what went wrong. Format with str.format.
MESSAGES = {
    "missing_column": (
        "column {column!r} is missing; the data has {available}. "
        "Pass --text-column/--label-column (or a column mapping) naming the right column."
    ),
    "empty_text": (
        "{count} row(s) have empty or whitespace-only text (first at row {first}). "
        "Remove them or fill the text before loading."
    ),
    "non_string_text": "row {row}: text must be a string, got {kind}. Convert the column to text first.",
    "unknown_label": (
        "column {column!r} has label(s) not in the allowed set: {labels}. "
        "Fix the labels or add them to the taxonomy/label list."
    ),
    "too_few_classes": (
        "column {column!r} has {count} distinct label(s) ({labels}); a classifier needs at least two. "
        "Add examples of other classes or drop this head."
    ),
    "conflicting_duplicates": (
        "{count} text(s) appear more than once with different {column!r} labels (e.g. row {first}: "
        "{labels}). Make the labels agree or remove the duplicates."
    ),
    "labels_only_in_test": (
        "column {column!r}: label(s) {labels} appear only in the evaluation split and never in training. "
        "Move examples into training or drop those rows from evaluation."
    ),
    "unsupported_format": (
        "cannot read {path}: unsupported file type {suffix!r}. Use .csv, .jsonl, .json or .parquet."
    ),
    "file_not_found": "data file {path} does not exist.",
    "empty_dataset": "{path} has no rows.",
    "empty_input_text": "request text is empty or whitespace only; there is nothing to classify.",
    "non_string_input": "request text must be a string, got {kind}.",
}


def message(key: str, **fields: object) -> str:
    """Return the message `key` filled with `fields`."""
    return MESSAGES[key].format(**fields)
