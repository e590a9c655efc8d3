"""The return action (派单异议) as a pure function: a rejection settles the objection, a further return in
the same dispatch round needs new facts and carries the decision (shared/docs/domain.md §1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jiesu.data.workflow_settings import load_workflow_settings
from jiesu.workflow.actions import decide
from jiesu.workflow.actors import Principal
from jiesu.workflow.bodies import ReturnBody
from jiesu.workflow.errors import Conflict, InvalidInput
from jiesu.workflow.payloads import PreviousDecision, ReturnPayload
from jiesu.workflow.records import Rules, rejected_return
from jiesu.workflow.reference import Reference
from jiesu.workflow.states import Action, Role, State

UNIT = "北京市热力集团"
DISPATCHED_AT = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 Beijing time
REJECTION = PreviousDecision(
    decision="reject", reason="属于本单位职责", reviewer="key-r", at="2026-11-02T03:00:00+00:00"
)


@dataclass
class FakeTicket:
    id: str = "t1"
    created_at: datetime = DISPATCHED_AT
    version: int = 3
    state: str = State.DISPATCHED.value
    suggestion: dict[str, Any] = field(default_factory=dict)
    suggested_unit: str | None = UNIT
    category: str | None = None
    district: str | None = "朝阳区"
    lead_unit: str | None = UNIT
    lead_unit_type: str | None = "enterprise"
    copy_to: list[str] = field(default_factory=list)
    co_handlers: list[str] = field(default_factory=list)
    dispatch_round: int = 1
    deadline_tier: str | None = "utility"
    dispatched_at: datetime | None = DISPATCHED_AT
    deadline_at: datetime | None = DISPATCHED_AT + timedelta(hours=24)
    extensions: int = 0
    consultation: dict[str, Any] | None = None
    closure: str | None = None
    linked_ticket_id: str | None = None


@dataclass
class FakeEvent:
    action: str
    payload: dict[str, Any]
    at: datetime = DISPATCHED_AT
    actor_key_id: str | None = "key-r"


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference.load()


def _return(
    reference: Reference, previous: PreviousDecision | None, *, hours: float = 2, **fields: Any
) -> ReturnPayload:
    rules = Rules(
        load_workflow_settings(),
        reference,
        DISPATCHED_AT + timedelta(hours=hours),
        rejected_return=previous,
    )
    body = ReturnBody.model_validate({"reason_code": "not_our_duty", "reason": "非本单位职责", **fields})
    unit = Principal(key_id="key-u", role=Role.UNIT, unit=UNIT)
    change = decide(Action.RETURN, FakeTicket(), body, unit, rules)
    assert change.to_state is State.RETURN_REQUESTED
    assert isinstance(change.payload, ReturnPayload)
    return change.payload


def test_a_first_return_is_an_objection_and_takes_no_new_facts(reference: Reference) -> None:
    payload = _return(reference, None)
    assert (payload.refiled, payload.previous_decision) == (False, None)
    with pytest.raises(InvalidInput, match="first return"):
        _return(reference, None, new_facts="新情况")


@pytest.mark.parametrize("new_facts", [None, "", " \n\t"])
def test_after_a_rejection_a_return_without_new_facts_is_refused(
    reference: Reference, new_facts: str | None
) -> None:
    with pytest.raises(InvalidInput, match="new_facts") as raised:
        _return(reference, REJECTION, new_facts=new_facts)
    assert raised.value.details == {"previous_decision": REJECTION.model_dump(mode="json")}


def test_a_refiled_return_carries_its_new_facts_and_the_decision(reference: Reference) -> None:
    payload = _return(reference, REJECTION, new_facts="锅炉房产权属物业公司")
    assert (payload.refiled, payload.new_facts, payload.previous_decision) == (
        True,
        "锅炉房产权属物业公司",
        REJECTION,
    )


def test_a_refiled_return_keeps_the_return_window(reference: Reference) -> None:
    with pytest.raises(Conflict) as raised:
        _return(reference, REJECTION, hours=24 * 7, new_facts="新情况")
    assert raised.value.code == "return_window_passed"


def _review(decision: str, at_hour: int, reason: str | None = None) -> FakeEvent:
    payload = {"decision": decision, "returned_by": UNIT, "reason": reason}
    return FakeEvent("review-return", payload, at=DISPATCHED_AT + timedelta(hours=at_hour))


def test_the_last_rejection_of_the_round_is_the_one_attached() -> None:
    dispatch = FakeEvent("dispatch", {"unit": UNIT})
    assert rejected_return([]) is None
    assert rejected_return([dispatch]) is None
    found = rejected_return([dispatch, _review("reject", 1, "第一次"), _review("reject", 2, "第二次")])
    assert found == PreviousDecision(
        decision="reject", reason="第二次", reviewer="key-r", at="2026-11-02T04:00:00+00:00"
    )


@pytest.mark.parametrize(
    "new_round",
    [
        _review("uphold", 2),
        FakeEvent("escalate", {"level": "district", "unit": "朝阳区人民政府"}),
        FakeEvent("dispatch", {"unit": UNIT}),
    ],
    ids=["upheld", "escalated", "dispatched"],
)
def test_a_new_dispatch_round_clears_the_rejection(new_round: FakeEvent) -> None:
    assert rejected_return([_review("reject", 1), new_round]) is None
