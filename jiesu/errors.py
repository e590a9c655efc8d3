"""Every error jiesu raises on purpose, with messages that say what to do.

The messages live here, in one place, so that wording stays consistent and a newcomer can find what a
message means by grepping this file.
"""

from __future__ import annotations

from typing import Final


class JiesuError(Exception):
    """Base class: an expected failure with a message meant for the user."""


class ReferenceDataError(JiesuError):
    """A reference-data file (taxonomy, gazetteer, catalogue, rules, settings) is missing or invalid."""


class DataValidationError(JiesuError):
    """A dataset cannot be used as given. `problems` lists every problem found, not just the first."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems) if self.problems else "invalid dataset")

    def __reduce__(self) -> tuple[type[DataValidationError], tuple[list[str]], dict[str, object]]:
        # Raised in a worker process (jiesu.training.fold_workers), it crosses back pickled: rebuilt from
        # its problems, not from the joined message, with any notes and attributes it carries.
        return (type(self), (self.problems,), self.__dict__)


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


# Message templates, by what went wrong: class attributes, so that a misspelt name fails mypy (and the
# linter), not a request. Format with `message`.


class Messages:
    """Every message template jiesu shows for an expected error."""

    missing_column: Final = "column {column!r} is missing; the data has {available}. Pass --text-column/--label-column (or a column mapping) naming the right column."
    empty_text: Final = "{count} row(s) have empty or whitespace-only text (first at row {first}). Remove them or fill the text before loading."
    non_string_text: Final = "row {row}: text must be a string, got {kind}. Convert the column to text first."
    unknown_label: Final = "column {column!r} has label(s) not in the allowed set: {labels}. Fix the labels or add them to the taxonomy/label list."
    too_few_classes: Final = "column {column!r} has {count} distinct label(s) ({labels}); a classifier needs at least two. Add examples of other classes or drop this head."
    conflicting_duplicates: Final = "{count} text(s) appear more than once with different {column!r} labels (e.g. row {first}: {labels}). Make the labels agree or remove the duplicates."
    labels_only_in_test: Final = "column {column!r}: label(s) {labels} appear only in the evaluation split and never in training. Move examples into training or drop those rows from evaluation."
    unsupported_format: Final = (
        "cannot read {path}: unsupported file type {suffix!r}. Use .csv, .jsonl, .json or .parquet."
    )
    file_not_found: Final = "data file {path} does not exist."
    empty_dataset: Final = "{path} has no rows."
    missing_extra: Final = "{purpose} needs {missing}, which {verb} not installed: install jiesu[{extra}]{hint} (in a checkout: `pip install -c constraints.txt -e '.[{extra}]'`; `make install` installs every extra)."
    cannot_listen: Final = (
        "cannot listen on {host}:{port}: {problem}. Choose another --port/JIESU_PORT or --host/JIESU_HOST."
    )
    cannot_open: Final = "cannot open {path}: {problem}"
    real_data_missing: Final = "the Teddy Cup raw messages are not at {path}: pass --real-data DIR (the folder holding teddycup2020/) or set JIESU_SHARED_DATA. They are read there, never copied into the repository."
    invalid_setting: Final = "invalid setting {name}={value!r}: {problem}"
    empty_input_text: Final = "request text is empty or whitespace only; there is nothing to classify."
    non_string_input: Final = "request text must be a string, got {kind}."
    missing_input_text: Final = "request has no text: give it a 'text' string."
    no_request_in_text: Final = "request text holds no request: it has no Chinese and fewer than three words of letters, only emoji, punctuation, symbols, invisible characters or numbers; write what the request is about."
    unpaired_surrogate: Final = "request text is not valid Unicode: an unpaired surrogate code point at position {position}; send the text as UTF-8."
    model_classes_not_in_taxonomy: Final = "model {path} was trained with taxonomy {trained}; {count} of its {head!r} classes are not in the current taxonomy {current} ({labels}). Retrain it with `jiesu train`."
    model_taxonomy_version: Final = "model {path} was trained with taxonomy {trained}, the shipped one is {current}; every class still exists, so it is used, but retraining with `jiesu train` is advised."
    model_catalogue_version: Final = "model {path} was trained with dispatch catalogue {trained}, the shipped one is {current}; units are suggested from the shipped catalogue."
    # the model registry and the learning loop
    registry_unknown_model: Final = (
        "no model {model!r} in the registry {root}; `jiesu models list` shows the models there."
    )
    registry_no_current: Final = (
        "the registry {root} has no current model yet: promote one with `jiesu models promote ID`."
    )
    registry_no_previous: Final = (
        "nothing to roll back to: the registry's history has no earlier current model."
    )
    registry_promotion_refused: Final = "not promoting {model}: it is worse than the current model {current} on {worse} (see `jiesu models evaluate {model}`); pass --force to promote it anyway."
    registry_not_evaluated: Final = "model {model} has no evaluation against the current model {current}: run `jiesu models evaluate {model}` first, or pass --force."
    registry_pointer_invalid: Final = "the registry pointer {path} is unreadable ({problem}); restore it from its history or promote a model again."
    no_settled_tickets: Final = (
        "the database {database} holds no settled tickets (dispatched and replied) to {purpose}."
    )
    no_unseen_settled_tickets: Final = "every settled ticket in the database trained model {model} or the current model {current}: there is nothing neither has seen to evaluate it on."
    resource_changed_same_version: Final = "{name} changed but its version is still {version}: bump its version, then record it with `jiesu data check --update-manifest`."
    resource_manifest_stale: Final = "{name} is at version {version} but the manifest records {recorded}: record it with `jiesu data check --update-manifest`."
    resource_not_in_manifest: Final = "{name} is not in the resource manifest: give it a version, then record it with `jiesu data check --update-manifest`."
    resource_missing: Final = "{name} is in the resource manifest but not among the resources: restore it, or record its removal with `jiesu data check --update-manifest`."
    manifest_missing: Final = (
        "resource manifest {path} does not exist: write it with `jiesu data check --update-manifest`."
    )
    log_format: Final = "JIESU_LOG_FORMAT={value!r} is not a log format: use text or json"
    manifest_refused: Final = "not recording {names}: changed but still at the recorded version. Bump the version first, so that a version always names one content."
    # demo and audit
    simulation_config: Final = "simulation config {path} cannot be used: {problem}"
    simulation_not_empty: Final = (
        "{database} already holds {count} ticket(s): simulate into an empty database (or a new file)"
    )
    audit_period: Final = "the audit period is empty or reversed: --from {start} is after --to {end}"
    # serving: fixed text, never request text, caller data or raw exception text
    missing_key: Final = "missing API key: send it in the X-API-Key header"
    bad_key: Final = "invalid, expired or revoked API key"
    role: Final = "this API key's role may not do this"
    body_too_large: Final = "the request body is larger than {limit} bytes"
    body_timeout: Final = "the request body did not arrive within {seconds:g} seconds"
    unstorable_parameter: Final = "must not contain NUL characters or unpaired surrogates"
    ticket_not_found: Final = "ticket not found"
    key_not_found: Final = "API key not found"
    unit_not_found: Final = "unit not found"
    stale: Final = "the ticket was changed since you read it (stale version): reload it and retry"
    illegal: Final = "action {action!r} is not allowed in state {state!r}"
    idempotency_reused: Final = "this Idempotency-Key was already used with a different request body"
    idempotency_too_long: Final = "Idempotency-Key is longer than {limit} characters"
    lead_unit_only: Final = "only the lead unit may do this"
    co_handler_only: Final = "only a co-handling unit may do this"
    reject_takes_no_unit: Final = "a rejected return goes back to the same unit: give no unit"
    idempotency_missing: Final = "the Idempotency-Key header is required to create a ticket"
    unknown_unit: Final = "unknown unit name(s): give unit names the dispatch catalogue can produce"
    unit_key_needs_unit: Final = "a unit key needs --unit (the unit it acts for); other roles take none"
    unknown_district: Final = (
        "caller_district is not a Beijing district; give an official (朝阳区) or short (朝阳) name"
    )
    text_too_long: Final = "text is longer than {limit} characters"
    text_empty: Final = "text is empty or whitespace only"
    batch_too_large: Final = "at most {limit} requests per call"
    no_unit: Final = "no suggested unit to confirm: give unit (and reason)"
    override_reason: Final = "overriding the suggested unit needs a reason"
    consult_units: Final = "opening a consultation needs the units involved"
    consult_outcome: Final = "the consultation is open: record its outcome"
    return_window: Final = "the return window ({days} working days after dispatch) has passed"
    reason_required: Final = "a reason is required"
    new_facts_required: Final = (
        "the reviewer rejected this unit's return in this dispatch round: a further return needs new_facts "
        "(what is new since that decision)"
    )
    new_facts_unexpected: Final = "new_facts belongs to a return after a rejected one; this is a first return"
    reason_code: Final = "reason_code must be one of the workflow settings' return reason codes"
    extension_count: Final = "no extensions left (at most {limit} per ticket)"
    extension_hours: Final = "an extension is at most {limit} hours"
    uphold_unit: Final = "upholding a return needs another unit to dispatch to"
    same_unit: Final = "the new unit must differ from the current one"
    linked_ticket: Final = "linked_ticket_id must name another existing ticket"
    cursor: Final = "invalid cursor: pass back the next_cursor of a previous page"
    date_range: Final = "from must not be after to"
    date_out_of_range: Final = "dates must lie between {earliest} and {latest}"
    unknown_category: Final = "category must be a second-level category of the taxonomy"
    unit_type_mismatch: Final = (
        "unit_type {given!r} does not match the catalogue, which lists this unit as {known!r}"
    )
    escalation_other_district: Final = (
        "a district-level escalation goes to a unit of the ticket's district ({district})"
    )
    escalation_level: Final = (
        "an escalation to the {level} level goes to a unit of that level; this unit's type is not one"
    )
    linked_ticket_later: Final = (
        "a duplicate links to an earlier ticket; the linked ticket was created after this one"
    )
    linked_ticket_duplicate: Final = (
        "the linked ticket is itself closed as a duplicate; link to its original ticket"
    )
    followup_not_contacted: Final = (
        "a follow-up that did not reach the requester cannot record a resolution or a satisfaction level"
    )
    satisfaction_level: Final = "satisfaction must be one of the workflow settings' levels"
    deadline_tier: Final = "deadline_tier must be one of the workflow settings' tiers"


def message(template: str, **fields: object) -> str:
    """A message template (an attribute of `Messages`) filled with `fields`."""
    return template.format(**fields)
