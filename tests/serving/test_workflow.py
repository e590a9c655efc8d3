"""The pure state machine and time rules (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jiesu.data.workflow_settings import load_workflow_settings
from jiesu.workflow.rates import RateCounts, compute_rates
from jiesu.workflow.states import (
    TRANSITIONS,
    Action,
    IllegalTransition,
    State,
    add_working_days,
    allowed_actions,
    cycle_of,
    followup_outcome,
    is_overdue,
    next_state,
    review_return_outcome,
    targets,
)

ILLEGAL = [(state, action) for state in State for action in Action if state not in TRANSITIONS[action].moves]
LEGAL = [(state, action) for state in State for action in Action if state in TRANSITIONS[action].moves]


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=lambda v: str(v))
def test_illegal_transition_names_the_allowed_actions(state: State, action: Action) -> None:
    with pytest.raises(IllegalTransition) as raised:
        next_state(state, action)
    assert raised.value.allowed == allowed_actions(state)
    assert action.value not in raised.value.allowed


@pytest.mark.parametrize(("state", "action"), LEGAL, ids=lambda v: str(v))
def test_legal_transitions_lead_to_declared_states(state: State, action: Action) -> None:
    assert next_state(state, action) in targets(state, action)


def test_every_state_is_reachable_and_only_closed_is_terminal() -> None:
    reached = {State.RECEIVED}
    frontier = [State.RECEIVED]
    while frontier:
        state = frontier.pop()
        for action in allowed_actions(state):
            for target in targets(state, Action(action)):
                if target not in reached:
                    reached.add(target)
                    frontier.append(target)
    assert reached == set(State)
    assert [state for state in State if not allowed_actions(state)] == [State.CLOSED]


def test_branches() -> None:
    max_rounds = load_workflow_settings().returns.max_dispatch_rounds
    assert review_return_outcome(True, 1, max_rounds) is State.DISPATCHED
    assert review_return_outcome(True, max_rounds, max_rounds) is State.COORDINATION
    assert review_return_outcome(False, max_rounds, max_rounds) is State.DISPATCHED
    assert followup_outcome(True) is State.CLOSED
    assert followup_outcome(False) is State.UNRESOLVED
    with pytest.raises(ValueError, match="cannot lead"):
        next_state(State.REPLIED, Action.FOLLOWUP, branch=State.DISPATCHED)


def test_working_days_skip_the_weekend() -> None:
    friday_10am_beijing = datetime(2026, 11, 6, 2, 0, tzinfo=UTC)
    assert add_working_days(friday_10am_beijing, 2) == datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # Tuesday
    monday = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
    assert add_working_days(monday, 2) == datetime(2026, 11, 4, 2, 0, tzinfo=UTC)
    # Friday 23:00 Beijing is Friday 15:00 UTC: the local date decides.
    assert add_working_days(datetime(2026, 11, 6, 15, 0, tzinfo=UTC), 1).day == 9


def test_working_days_follow_the_holiday_schedule() -> None:
    # National Day 2026: 1–7 October off; Saturday 10 October is worked in their place.
    wednesday_30_september = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    assert add_working_days(wednesday_30_september, 2) == datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
    friday_9_october = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
    assert add_working_days(friday_9_october, 1) == datetime(2026, 10, 10, 2, 0, tzinfo=UTC)  # Saturday
    # Spring Festival 2026: Saturday 14 February is worked, 15–23 February are off.
    friday_13_february = datetime(2026, 2, 13, 2, 0, tzinfo=UTC)
    assert add_working_days(friday_13_february, 1).date() == date(2026, 2, 14)
    assert add_working_days(friday_13_february, 2).date() == date(2026, 2, 24)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 18), (date(2026, 10, 19), date(2026, 11, 18))),
        (date(2026, 11, 19), (date(2026, 11, 19), date(2026, 12, 18))),
        (date(2027, 1, 5), (date(2026, 12, 19), date(2027, 1, 18))),
        (date(2026, 12, 25), (date(2026, 12, 19), date(2027, 1, 18))),
    ],
)
def test_assessment_cycle_runs_from_the_19th_to_the_18th(day: date, expected: tuple[date, date]) -> None:
    assert cycle_of(day, load_workflow_settings().rates.cycle.start_day) == expected


def test_overdue_only_while_the_clock_runs() -> None:
    now = datetime(2026, 11, 2, tzinfo=UTC)
    past = datetime(2026, 11, 1, tzinfo=UTC)
    assert is_overdue("accepted", past, now)
    assert not is_overdue("replied", past, now)
    assert not is_overdue("closed", past, now)
    assert not is_overdue("accepted", None, now)
    assert not is_overdue("accepted", now, now)


def test_rates_on_a_hand_computed_example() -> None:
    """10 follow-ups, 1 invalid: valid 9, contacted 8, resolved 6, 满意 5 + 基本满意 2 + 不满意 1.
    response 8/9, resolution 6/9, satisfaction (5 + 0.9×2)/9 = 6.8/9,
    overall 0.1×8/9 + 0.5×6/9 + 0.4×6.8/9 = (0.8 + 3 + 2.72)/9 = 6.52/9."""
    settings = load_workflow_settings().rates
    counts = RateCounts()
    rows = (
        [(True, True, True, "满意")] * 5
        + [(True, True, True, "基本满意")]
        + [(True, True, False, "基本满意")]
        + [(True, True, False, "不满意")]
        + [(True, False, False, None)]
        + [(False, True, True, "满意")]
    )
    for valid, contacted, resolved, level in rows:
        counts.add(valid=valid, contacted=contacted, resolved=resolved, satisfaction=level)
    rates = compute_rates(counts, settings.satisfaction_weights, settings.overall_weights)
    assert rates["valid"] == 9
    assert rates["response_rate"] == pytest.approx(8 / 9, abs=1e-6)
    assert rates["resolution_rate"] == pytest.approx(6 / 9, abs=1e-6)
    assert rates["satisfaction_rate"] == pytest.approx(6.8 / 9, abs=1e-6)
    assert rates["overall"] == pytest.approx(6.52 / 9, abs=1e-6)
    empty = compute_rates(RateCounts(), settings.satisfaction_weights, settings.overall_weights)
    assert empty["overall"] is None
