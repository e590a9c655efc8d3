"""The seed corpus: labelled requests written by the team (jiesu/data/seed/*.jsonl), with a fixed
train/dev/test split by a stable hash.

Rows made by programmatic variation of a written row carry the written row's id plus `~suffix`
(`a0012~phone`); the split hashes the part before `~`, so a row and its variants always share a split.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from datasets import Dataset, concatenate_datasets

from jiesu.data.loading import load_dataset
from jiesu.data.resources import SEED_DIR
from jiesu.errors import ReferenceDataError

Split = Literal["train", "dev", "test"]
SPLITS: tuple[Split, ...] = ("train", "dev", "test")
# Percent of groups in train and dev; the rest is test.
SPLIT_BOUNDS = (80, 90)
CORPUS_COLUMNS = (
    "id", "text", "category_l1", "category_l2", "request_type", "disposition", "channel",
    "emergency_number", "region", "district", "street", "community", "unit", "urgency", "consult",
)  # fmt: skip
VARIANT_SEPARATOR = "~"


def group_id(row_id: str) -> str:
    return row_id.split(VARIANT_SEPARATOR, 1)[0]


def is_variant(row_id: str) -> bool:
    return VARIANT_SEPARATOR in row_id


def split_of(row_id: str) -> Split:
    """The fixed split of a row: sha256 of its group id, modulo 100, against SPLIT_BOUNDS."""
    bucket = int(hashlib.sha256(group_id(row_id).encode("utf-8")).hexdigest(), 16) % 100
    if bucket < SPLIT_BOUNDS[0]:
        return "train"
    if bucket < SPLIT_BOUNDS[1]:
        return "dev"
    return "test"


def corpus_files(location: Path | None = None) -> list[Path]:
    """The JSONL files of a corpus: a single file, or every *.jsonl in a folder (sorted)."""
    location = location or SEED_DIR
    if location.is_file():
        return [location]
    return sorted(location.glob("*.jsonl"))


def corpus_digest(location: Path | None = None) -> str:
    """sha256 over the corpus files' names and bytes: cheap (milliseconds), unlike the fingerprint of
    the normalised rows, so the default model can check at every start that it was trained on this corpus."""
    digest = hashlib.sha256()
    for path in corpus_files(location):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def load_seed_corpus(location: Path | None = None, split: Split | None = None) -> Dataset:
    """The seed corpus (or the corpus at `location`) as one Dataset with a `split` column, in file order.

    Rows are checked only for shape here (columns, non-empty text); label coverage and consistency with
    the reference data are checked by `jiesu data check` (jiesu.data.check).
    """
    files = corpus_files(location)
    if not files:
        raise ReferenceDataError(f"no *.jsonl corpus files at {location or SEED_DIR}")
    parts = [load_dataset(path, min_classes=0) for path in files]
    for path, part in zip(files, parts, strict=True):
        missing = [column for column in CORPUS_COLUMNS if column not in part.column_names]
        if missing:
            raise ValueError(f"{path}: corpus rows lack the columns {missing}")
    corpus = concatenate_datasets([part.select_columns(list(CORPUS_COLUMNS)) for part in parts])
    corpus = corpus.add_column("split", [split_of(row_id) for row_id in corpus["id"]])
    if split is not None:
        corpus = corpus.select([i for i, name in enumerate(corpus["split"]) if name == split])
    return corpus
