"""The prediction heads and how their labels are read from dataset columns.

- `category_l1` and `category`: the first- and second-level category, one hierarchical head
  (jiesu.model.hierarchy): the first level learned from every row, the second within it from the rows
  that have one; a dataset with first-level labels only (Teddy Cup) trains `category_l1` alone.
- `request_type`: 咨询/求助/投诉/举报/建议/表扬.
- `disposition`: one label that carries the legal channel or emergency number with it
  (`legal_channel:arbitration`, `emergency:119`), so a disposition and its channel never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jiesu.data.taxonomy import load_taxonomy
from jiesu.errors import DataValidationError

HEADS = ("category", "category_l1", "request_type", "disposition")
SEPARATOR = ":"


@dataclass(frozen=True)
class DispositionLabel:
    label: str
    channel: str | None
    emergency_number: str | None


def encode_disposition(
    disposition: str | None, channel: str | None, emergency_number: str | None
) -> str | None:
    if not disposition:
        return None
    if disposition == "legal_channel" and channel:
        return f"{disposition}{SEPARATOR}{channel}"
    if disposition == "emergency" and emergency_number:
        return f"{disposition}{SEPARATOR}{emergency_number}"
    return disposition


def decode_disposition(encoded: str) -> DispositionLabel:
    label, _, detail = encoded.partition(SEPARATOR)
    return DispositionLabel(
        label=label,
        channel=detail if label == "legal_channel" and detail else None,
        emergency_number=detail if label == "emergency" and detail else None,
    )


def _clean(values: Sequence[object]) -> list[str | None]:
    return [value.strip() if isinstance(value, str) and value.strip() else None for value in values]


def targets_from_columns(columns: Mapping[str, Sequence[object]]) -> dict[str, list[str | None]]:
    """Head targets from dataset columns (category_l2/category_l1, request_type, disposition + channel
    + emergency_number). Heads whose columns are absent or empty are left out.

    The category is one hierarchical head (jiesu.model.hierarchy): `category` (second level) from the
    rows that have one, and `category_l1` from every row with either level, read off the second level
    where the first is not given. A row whose two levels disagree is an error."""
    targets: dict[str, list[str | None]] = {}
    l2 = _clean(columns["category_l2"]) if "category_l2" in columns else []
    l1 = _clean(columns["category_l1"]) if "category_l1" in columns else []
    if any(l2):
        targets["category"] = l2
    if any(l1) or any(l2):
        taxonomy = load_taxonomy()
        n = len(l2) or len(l1)
        given = l1 or [None] * n
        derived = [taxonomy.l1_of(label) if label and label in taxonomy else None for label in l2 or given]
        conflicts = [
            i for i, (a, b) in enumerate(zip(given, derived, strict=True)) if a and b and a != b and l2
        ]
        if conflicts:
            i = conflicts[0]
            raise DataValidationError(
                [
                    f"{len(conflicts)} row(s) have a first-level category that is not the parent of their "
                    f"second-level one, e.g. row {i}: {given[i]!r} with {l2[i]!r}"
                ]
            )
        targets["category_l1"] = [a or b for a, b in zip(given, derived, strict=True)]
    if "request_type" in columns and any(_clean(columns["request_type"])):
        targets["request_type"] = _clean(columns["request_type"])
    if "disposition" in columns and any(_clean(columns["disposition"])):
        n = len(columns["disposition"])
        channels = _clean(columns.get("channel", [None] * n))
        numbers = _clean(columns.get("emergency_number", [None] * n))
        targets["disposition"] = [
            encode_disposition(d, c, e)
            for d, c, e in zip(_clean(columns["disposition"]), channels, numbers, strict=True)
        ]
    return targets
