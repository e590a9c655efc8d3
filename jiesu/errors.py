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


class ModelSaveError(JiesuError):
    """A model cannot be written where asked (the path is a file, or a folder of other things)."""


class ModelLoadError(JiesuError):
    """A model directory is missing, incomplete, tampered with or from an incompatible version."""


class MissingExtraError(JiesuError):
    """A feature needs an optional part of jiesu (an extra, e.g. `jiesu[transformer]`) that is not installed."""


class SettingsError(JiesuError):
    """A setting (environment variable or command-line override) has an invalid value."""


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
    "missing_extra": (
        "{purpose} needs {missing}, which {verb} not installed: install jiesu[{extra}]{hint} "
        "(in a checkout: `pip install -c constraints.txt -e '.[{extra}]'`; `make install` installs every extra)."
    ),
    "invalid_setting": "invalid setting {name}={value!r}: {problem}",
    "empty_input_text": "request text is empty or whitespace only; there is nothing to classify.",
    "non_string_input": "request text must be a string, got {kind}.",
    "unpaired_surrogate": (
        "request text is not valid Unicode: an unpaired surrogate code point at position {position}; "
        "send the text as UTF-8."
    ),
    # --- model directories: reference data the model was trained with (RequestClassifier.load) ---
    "model_classes_not_in_taxonomy": (
        "model {path} was trained with taxonomy {trained}; {count} of its {head!r} classes are not in the "
        "current taxonomy {current} ({labels}). Retrain it with `jiesu train`."
    ),
    "model_taxonomy_version": (
        "model {path} was trained with taxonomy {trained}, the shipped one is {current}; every class still "
        "exists, so it is used, but retraining with `jiesu train` is advised."
    ),
    "model_catalogue_version": (
        "model {path} was trained with dispatch catalogue {trained}, the shipped one is {current}; units "
        "are suggested from the shipped catalogue."
    ),
    # --- reference data: the resource manifest (jiesu/data/manifest.py) ---
    "resource_changed_same_version": (
        "{name} changed but its version is still {version}: bump its version, then record it with "
        "`jiesu data check --update-manifest`."
    ),
    "resource_manifest_stale": (
        "{name} is at version {version} but the manifest records {recorded}: record it with "
        "`jiesu data check --update-manifest`."
    ),
    "resource_not_in_manifest": (
        "{name} is not in the resource manifest: give it a version, then record it with "
        "`jiesu data check --update-manifest`."
    ),
    "resource_missing": (
        "{name} is in the resource manifest but not among the resources: restore it, or record its removal "
        "with `jiesu data check --update-manifest`."
    ),
    "manifest_missing": "resource manifest {path} does not exist: write it with `jiesu data check --update-manifest`.",
    "manifest_refused": (
        "not recording {names}: changed but still at the recorded version. Bump the version first, so that "
        "a version always names one content."
    ),
    # --- serving: fixed text, never request text, caller data or raw exception text ---
    "missing_key": "missing API key: send it in the X-API-Key header",
    "bad_key": "invalid, expired or revoked API key",
    "role": "this API key's role may not do this",
    "ticket_not_found": "ticket not found",
    "key_not_found": "API key not found",
    "unit_not_found": "unit not found",
    "stale": "the ticket was changed since you read it (stale version): reload it and retry",
    "illegal": "action {action!r} is not allowed in state {state!r}",
    "idempotency_reused": "this Idempotency-Key was already used with a different request body",
    "idempotency_missing": "the Idempotency-Key header is required to create a ticket",
    "unknown_unit": "unknown unit name(s): give unit names the dispatch catalogue can produce",
    "unit_key_needs_unit": "a unit key needs --unit (the unit it acts for); other roles take none",
    "unknown_district": "caller_district is not a Beijing district; give an official (朝阳区) or short (朝阳) name",
    "text_too_long": "text is longer than {limit} characters",
    "text_empty": "text is empty or whitespace only",
    "batch_too_large": "at most {limit} requests per call",
    "no_unit": "no suggested unit to confirm: give unit (and reason)",
    "override_reason": "overriding the suggested unit needs a reason",
    "consult_units": "opening a consultation needs the units involved",
    "consult_outcome": "the consultation is open: record its outcome",
    "return_window": "the return window ({days} working days after dispatch) has passed",
    "reason_required": "a reason is required",
    "reason_code": "reason_code must be one of the workflow settings' return reason codes",
    "extension_count": "no extensions left (at most {limit} per ticket)",
    "extension_hours": "an extension is at most {limit} hours",
    "uphold_unit": "upholding a return needs another unit to dispatch to",
    "same_unit": "the new unit must differ from the current one",
    "linked_ticket": "linked_ticket_id must name another existing ticket",
    "cursor": "invalid cursor: pass back the next_cursor of a previous page",
    "date_range": "from must not be after to",
    "date_out_of_range": "dates must lie between {earliest} and {latest}",
    "unknown_category": "category must be a second-level category of the taxonomy",
    "unit_type_mismatch": "unit_type {given!r} does not match the catalogue, which lists this unit as {known!r}",
    "escalation_level": (
        "an escalation to the {level} level goes to a unit of that level; this unit's type is not one"
    ),
    "linked_ticket_later": "a duplicate links to an earlier ticket; the linked ticket was created after this one",
    "linked_ticket_duplicate": "the linked ticket is itself closed as a duplicate; link to its original ticket",
    "followup_not_contacted": (
        "a follow-up that did not reach the requester cannot record a resolution or a satisfaction level"
    ),
    "satisfaction_level": "satisfaction must be one of the workflow settings' levels",
    "deadline_tier": "deadline_tier must be one of the workflow settings' tiers",
    "not_a_coordinator_state": "the ticket has no current lead unit",
}


def message(key: str, **fields: object) -> str:
    """Return the message `key` filled with `fields`."""
    return MESSAGES[key].format(**fields)
