"""One loader for CSV, JSON Lines, JSON, Parquet files and `datasets` objects, returning a validated
`datasets.Dataset` with a `text` column and the requested label columns; adapters for the shared
Teddy Cup 2020 data."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import pyarrow.parquet as pa_parquet
from datasets import Dataset, DatasetDict

from jiesu.data.validation import DuplicatePolicy, validate_dataset
from jiesu.errors import DataValidationError, message

log = logging.getLogger(__name__)
TEXT = "text"
SUPPORTED_SUFFIXES = (".csv", ".jsonl", ".json", ".parquet")


def read_table(path: Path) -> Dataset:
    """Read a file into a Dataset without type guessing on CSV (every CSV column is text)."""
    if not path.exists():
        raise DataValidationError([message("file_not_found", path=path)])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return Dataset.from_dict(_read_csv_columns(path))
    if suffix == ".parquet":
        return Dataset(pa_parquet.read_table(path))
    if suffix in (".jsonl", ".json"):
        return Dataset.from_list(_read_json_rows(path))
    raise DataValidationError([message("unsupported_format", path=path, suffix=suffix)])


def _read_csv_columns(path: Path) -> dict[str, list[str]]:
    # The csv module, not a typed reader: ids like "0012" must stay text, and quoted fields hold newlines.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise DataValidationError([message("empty_dataset", path=path)]) from None
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
    text = path.read_text(encoding="utf-8")
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
    return list(rows)


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
        raise DataValidationError([message("empty_dataset", path=source)])
    mapping = dict(columns or {})
    if text_column != TEXT:
        mapping[text_column] = TEXT
    missing = [name for name in mapping if name not in dataset.column_names]
    if missing:
        raise DataValidationError(
            [message("missing_column", column=name, available=dataset.column_names) for name in missing]
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
        raise DataValidationError([message("missing_column", column="tokens", available=raw.column_names)])
    joined = raw.remove_columns(["tokens"]).add_column(TEXT, ["".join(t.split()) for t in raw["tokens"]])
    return load_dataset(
        joined, columns={"label": TEDDY_LABEL}, label_columns=[TEDDY_LABEL], duplicates="warn"
    )


def load_teddycup_raw(path: str | Path) -> Dataset:
    """`messages_raw_1842.jsonl`: raw title + body text with the first-level label."""
    return load_dataset(path, columns={"label": TEDDY_LABEL}, label_columns=[TEDDY_LABEL], duplicates="warn")
