from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jiesu.workflow.misdispatch import TicketFacts, audit

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def facts(first: str, final: str, *, suggested: str | None = None, returned: bool = False, upheld: bool = False,
          state: str = "replied", operator: str = "operator 01", days: float = 0.5) -> TicketFacts:  # fmt: skip
    return TicketFacts(
        state=state,
        model_id="m1",
        category="供暖",
        district="朝阳区",
        suggested_unit=suggested if suggested is not None else first,
        disposition="dispatch",
        first_unit=first,
        overridden=suggested is not None and suggested != first,
        operator=operator,
        first_dispatch_at=T0,
        final_unit=final,
        returned_by_first=returned,
        upheld_first=upheld,
        rounds=1 if first == final else 2,
        final_accept_at=T0 + timedelta(days=days),
    )


def test_rates_counts_and_model_versus_operator() -> None:
    rows = [facts("A", "A")] * 6 + [facts("A", "B", returned=True, upheld=True, days=2.5)] * 2
    rows += [facts("B", "B", suggested="C")] * 2  # overridden, the operator was right
    rows += [facts("C", "C", state="dispatched", returned=True)]  # not settled
    undecided = TicketFacts("received", "m1", None, None, None, None, None, False, None, None, None, False,
                            False, 0, None)  # fmt: skip
    result = audit([*rows, undecided], "unit")
    overall = result.overall
    assert (result.tickets, result.dispatched, result.not_dispatched) == (12, 11, {"received": 1})
    assert (overall.settled, overall.first_dispatch_accuracy.count) == (10, 8)
    assert overall.return_rate.count == 3
    assert overall.return_rate.total == 11
    assert overall.upheld_return_rate.count == 2
    assert overall.upheld_return_rate.total == 3
    assert overall.accepted_suggestion.count == 9
    assert overall.accepted_suggestion.total == 11
    assert overall.override_operator_right.count == 2
    assert overall.override_model_right.count == 0
    assert overall.model_alone_accuracy.count == 6
    assert overall.model_alone_accuracy.total == 10
    assert overall.mean_days_lost == 2.5
    low, high = overall.first_dispatch_accuracy.low, overall.first_dispatch_accuracy.high
    assert low is not None
    assert high is not None
    assert low < 0.8 < high
    assert [group.key for group in result.groups] == ["A", "B", "C"]
    assert [(c.first_unit, c.final_unit, c.tickets) for c in result.confusion][:2] == [
        ("A", "A", 6),
        ("A", "B", 2),
    ]


def test_a_group_apart_from_the_rest_is_flagged_after_holm() -> None:
    rows = [facts(f"U{i}", f"U{i}", operator=f"op{i}") for i in range(5) for _ in range(200)]
    rows += [facts("U0", "X", operator="op0", returned=True, upheld=True) for _ in range(60)]
    result = audit(rows, "operator")
    flagged = {group.key: group.flags for group in result.groups if group.flags}
    # op0 is lower than the rest; each other operator, compared with a rest that holds op0, is higher
    others = [flag for key, flags in flagged.items() if key != "op0" for flag in flags]
    assert all(flag.direction == "higher" for flag in others if flag.metric == "first_dispatch_accuracy")
    accuracy = next(flag for flag in flagged["op0"] if flag.metric == "first_dispatch_accuracy")
    assert accuracy.direction == "lower"
    assert accuracy.test == "two-proportion z-test"
    assert accuracy.p_adjusted >= accuracy.p_value
    assert "Holm" in result.method


def test_weeks_are_iso_weeks_of_the_first_dispatch_in_beijing() -> None:
    late_sunday = facts("A", "A")
    shifted = TicketFacts(
        **{**vars(late_sunday), "first_dispatch_at": datetime(2026, 3, 8, 17, 0, tzinfo=UTC)}
    )
    result = audit([late_sunday, shifted], "week")
    assert [group.key for group in result.groups] == ["2026-W10", "2026-W11"]
