"""One loader for CSV, JSON Lines, JSON, Parquet files and `datasets` objects, returning a validated
`datasets.Dataset` with a `text` column and the requested label columns; adapters for the shared
Teddy Cup 2020 data."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import pyarrow.parquet as pa_parquet
from datasets import Dataset, DatasetDict

from jiesu.data.validation import DuplicatePolicy, validate_dataset
from jiesu.errors import DataValidationError, Messages, message

log = logging.getLogger(__name__)
TEXT = "text"
SUPPORTED_SUFFIXES = (".csv", ".jsonl", ".json", ".parquet")


def read_table(path: Path) -> Dataset:
    """Read a file into a Dataset without type guessing on CSV (every CSV column is text)."""
    if not path.exists():
        raise DataValidationError([message(Messages.file_not_found, path=path)])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return Dataset.from_dict(_read_csv_columns(path))
    if suffix == ".parquet":
        return Dataset(pa_parquet.read_table(path))
    if suffix in (".jsonl", ".json"):
        return Dataset.from_list(_read_json_rows(path))
    raise DataValidationError([message(Messages.unsupported_format, path=path, suffix=suffix)])


def read_text_file(path: Path) -> str:
    """A text file as UTF-8 (with or without a byte-order mark), or else as GB18030, the superset of the
    GBK that Chinese spreadsheet software writes; anything else is a clear error."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise DataValidationError(
                [f"{path} is neither UTF-8 nor GBK/GB18030 text (byte {utf8_error.start}); save it as UTF-8"]
            ) from None
        log.info("%s is not UTF-8: read it as GB18030 (GBK)", path)
        return text


def _read_csv_columns(path: Path) -> dict[str, list[str]]:
    # The csv module, not a typed reader: ids like "0012" must stay text, and quoted fields hold newlines.
    with io.StringIO(read_text_file(path), newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise DataValidationError([message(Messages.empty_dataset, path=path)]) from None
        columns: dict[str, list[str]] = {name: [] for name in header}
        for number, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != len(header):
                raise DataValidationError(
                    [f"{path} record {number} has {len(row)} fields, the header has {len(header)}"]
                )
            for name, value in zip(header, row, strict=True):
                columns[name].append(value)
    return columns


def _read_json_rows(path: Path) -> list[dict[str, object]]:
    text = read_text_file(path)
    if path.suffix.lower() == ".json" and text.lstrip().startswith("["):
        rows = json.loads(text)
    else:
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise DataValidationError([f"{path} line {number} is not valid JSON: {exc.msg}"]) from exc
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise DataValidationError([f"{path}: every record must be a JSON object"])
    _check_column_types(path, rows)
    return list(rows)


def _check_column_types(path: Path, rows: list[dict[str, object]]) -> None:
    """One JSON type per field (nulls aside): a table column cannot hold text in one record and a number
    (or NaN, or a list) in another."""
    first_seen: dict[str, tuple[str, int]] = {}
    problems: list[str] = []
    for number, row in enumerate(rows, start=1):
        for name, value in row.items():
            if value is None:
                continue
            kind = (
                "number"
                if isinstance(value, int | float) and not isinstance(value, bool)
                else type(value).__name__
            )
            seen = first_seen.setdefault(name, (kind, number))
            if seen[0] != kind and len(problems) < 10:
                problems.append(
                    f"{path} record {number}: field {name!r} is {_json_kind(kind)}, but record {seen[1]} has "
                    f"{_json_kind(seen[0])}; give every record the same type (text for texts and labels)"
                )
    if problems:
        raise DataValidationError(problems)


def _json_kind(kind: str) -> str:
    return {
        "str": "text",
        "number": "a number",
        "bool": "true/false",
        "list": "a list",
        "dict": "an object",
    }.get(kind, kind)


def load_dataset(
    source: str | Path | Dataset | DatasetDict,
    *,
    text_column: str = TEXT,
    columns: Mapping[str, str] | None = None,
    label_columns: Sequence[str] = (),
    allowed_labels: Mapping[str, Collection[str]] | None = None,
    split: str = "train",
    min_classes: int = 2,
    duplicates: DuplicatePolicy = "error",
) -> Dataset:
    """Load `source`, rename columns (`columns` maps source name → jiesu name; `text_column` names the
    text), validate, and return a Dataset whose text column is `text`.

    `label_columns` are jiesu names (after mapping). Raises DataValidationError listing every problem.
    """
    if isinstance(source, DatasetDict):
        if split not in source:
            raise DataValidationError([f"the DatasetDict has no split {split!r}; it has {list(source)}"])
        dataset = source[split]
    elif isinstance(source, Dataset):
        dataset = source
    else:
        dataset = read_table(Path(source))
    if len(dataset) == 0:
        raise DataValidationError([message(Messages.empty_dataset, path=source)])
    mapping = dict(columns or {})
    if text_column != TEXT:
        mapping[text_column] = TEXT
    missing = [name for name in mapping if name not in dataset.column_names]
    if missing:
        raise DataValidationError(
            [
                message(Messages.missing_column, column=name, available=dataset.column_names)
                for name in missing
            ]
        )
    renames = {old: new for old, new in mapping.items() if old != new}
    clashes = [new for new in renames.values() if new in dataset.column_names and new not in renames]
    if clashes:
        dataset = dataset.remove_columns(clashes)
    if renames:
        dataset = dataset.rename_columns(renames)
    report = validate_dataset(
        dataset,
        label_columns=label_columns,
        allowed_labels=allowed_labels,
        min_classes=min_classes,
        duplicates=duplicates,
    )
    report.raise_for_errors()
    for warning in report.warnings:
        log.warning("%s", warning)
    return dataset


# --- Teddy Cup 2020 (shared/data/teddycup2020) -----------------------------------------------------------

TEDDY_LABEL = "category_l1"


def load_teddycup_segmented(path: str | Path) -> Dataset:
    """`messages_segmented_9210.csv`: tokens joined back into text (raw texts carry no spaces either).

    The file has one text repeated with conflicting labels; it is reported as a warning, not dropped,
    so the published 9,210-row benchmark stays intact (duplicate-aware folds keep repeats together).
    """
    raw = read_table(Path(path))
    if "tokens" not in raw.column_names:
        raise DataValidationError(
            [message(Messages.missing_column, column="tokens", available=raw.column_names)]
        )
    joined = raw.remove_columns(["tokens"]).add_column(TEXT, ["".join(t.split()) for t in raw["tokens"]])
    return load_dataset(
        joined, columns={"label": TEDDY_LABEL}, label_columns=[TEDDY_LABEL], duplicates="warn"
    )


def load_teddycup_raw(path: str | Path) -> Dataset:
    """`messages_raw_1842.jsonl`: raw title + body text with the first-level label."""
    return load_dataset(path, columns={"label": TEDDY_LABEL}, label_columns=[TEDDY_LABEL], duplicates="warn")
