"""One output row per scored record: the id, where it came from, the suggestion flattened into columns,
the historical labels and whether the suggestion agrees with them. The same columns go into the Parquet
shards, the database table of `--from-db` and the summary."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from jiesu.batch.readers import InputRow
from jiesu.model.suggestion_types import Suggestion

SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("number", pa.int64()),
        ("category_l1", pa.string()),
        ("category_l2", pa.string()),
        ("category_confidence", pa.float64()),
        ("request_type", pa.string()),
        ("request_type_confidence", pa.float64()),
        ("disposition", pa.string()),
        ("disposition_channel", pa.string()),
        ("emergency_number", pa.string()),
        ("disposition_confidence", pa.float64()),
        ("in_beijing", pa.bool_()),
        ("region", pa.string()),
        ("district", pa.string()),
        ("street", pa.string()),
        ("community", pa.string()),
        ("jurisdiction_confidence", pa.float64()),
        ("jurisdiction_source", pa.string()),
        ("unit", pa.string()),
        ("unit_type", pa.string()),
        ("unit_copy_to", pa.list_(pa.string())),
        ("rule_id", pa.string()),
        ("deadline_tier", pa.string()),
        ("deadline_hours", pa.int64()),
        ("decision_confidence", pa.float64()),
        ("decision_threshold", pa.float64()),
        ("consult_required", pa.bool_()),
        ("consult_reasons", pa.list_(pa.string())),
        ("risk_flag", pa.bool_()),
        ("risk_cues", pa.list_(pa.string())),
        ("model_id", pa.string()),
        ("taxonomy_version", pa.string()),
        ("catalogue_version", pa.string()),
        ("disposition_rules_version", pa.string()),
        ("gazetteer_version", pa.string()),
        ("historical_unit", pa.string()),
        ("historical_category", pa.string()),
        ("unit_agrees", pa.bool_()),
        ("category_agrees", pa.bool_()),
        ("suggestion_json", pa.string()),
    ]
)
COLUMNS = tuple(SCHEMA.names)


def flatten(row: InputRow, source: str, suggestion: Suggestion, *, with_json: bool = False) -> dict[str, Any]:
    """The output row of `row`. `suggestion_json` (the whole suggestion) only when asked: it is most of
    a shard's size."""
    category, disposition, place = suggestion.category, suggestion.disposition, suggestion.jurisdiction
    route, deadline, consult = suggestion.route, suggestion.deadline, suggestion.consult
    decision = next((check for check in consult.checks if check.decision == "decision"), None)
    versions = suggestion.versions
    return {
        "id": row.id,
        "source": source,
        "number": row.number,
        "category_l1": category.l1,
        "category_l2": category.l2,
        "category_confidence": category.confidence,
        "request_type": suggestion.request_type.label,
        "request_type_confidence": suggestion.request_type.confidence,
        "disposition": disposition.label,
        "disposition_channel": disposition.channel,
        "emergency_number": disposition.emergency_number,
        "disposition_confidence": disposition.confidence,
        "in_beijing": place.in_beijing,
        "region": place.region,
        "district": place.district,
        "street": place.street,
        "community": place.community,
        "jurisdiction_confidence": place.confidence,
        "jurisdiction_source": place.source,
        "unit": route.unit if route else None,
        "unit_type": route.unit_type if route else None,
        "unit_copy_to": list(route.copy_to) if route else [],
        "rule_id": route.rule_id if route else None,
        "deadline_tier": deadline.tier if deadline else None,
        "deadline_hours": deadline.hours if deadline else None,
        "decision_confidence": decision.confidence if decision else None,
        "decision_threshold": decision.threshold if decision else None,
        "consult_required": consult.required,
        "consult_reasons": list(consult.reasons),
        "risk_flag": suggestion.risk.flag,
        "risk_cues": list(suggestion.risk.cues),
        "model_id": versions.model_id,
        "taxonomy_version": versions.taxonomy,
        "catalogue_version": versions.catalogue,
        "disposition_rules_version": versions.disposition_rules,
        "gazetteer_version": versions.gazetteer,
        "historical_unit": row.historical_unit,
        "historical_category": row.historical_category,
        "unit_agrees": unit_agrees(row.historical_unit, route.unit if route else None),
        "category_agrees": category_agrees(row.historical_category, category.l1, category.l2),
        "suggestion_json": (
            json.dumps(suggestion.model_dump(mode="json"), ensure_ascii=False) if with_json else None
        ),
    }


def unit_agrees(historical: str | None, suggested: str | None) -> bool | None:
    """None without a historical unit; a suggestion that names no unit disagrees with one that was named."""
    if historical is None:
        return None
    return suggested is not None and _same(historical, suggested)


def category_agrees(historical: str | None, l1: str | None, l2: str | None) -> bool | None:
    """The historical label may be of either level (a first-level history is compared with l1)."""
    if historical is None:
        return None
    return any(name is not None and _same(historical, name) for name in (l2, l1))


def _same(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


def to_table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SCHEMA)
