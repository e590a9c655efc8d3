"""`--label-map FILE`: another taxonomy's categories (an older version of ours, another city's, a
competition's) mapped to the current first and second level, so old history teaches what it can.

The file is CSV with the header `label,category_l1,category_l2`: each foreign label on one row, its
first-level category, and its second-level category where the mapping is that precise (empty
otherwise: such rows teach the first level only). UTF-8 or GBK, as spreadsheets write it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from jiesu.data.loading import read_text_file
from jiesu.data.taxonomy import FIRST_LEVEL_NAMES, load_taxonomy
from jiesu.errors import DataValidationError

HEADER = ("label", "category_l1", "category_l2")


@dataclass(frozen=True)
class MappedCategory:
    l1: str
    l2: str | None


def load_label_map(path: Path) -> dict[str, MappedCategory]:
    """Read and check a label map: every target category must exist, and each l2 must sit under its l1."""
    if not path.is_file():
        raise DataValidationError([f"label map {path} does not exist"])
    reader = csv.reader(io.StringIO(read_text_file(path), newline=""))
    header = tuple(cell.strip() for cell in next(reader, []))
    if header[:2] != HEADER[:2] or (len(header) > 2 and header[2] != HEADER[2]):
        raise DataValidationError([f"label map {path}: the header must be {','.join(HEADER)}, got {header}"])
    taxonomy = load_taxonomy()
    mapping: dict[str, MappedCategory] = {}
    problems: list[str] = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        label, l1, l2 = (*(cell.strip() for cell in row), "", "")[:3]
        where = f"label map {path} line {number}"
        if not label:
            problems.append(f"{where}: empty label")
        elif label in mapping:
            problems.append(f"{where}: {label!r} is mapped twice")
        elif l1 not in FIRST_LEVEL_NAMES:
            problems.append(f"{where}: {l1!r} is not a first-level category")
        elif l2 and (l2 not in taxonomy or taxonomy.l1_of(l2) != l1):
            problems.append(f"{where}: {l2!r} is not a second-level category under {l1}")
        else:
            mapping[label] = MappedCategory(l1, l2 or None)
    if problems:
        raise DataValidationError(problems[:20])
    if not mapping:
        raise DataValidationError([f"label map {path} maps no label"])
    return mapping
