from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from jiesu.serving.audit_render import as_table, ranked_groups
from jiesu.serving.audit_schemas import MisdispatchAuditOut
from jiesu.workflow.misdispatch import audit
from tests.workflow.test_misdispatch import T0, facts


def _out(group_by: str) -> MisdispatchAuditOut:
    rows = []
    for weeks, count in ((2, 3), (0, 5), (1, 4)):  # the largest week is not the first
        at = T0 + timedelta(weeks=weeks)
        rows += [replace(facts("A", "A"), first_dispatch_at=at, final_accept_at=at)] * count
    result = audit(rows, group_by)  # type: ignore[arg-type]
    return MisdispatchAuditOut.model_validate(
        {**vars(result), "from_date": "2026-03-01", "to_date": "2026-03-31"}
    )


def test_weeks_are_listed_in_order_of_time() -> None:
    result = _out("week")
    keys = [group.key for group in ranked_groups(result)]
    assert keys == sorted(keys)
    assert len(keys) == 3
    table = as_table(result)
    assert [table.index(key) for key in keys] == sorted(table.index(key) for key in keys)
