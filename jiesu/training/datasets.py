"""Turning a dataset source and column options into texts and head targets for training/evaluation."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from datasets import Dataset, concatenate_datasets

from jiesu.data.corpus import load_seed_corpus
from jiesu.data.loading import TEXT, load_dataset
from jiesu.data.taxonomy import FIRST_LEVEL_NAMES, load_taxonomy
from jiesu.errors import DataValidationError, Messages, message
from jiesu.model.heads import HEADS, targets_from_columns
from jiesu.model.text import MAX_TEXT_CHARS
from jiesu.training.decision_threshold import UnitLabel
from jiesu.training.label_map import MappedCategory, load_label_map

log = logging.getLogger(__name__)
SEED = "seed"
HEAD_COLUMNS = ("category_l2", "category_l1", "request_type", "disposition", "channel", "emergency_number")
UNIT_COLUMNS = ("unit",)
# The default model never sees the seed test split, so suggestion benchmarks can be scored on it.
DEFAULT_SEED_SPLITS = ("train", "dev")


@dataclass
class TrainingData:
    texts: list[str]
    targets: dict[str, list[str | None]]
    source: str
    dataset: Dataset
    origin: list[int] | None = None  # per row, which of several sources it came from
    # Per row, the unit that handled it and its place, where the data has the columns (the seed corpus).
    unit_labels: list[UnitLabel | None] | None = None


def parse_column_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """`SRC=DST` pairs → {SRC: DST}; DST must be a jiesu column."""
    mapping = {}
    for pair in pairs:
        source, sep, target = pair.partition("=")
        if not sep or not source or not target:
            raise DataValidationError([f"column mapping {pair!r} must look like SOURCE=TARGET"])
        if target not in (*HEAD_COLUMNS, TEXT):
            raise DataValidationError(
                [f"column mapping {pair!r}: {target!r} is not one of {(*HEAD_COLUMNS, TEXT)}"]
            )
        mapping[source] = target
    return mapping


def label_column_target(values: Sequence[object], column: str) -> str:
    """Which jiesu column a single label column is: first-level or second-level category names."""
    labels = {value for value in values if isinstance(value, str) and value}
    if labels and labels <= set(FIRST_LEVEL_NAMES):
        return "category_l1"
    if labels and labels <= set(load_taxonomy().second_level):
        return "category_l2"
    unknown = sorted(labels - set(FIRST_LEVEL_NAMES) - set(load_taxonomy().second_level))[:10]
    raise DataValidationError(
        [
            f"label column {column!r} holds neither first- nor second-level category names "
            f"(e.g. {unknown}); map it explicitly with --column {column}=request_type (or another head)"
        ]
    )


def _mapped_categories(
    dataset: Dataset, column: str, label_map: Mapping[str, MappedCategory], path: Path
) -> Dataset:
    """Replace a column of foreign category labels by the current first and second level."""
    if column not in dataset.column_names:
        raise DataValidationError(
            [
                f"--label-map {path} maps the column {column!r}, which is missing; name it with "
                f"--label-column (columns: {dataset.column_names})"
            ]
        )
    # Labels as text (a JSON or Parquet column of numbers maps like a CSV one); only null or "" is no label.
    values = [None if value is None else str(value).strip() for value in dataset[column]]
    unmapped = sorted({value for value in values if value and value not in label_map})
    if unmapped:
        raise DataValidationError(
            [f"{len(unmapped)} label(s) of column {column!r} are not in {path}: {unmapped[:10]}"]
        )
    targets = [label_map[value] if value else None for value in values]
    kept = [name for name in dataset.column_names if name not in (column, "category_l1", "category_l2")]
    out = dataset.select_columns(kept)
    out = out.add_column("category_l1", [t.l1 if t else None for t in targets])
    return out.add_column("category_l2", [t.l2 if t else None for t in targets])


@dataclass(frozen=True)
class SourceSpec:
    """One training source of `jiesu train --data A --data B …`, with its own column options."""

    path: str
    text_column: str = TEXT
    label_column: str | None = None
    columns: tuple[str, ...] = ()
    label_map: Path | None = None


def load_training_sources(specs: Sequence[SourceSpec]) -> TrainingData:
    """Several sources as one training set: texts concatenated, and each head's labels where a source
    has them (None elsewhere), so a head learns from every row that can teach it. `sources` records
    which source each row came from (for cross-validating on one of them)."""
    if not specs:
        raise DataValidationError(["no training data: give at least one --data"])
    parts = [
        load_training_data(
            spec.path,
            text_column=spec.text_column,
            label_column=spec.label_column,
            columns=spec.columns,
            label_map=spec.label_map,
            # One source may hold a single class (a unit's own history); the model needs two in all.
            for_evaluation=len(specs) > 1,
        )
        for spec in specs
    ]
    if len(parts) == 1:
        return parts[0]
    heads = [head for head in HEADS if any(head in part.targets for part in parts)]
    texts = [text for part in parts for text in part.texts]
    targets = {
        head: [label for part in parts for label in part.targets.get(head, [None] * len(part.texts))]
        for head in heads
    }
    origin = [number for number, part in enumerate(parts) for _ in part.texts]
    unit_labels = None
    if any(part.unit_labels is not None for part in parts):
        unit_labels = [label for part in parts for label in (part.unit_labels or [None] * len(part.texts))]
    return TrainingData(
        texts=texts,
        targets=targets,
        source=" + ".join(part.source for part in parts),
        dataset=concatenate_datasets([part.dataset.select_columns([TEXT]) for part in parts]),
        origin=origin,
        unit_labels=unit_labels,
    )


def load_training_data(
    source: str,
    *,
    text_column: str = TEXT,
    label_column: str | None = None,
    columns: Sequence[str] = (),
    seed_splits: Sequence[str] = DEFAULT_SEED_SPLITS,
    for_evaluation: bool = False,
    label_map: Path | None = None,
) -> TrainingData:
    """Load `source` (a file path, or `seed` for the shipped corpus) and work out the head targets.

    `--label-column C` trains (or scores) that one head only, whatever other label columns the data has.
    For evaluation, one class is enough, and the first level is also read off the second (a first-level
    model can be scored on data labelled with second-level categories)."""
    selected: list[str] | None = None
    if source == SEED:
        corpus = load_seed_corpus()
        dataset = corpus.select([i for i, split in enumerate(corpus["split"]) if split in seed_splits])
        name = f"seed:{'+'.join(seed_splits)}"
    else:
        mapping = parse_column_mapping(columns)
        raw = load_dataset(
            Path(source), text_column=text_column, columns=mapping, min_classes=0, duplicates="ignore"
        )
        if label_map is not None:
            raw = _mapped_categories(raw, label_column or "label", load_label_map(label_map), label_map)
            mapped = [name for name in mapping.values() if name in HEAD_COLUMNS]
            selected = sorted({"category_l1", "category_l2", *mapped}, key=HEAD_COLUMNS.index)
        elif label_column is not None:
            if label_column not in raw.column_names:
                raise DataValidationError(
                    [message(Messages.missing_column, column=label_column, available=raw.column_names)]
                )
            target = label_column_target(raw[label_column], label_column)
            if target != label_column:
                if target in raw.column_names:
                    raw = raw.remove_columns([target])
                raw = raw.rename_column(label_column, target)
            # That head, and any head mapped explicitly with --column alongside it.
            mapped = [name for name in mapping.values() if name in HEAD_COLUMNS and name != target]
            selected = [target, *mapped]
        dataset = raw
        name = str(source)
    heads = selected or [column for column in HEAD_COLUMNS if column in dataset.column_names]
    if not heads:
        raise DataValidationError(
            [
                f"{name} has no label column: expected one of {HEAD_COLUMNS}, or name one with --label-column "
                f"or --column SRC=DST (columns present: {dataset.column_names})"
            ]
        )
    # Full validation now that the label columns are known (one class, conflicting duplicates …).
    load_dataset(
        dataset,
        label_columns=[c for c in heads if c not in ("channel", "emergency_number")],
        duplicates="warn",
        min_classes=1 if for_evaluation else 2,
    )
    targets = targets_from_columns({column: dataset[column] for column in heads})
    texts = list(dataset[TEXT])
    long_texts = sum(len(text) > MAX_TEXT_CHARS for text in texts)
    if long_texts:
        log.warning(
            "%s: %d text(s) longer than %d characters; the model reads each up to there",
            name,
            long_texts,
            MAX_TEXT_CHARS,
        )
    return TrainingData(
        texts=texts, targets=targets, source=name, dataset=dataset, unit_labels=_unit_labels(dataset)
    )


def _unit_labels(dataset: Dataset) -> list[UnitLabel | None] | None:
    """The unit that handled each row, where the data has a `unit` column."""
    if not set(UNIT_COLUMNS) <= set(dataset.column_names):
        return None
    return [UnitLabel(unit) if unit else None for unit in dataset["unit"]]
