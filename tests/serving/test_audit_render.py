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


def test_a_rate_without_tickets_is_not_plotted_as_zero() -> None:
    from math import isnan

    from jiesu.serving.audit_html import _errors
    from jiesu.serving.audit_schemas import RateOut

    # A week without returns has no upheld-return rate: a point at 0% would read "none upheld".
    values, errors = _errors(
        [
            RateOut(count=0, total=0, rate=None, low=None, high=None),
            RateOut(count=1, total=2, rate=0.5, low=0.1, high=0.9),
        ]
    )
    assert isnan(values[0])
    assert values[1] == 0.5
    assert [round(e[1], 6) for e in errors] == [0.4, 0.4]


def test_table_columns_line_up_under_chinese_unit_names() -> None:
    import unicodedata

    rows = [facts("A", "A")] * 3 + [facts("北京市热力集团", "北京市热力集团")] * 2
    result = MisdispatchAuditOut.model_validate(
        {**vars(audit(rows, "unit")), "from_date": "2026-03-01", "to_date": "2026-03-31"}
    )
    lines = as_table(result).splitlines()
    rows_shown = [line for line in lines if line.startswith(("all ", "A ", "北京市热力集团"))]

    def column(line: str, text: str) -> int:  # terminal columns before `text`: CJK characters take two
        before = line[: line.index(text)]
        return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in before)

    assert len(rows_shown) == 3
    assert len({column(line, "%") for line in rows_shown}) == 1
