"""The mis-dispatch audit's facts as the database gives them, after real workflow actions."""

from __future__ import annotations

from datetime import date

from jiesu.serving.misdispatch import misdispatch_audit
from jiesu.workflow.states import Action
from tests.serving.conftest import HEATING_UNIT, OTHER_UNIT, FakeClock, Services
from tests.serving.flows import Actors

DAY = date(2026, 11, 2)  # FakeClock's first day (Beijing)


def test_days_to_final_acceptance_ignore_a_reacceptance_after_reopening(
    services: Services, clock: FakeClock
) -> None:
    actors = Actors(services)
    op = actors.operator
    ticket = actors.create()
    actors.act(op, ticket.id, Action.DISPATCH)
    clock.advance(hours=2)
    first = actors.unit(HEATING_UNIT)
    actors.act(first, ticket.id, Action.RETURN, reason_code="not_our_duty", reason="小区自管锅炉")
    actors.act(
        actors.reviewer, ticket.id, Action.REVIEW_RETURN, decision="uphold", unit=OTHER_UNIT, reason="转"
    )
    clock.advance(hours=4)  # the final unit accepts 6 h after the first dispatch
    final = actors.unit(OTHER_UNIT)
    actors.act(final, ticket.id, Action.ACCEPT)
    clock.advance(hours=1)
    actors.act(final, ticket.id, Action.REPLY, result="已处理")
    clock.advance(days=10)
    actors.act(op, ticket.id, Action.FOLLOWUP, contacted=True, resolved=False, satisfaction="不满意")
    actors.act(op, ticket.id, Action.REOPEN, reason="市民反映问题未解决")
    clock.advance(hours=3)
    actors.act(final, ticket.id, Action.ACCEPT, note="重新办理")  # not the acceptance that ended the detour
    overall = misdispatch_audit(services.database, DAY, DAY, "unit").overall
    assert overall.settled == 1
    assert overall.mean_days_to_final_acceptance == round(6 / 24, 4)
    assert overall.mean_days_lost == round(6 / 24, 4)
