"""Settled tickets as weighted labels, and the live promise: rates with Wilson intervals, the flag, drift."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jiesu.training.drift import reference_histogram
from jiesu.workflow.outcomes import OutcomeWeights, settle
from jiesu.workflow.promise import TicketFacts, drift, facts, period_of, promise_rows

SUGGESTION = {"category": {"l1": "城乡建设", "l2": "供暖"}}
DISPATCH = ("dispatch", {"unit": "北京市热力集团", "suggested_unit": "北京市热力集团", "overridden": False})
REPLY = ("reply", {"result": "已处理"})
WEIGHTS = OutcomeWeights()


def test_an_untouched_dispatch_that_was_replied_to_is_a_confirmed_label() -> None:
    outcome = settle("replied", "供暖", SUGGESTION, [DISPATCH, ("accept", {}), REPLY], WEIGHTS)
    assert outcome is not None
    assert (outcome.kind, outcome.weight, outcome.unit) == ("confirmed", 0.5, "北京市热力集团")
    assert (outcome.category_l1, outcome.category_l2) == ("城乡建设", "供暖")


def test_an_override_and_an_upheld_return_weigh_more() -> None:
    overridden = (
        "dispatch",
        {"unit": "朝阳区城市管理委员会", "suggested_unit": "北京市热力集团", "overridden": True},
    )
    outcome = settle("closed", "供暖", SUGGESTION, [overridden, REPLY], WEIGHTS)
    assert outcome is not None
    assert (outcome.kind, outcome.weight) == ("override", 0.8)
    corrected = settle("replied", "餐饮油烟", SUGGESTION, [DISPATCH, REPLY], WEIGHTS)
    assert corrected is not None
    assert corrected.kind == "override"
    upheld = ("review-return", {"decision": "uphold", "unit": "朝阳区望京街道办事处"})
    events: list[tuple[str, dict[str, Any]]] = [
        DISPATCH,
        ("return", {"reason_code": "not_our_duty"}),
        upheld,
        REPLY,
    ]
    outcome = settle("replied", "供暖", SUGGESTION, events, WEIGHTS)
    assert outcome is not None
    assert (outcome.kind, outcome.weight, outcome.unit) == ("upheld_return", 1.0, "朝阳区望京街道办事处")
    assert WEIGHTS.upheld_return > WEIGHTS.override > WEIGHTS.confirmed


def test_unsettled_tickets_and_first_level_only_tickets() -> None:
    assert settle("accepted", "供暖", SUGGESTION, [DISPATCH], WEIGHTS) is None
    assert settle("replied", "供暖", SUGGESTION, [DISPATCH], WEIGHTS) is None  # no reply event
    first_only = settle(
        "replied", None, {"category": {"l1": "城乡建设", "l2": None}}, [DISPATCH, REPLY], WEIGHTS
    )
    assert first_only is not None
    assert (first_only.category_l1, first_only.category_l2) == ("城乡建设", None)
    with pytest.raises(ValueError, match="override"):
        OutcomeWeights(override=0)


def _ticket(
    model: str, day: int, *, auto: bool = True, overridden: bool = False, upheld: bool = False
) -> TicketFacts:
    return TicketFacts(
        model_id=model,
        created_at=datetime(2026, 11, 2, 2, tzinfo=UTC) + timedelta(days=day),
        without_person=auto,
        dispatched=True,
        overridden=overridden,
        upheld=upheld,
        decision_confidence=0.99,
        unfamiliarity=0.1,
    )


def test_promise_rows_count_with_intervals_and_flag_a_broken_promise() -> None:
    tickets = [_ticket("m1", 0) for _ in range(90)]
    tickets += [_ticket("m1", 0, overridden=True) for _ in range(6)]
    tickets += [_ticket("m1", 0, upheld=True) for _ in range(4)]
    tickets += [_ticket("m1", 0, auto=False) for _ in range(100)]
    tickets += [_ticket("m2", 1) for _ in range(50)]
    rows = promise_rows(tickets, "day", {"m1": 0.97, "m2": 0.97})
    first, second = rows
    assert (first.model_id, first.period, first.tickets) == ("m1", "2026-11-02", 200)
    assert (first.without_person.count, first.without_person.of) == (100, 200)
    assert (first.overridden.count, first.returned_upheld.count, first.accuracy.count) == (6, 4, 90)
    assert first.accuracy.high is not None
    assert first.accuracy.high < 0.97
    assert first.promise_outside_interval is True  # 90/100 right: 0.97 is above the interval
    assert second.promise_outside_interval is False  # 50/50 right: 0.97 is inside
    assert promise_rows(tickets, "week", {})[0].period == "2026-W45"
    assert promise_rows(tickets, "week", {})[0].promised is None


def test_facts_read_the_stored_suggestion_and_events() -> None:
    suggestion: dict[str, Any] = {
        "disposition": {"label": "dispatch"},
        "route": {"unit": "北京市热力集团"},
        "consult": {
            "required": False,
            "checks": [
                {"decision": "decision", "confidence": 0.98},
                {"decision": "familiarity", "confidence": 0.75},
            ],
        },
    }
    upheld = ("review-return", {"decision": "uphold"})
    fact = facts("m1", datetime(2026, 11, 2, tzinfo=UTC), suggestion, [DISPATCH, upheld])
    assert fact.without_person
    assert fact.dispatched
    assert fact.upheld
    assert not fact.overridden
    assert fact.decision_confidence == 0.98
    assert fact.unfamiliarity == pytest.approx(0.25)
    held = facts("m1", datetime(2026, 11, 2, tzinfo=UTC), {**suggestion, "consult": {"required": True}}, [])
    assert not held.without_person
    assert not held.dispatched
    assert period_of(datetime(2026, 11, 1, 17, tzinfo=UTC), "day") == "2026-11-02"  # Beijing time


def test_drift_warns_when_live_confidence_parts_from_training() -> None:
    reference = reference_histogram([i / 100 for i in range(50, 100)])
    live = [_ticket("m1", 0) for _ in range(200)]  # every live decision confidence is 0.99
    signals = drift(live, {"m1": {"decision_confidence": reference, "unfamiliarity": None}})[0].signals
    confidence, unfamiliar = signals
    assert confidence.warning
    assert confidence.psi is not None
    assert confidence.psi > 0.2
    assert unfamiliar.psi is None
    assert not unfamiliar.warning


def test_a_handful_of_live_values_shows_the_index_but_does_not_warn() -> None:
    reference = reference_histogram([i / 100 for i in range(50, 100)])
    live = [_ticket("m1", 0) for _ in range(2)]  # two suggestions a day after start: noise, not drift
    confidence = drift(live, {"m1": {"decision_confidence": reference, "unfamiliarity": None}})[0].signals[0]
    assert confidence.psi is not None
    assert confidence.psi > 0.2
    assert not confidence.warning
