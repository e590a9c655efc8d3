"""The prediction heads and how their labels are read from dataset columns.

- `category`: the second-level category (first level derived from the taxonomy, so the two never
  contradict); `category_l1` is used instead when a dataset has first-level labels only (Teddy Cup).
- `request_type`: 咨询/求助/投诉/举报/建议/表扬.
- `disposition`: one label that carries the legal channel or emergency number with it
  (`legal_channel:arbitration`, `emergency:119`), so a disposition and its channel never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jiesu.data.taxonomy import load_taxonomy

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


def targets_from_columns(
    columns: Mapping[str, Sequence[object]], *, all_levels: bool = False
) -> dict[str, list[str | None]]:
    """Head targets from dataset columns (category_l2/category_l1, request_type, disposition + channel
    + emergency_number). Heads whose columns are absent or empty are left out.

    Training takes one category level (the second where present). With `all_levels` (scoring), both
    are given: the first level from its column, or derived from the second through the taxonomy."""
    targets: dict[str, list[str | None]] = {}
    if "category_l2" in columns and any(_clean(columns["category_l2"])):
        targets["category"] = _clean(columns["category_l2"])
    if "category_l1" in columns and any(_clean(columns["category_l1"])):
        if all_levels or "category" not in targets:
            targets["category_l1"] = _clean(columns["category_l1"])
    elif all_levels and "category" in targets:
        taxonomy = load_taxonomy()
        targets["category_l1"] = [
            taxonomy.l1_of(label) if label and label in taxonomy else None for label in targets["category"]
        ]
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
