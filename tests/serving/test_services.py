"""The services without HTTP, on SQLite and on PostgreSQL (`db_url` runs each test on both)."""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from jiesu.data.workflow_settings import load_workflow_settings
from jiesu.serving.db import current_revision
from jiesu.serving.orm import Base, Ticket, TicketEvent
from jiesu.serving.schemas import EventOut, KeyCreate, TicketCreate, TicketOut
from jiesu.serving.tickets import Intake, TicketFilter
from jiesu.workflow.actors import Principal
from jiesu.workflow.bodies import ActionBody
from jiesu.workflow.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from jiesu.workflow.states import Action, Role, State
from tests.serving.conftest import (
    CITY_UNIT,
    DISTRICT_GOVERNMENT,
    HEATING_TEXT,
    HEATING_UNIT,
    OTHER_UNIT,
    FakeClock,
    Services,
)
from tests.serving.flows import CO_UNIT, Actors

WORKFLOW = load_workflow_settings()


@pytest.fixture
def actors(services: Services) -> Actors:
    return Actors(services)


def test_schema_matches_the_orm_and_is_at_head(services: Services) -> None:
    with services.database.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diffs == []
    assert current_revision(services.database.engine) == "0004"


def test_full_walk_keeps_suggestion_decision_and_history(actors: Actors, clock: FakeClock) -> None:
    op, rev = actors.operator, actors.reviewer
    ticket = actors.create()
    assert ticket.state == "received"
    assert ticket.suggested_unit == HEATING_UNIT
    assert ticket.suggestion.route is not None
    assert ticket.suggestion.route.unit == HEATING_UNIT
    assert ticket.model_id
    ticket = actors.act(op, ticket.id, Action.DISPATCH, version=1)
    assert (ticket.lead_unit, ticket.dispatch_round, ticket.deadline_tier) == (HEATING_UNIT, 1, "utility")
    assert ticket.deadline_at == clock.now + timedelta(hours=WORKFLOW.hours_for("utility"))
    clock.advance(hours=3)
    ticket = actors.act(
        actors.unit(HEATING_UNIT), ticket.id, Action.RETURN, reason_code="not_our_duty", reason="小区自管锅炉"
    )
    assert ticket.state == "return_requested"
    ticket = actors.act(
        rev, ticket.id, Action.REVIEW_RETURN, decision="uphold", unit=OTHER_UNIT, reason="转城管委"
    )
    assert (ticket.state, ticket.lead_unit, ticket.dispatch_round) == ("dispatched", OTHER_UNIT, 2)
    # The deadline restarts on re-dispatch (returns.deadline_restarts_on_redispatch).
    assert ticket.deadline_at == clock.now + timedelta(hours=WORKFLOW.hours_for("utility"))
    unit = actors.unit(OTHER_UNIT)
    actors.act(unit, ticket.id, Action.ACCEPT)
    actors.act(unit, ticket.id, Action.REPLY, result="已协调锅炉房恢复供暖")
    ticket = actors.act(
        op, ticket.id, Action.FOLLOWUP, contacted=True, resolved=True, satisfaction="基本满意"
    )
    assert (ticket.state, ticket.closure) == ("closed", "resolved")
    detail = actors.services.tickets.get(op, ticket.id)
    assert [event.action for event in detail.events] == [
        "create", "dispatch", "return", "review-return", "accept", "reply", "followup",
    ]  # fmt: skip
    assert [event.version for event in detail.events] == list(range(1, 8))
    assert detail.decision is not None
    assert detail.decision["unit"] == HEATING_UNIT
    assert detail.events[2].actor_unit == HEATING_UNIT
    rates = actors.services.tickets.rates(op, None, None, None)
    assert [(row.unit, row.valid, row.satisfaction_rate) for row in rates.rows] == [(OTHER_UNIT, 1, 0.9)]


def test_override_needs_a_reason_and_keeps_both(actors: Actors) -> None:
    ticket = actors.create()
    with pytest.raises(InvalidInput):
        actors.act(actors.operator, ticket.id, Action.DISPATCH, unit=OTHER_UNIT)
    ticket = actors.act(
        actors.operator,
        ticket.id,
        Action.DISPATCH,
        unit=OTHER_UNIT,
        reason="锅炉房由城管委监管",
        copy_to=[DISTRICT_GOVERNMENT],
    )
    assert ticket.suggested_unit == HEATING_UNIT
    assert ticket.decision is not None
    assert (ticket.decision["unit"], ticket.decision["overridden"]) == (OTHER_UNIT, True)
    assert ticket.copy_to == [DISTRICT_GOVERNMENT]


def test_unknown_units_are_refused_and_nothing_is_stored(actors: Actors) -> None:
    ticket = actors.create()
    with pytest.raises(InvalidInput) as raised:
        actors.act(actors.operator, ticket.id, Action.DISPATCH, unit="火星区人民政府", reason="x")
    assert raised.value.details == {"unknown_units": ["火星区人民政府"]}
    after = actors.services.tickets.get(actors.operator, ticket.id)
    assert (after.state, after.version, len(after.events)) == ("received", 1, 1)


def test_stale_version_is_409_and_changes_nothing(actors: Actors) -> None:
    ticket = actors.create()
    actors.act(actors.operator, ticket.id, Action.CONSULT, units=[HEATING_UNIT], version=1)
    with pytest.raises(Conflict) as raised:
        actors.act(actors.operator, ticket.id, Action.CONSULT, outcome="由热力集团办理", version=1)
    assert raised.value.code == "stale_version"
    after = actors.services.tickets.get(actors.operator, ticket.id)
    assert (after.state, after.version, len(after.events)) == ("consulting", 2, 2)


def test_concurrent_actions_on_one_version_never_lose_an_update(actors: Actors) -> None:
    ticket = actors.create()
    barrier = threading.Barrier(8)

    def dispatch(unit: str) -> str:
        barrier.wait()
        try:
            actors.act(actors.operator, ticket.id, Action.DISPATCH, unit=unit, reason="并发", version=1)
        except Conflict as exc:
            return exc.code
        return "ok"

    units = [
        HEATING_UNIT,
        OTHER_UNIT,
        CO_UNIT,
        CITY_UNIT,
        DISTRICT_GOVERNMENT,
        "朝阳区水务局",
        "朝阳区民政局",
        "朝阳区司法局",
    ]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(dispatch, units))
    assert results.count("ok") == 1
    assert set(results) - {"ok"} <= {"stale_version", "illegal_transition"}
    after = actors.services.tickets.get(actors.operator, ticket.id)
    assert (after.version, len(after.events)) == (2, 2)


def test_two_tickets_linked_to_each_other_at_once_never_both_close_as_duplicates(actors: Actors) -> None:
    def link(pair: tuple[str, str], barrier: threading.Barrier) -> str:
        barrier.wait()
        try:
            actors.act(actors.operator, pair[0], Action.CLOSE_DUPLICATE, linked_ticket_id=pair[1])
        except (InvalidInput, Conflict) as exc:
            return exc.code
        return "ok"

    for _ in range(6):  # created in one clock tick: either may be the original of the other
        first, second = actors.create(), actors.create()
        barrier = threading.Barrier(2)
        with ThreadPoolExecutor(2) as pool:
            pairs = [(second.id, first.id), (first.id, second.id)]
            results = list(pool.map(link, pairs, [barrier, barrier]))
        assert results.count("ok") <= 1  # never both: one of the two stays to be handled
        states = {actors.services.tickets.get(actors.operator, t.id).state for t in (first, second)}
        assert State.RECEIVED in states


def test_idempotent_create_under_concurrency(actors: Actors, services: Services) -> None:
    payload = TicketCreate(text=HEATING_TEXT, intake_channel="web", caller_phone="13900001111")
    barrier = threading.Barrier(16)

    def create(_: int) -> tuple[str, bool]:
        barrier.wait()
        ticket, created = services.tickets.create(actors.operator, payload, "same-key")
        return ticket.id, created

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(create, range(16)))
    assert len({ticket_id for ticket_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    with services.database.read() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1
        assert session.scalar(select(func.count()).select_from(TicketEvent)) == 1
    other = TicketCreate(text="另一件事：海淀区八里庄街道饭馆油烟扰民", intake_channel="web")
    with pytest.raises(Conflict) as raised:
        services.tickets.create(actors.operator, other, "same-key")
    assert raised.value.code == "idempotency_key_reused"


def test_a_batch_of_creates_gives_each_intake_its_own_outcome(actors: Actors, services: Services) -> None:
    """What the HTTP handler sends under load: good intakes, a refused one, a key repeated within the
    batch, a key already stored, and a reused key with another body."""
    first = services.tickets.create(
        actors.operator, TicketCreate(text=HEATING_TEXT, intake_channel="web"), "k-old"
    )
    other_text = "海淀区八里庄街道饭馆油烟扰民"
    intakes = [
        Intake(actors.operator, TicketCreate(text=HEATING_TEXT, intake_channel="web"), "k-new"),
        Intake(actors.operator, TicketCreate(text="   ", intake_channel="web"), "k-empty"),
        Intake(actors.operator, TicketCreate(text=HEATING_TEXT, intake_channel="web"), "k-new"),
        Intake(actors.operator, TicketCreate(text=HEATING_TEXT, intake_channel="web"), "k-old"),
        Intake(actors.operator, TicketCreate(text=other_text, intake_channel="web"), "k-old"),
        Intake(actors.operator, TicketCreate(text=other_text, intake_channel="phone"), "k-other"),
        Intake(actors.operator, TicketCreate(text=other_text, intake_channel="web"), None),
    ]
    outcomes = services.tickets.create_many(intakes)
    assert len(outcomes) == len(intakes)
    created, empty, repeated, stored, reused, other, keyless = outcomes
    assert isinstance(created, tuple)
    assert created[1] is True
    assert isinstance(empty, InvalidInput)
    assert isinstance(repeated, tuple)
    assert repeated == (created[0], False)
    assert isinstance(stored, tuple)
    assert stored[0].id == first[0].id
    assert stored[1] is False
    assert isinstance(reused, Conflict)
    assert reused.code == "idempotency_key_reused"
    assert isinstance(other, tuple)
    assert other[1] is True
    assert other[0].intake_channel == "phone"
    assert isinstance(keyless, InvalidInput)
    with services.database.read() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 3
        assert session.scalar(select(func.count()).select_from(TicketEvent)) == 3


def test_a_batch_whose_key_a_rival_stored_meanwhile_still_creates_the_others(
    actors: Actors, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another server process stores one of the batch's keys between the lookup and the insert: the
    batch's transaction fails on the unique key, the rest are stored one by one, and the loser
    answers with the rival's ticket."""
    tickets = services.tickets.intake
    lookup = tickets._tickets_by_key
    rival: dict[str, str] = {}

    def lookup_then_rival_creates(keys: set[str]) -> dict[str, Ticket]:
        found = lookup(keys)
        if "k-contested" in keys and not rival:
            monkeypatch.setattr(tickets, "_tickets_by_key", lookup)
            ticket, _ = tickets.create(actors.operator, contested.body, "k-contested")
            rival["id"] = ticket.id
        return found

    contested = Intake(actors.operator, TicketCreate(text=HEATING_TEXT, intake_channel="web"), "k-contested")
    calm = Intake(
        actors.operator, TicketCreate(text="海淀区八里庄街道饭馆油烟扰民", intake_channel="web"), "k-calm"
    )
    monkeypatch.setattr(tickets, "_tickets_by_key", lookup_then_rival_creates)
    lost, won = tickets.create_many([contested, calm])
    assert isinstance(lost, tuple)
    assert lost[0].id == rival["id"]
    assert lost[1] is False
    assert isinstance(won, tuple)
    assert won[1] is True
    with services.database.read() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 2
        assert session.scalar(select(func.count()).select_from(TicketEvent)) == 2


def test_unit_isolation(actors: Actors) -> None:
    mine = actors.act(actors.operator, actors.create().id, Action.DISPATCH)
    theirs = actors.act(
        actors.operator,
        actors.create().id,
        Action.DISPATCH,
        unit=OTHER_UNIT,
        reason="测试",
        co_handlers=[CO_UNIT],
    )
    heating, other, co = actors.unit(HEATING_UNIT), actors.unit(OTHER_UNIT), actors.unit(CO_UNIT)
    tickets = actors.services.tickets
    with pytest.raises(NotFound):
        tickets.get(heating, theirs.id)
    with pytest.raises(NotFound):
        tickets.act(heating, theirs.id, Action.ACCEPT, actors_body("accept"))
    assert [t.id for t in tickets.list(heating, TicketFilter()).items] == [mine.id]
    assert [t.id for t in tickets.list(other, TicketFilter()).items] == [theirs.id]
    assert [t.id for t in tickets.inbox(heating, HEATING_UNIT).items] == [mine.id]
    with pytest.raises(NotFound):
        tickets.inbox(heating, OTHER_UNIT)
    # A co-handler sees the ticket and may report, but may not act as the lead.
    assert [t.id for t in tickets.list(co, TicketFilter()).items] == [theirs.id]
    tickets.act(co, theirs.id, Action.REPORT, actors_body("report", report="已清理"))
    with pytest.raises(Forbidden):
        tickets.act(co, theirs.id, Action.ACCEPT, actors_body("accept"))
    # Non-unit roles see everything; the unit filter uses lead, co-handler and copy links.
    assert {t.id for t in tickets.list(actors.auditor, TicketFilter()).items} == {mine.id, theirs.id}
    assert [t.id for t in tickets.list(actors.auditor, TicketFilter(unit=CO_UNIT)).items] == [theirs.id]


def actors_body(action: str, **fields: object) -> ActionBody:
    from tests.serving.flows import body

    return body(action, **fields)


def test_roles_are_enforced(actors: Actors) -> None:
    ticket = actors.create()
    with pytest.raises(Forbidden):
        actors.act(actors.auditor, ticket.id, Action.DISPATCH)
    with pytest.raises(Forbidden):
        actors.act(actors.admin, ticket.id, Action.DISPATCH)
    actors.act(actors.operator, ticket.id, Action.DISPATCH)
    with pytest.raises(Forbidden):
        actors.act(actors.operator, ticket.id, Action.ESCALATE, level="city", unit=CITY_UNIT)


def test_caller_data_is_masked_for_everyone_but_operator_and_handling_unit(actors: Actors) -> None:
    ticket = actors.create(caller_phone="13812345678", caller_name="张三丰")
    actors.act(actors.operator, ticket.id, Action.DISPATCH, copy_to=[DISTRICT_GOVERNMENT])
    tickets = actors.services.tickets

    def caller(principal: Principal) -> tuple[str | None, str | None]:
        seen = tickets.get(principal, ticket.id)
        return seen.caller_phone, seen.caller_name

    clear, masked = ("13812345678", "张三丰"), ("138****5678", "张**")
    assert caller(actors.operator) == clear
    assert caller(actors.unit(HEATING_UNIT)) == clear
    assert caller(actors.auditor) == masked
    assert caller(actors.reviewer) == masked
    assert caller(actors.admin) == masked
    assert caller(actors.unit(DISTRICT_GOVERNMENT)) == masked  # copied, not handling
    page = tickets.list(actors.auditor, TicketFilter())
    assert (page.items[0].caller_phone, page.items[0].caller_masked) == ("138****5678", True)


def test_event_log_is_append_only_in_the_database(actors: Actors, services: Services) -> None:
    actors.create()
    for statement in ("UPDATE ticket_events SET action = 'forged'", "DELETE FROM ticket_events"):
        with pytest.raises(DBAPIError, match="append-only"), services.database.write() as session:
            session.execute(text(statement))
    with services.database.read() as session:
        assert session.scalar(select(TicketEvent.action)) == "create"


def test_max_dispatch_rounds_lead_to_coordination_then_escalation(actors: Actors) -> None:
    assert WORKFLOW.returns.max_dispatch_rounds == 3
    ticket = actors.drive(State.COORDINATION)
    assert (ticket.state, ticket.lead_unit, ticket.dispatch_round) == ("coordination", None, 3)
    detail = actors.services.tickets.get(actors.operator, ticket.id)
    assert detail.events[-1].payload["after_max_rounds"] == WORKFLOW.returns.after_max_rounds
    ticket = actors.act(
        actors.reviewer, ticket.id, Action.ESCALATE, level="district", unit=DISTRICT_GOVERNMENT
    )
    assert (ticket.state, ticket.lead_unit, ticket.escalation_level) == (
        "dispatched",
        DISTRICT_GOVERNMENT,
        "district",
    )


def test_rejected_return_goes_back_to_the_same_unit(actors: Actors) -> None:
    ticket = actors.drive(State.RETURN_REQUESTED)
    ticket = actors.act(
        actors.reviewer, ticket.id, Action.REVIEW_RETURN, decision="reject", reason="属于职责"
    )
    assert (ticket.state, ticket.lead_unit, ticket.dispatch_round) == ("dispatched", HEATING_UNIT, 1)


def test_return_rules(actors: Actors, clock: FakeClock) -> None:
    ticket = actors.drive(State.DISPATCHED)
    lead = actors.unit(HEATING_UNIT)
    with pytest.raises(InvalidInput):
        actors.act(lead, ticket.id, Action.RETURN, reason_code="because", reason="x")
    with pytest.raises(InvalidInput):  # returns.reason_required
        actors.act(lead, ticket.id, Action.RETURN, reason_code="other")
    clock.advance(days=WORKFLOW.returns.window_working_days + 3)  # Monday + 5 days: past 2 working days
    with pytest.raises(Conflict) as raised:
        actors.act(lead, ticket.id, Action.RETURN, reason_code="other", reason="太晚了")
    assert raised.value.code == "return_window_passed"


def test_a_return_after_a_rejection_needs_new_facts_and_carries_the_decision(
    actors: Actors, clock: FakeClock
) -> None:
    tickets, rev = actors.services.tickets, actors.reviewer
    lead = actors.unit(HEATING_UNIT)
    ticket = actors.drive(State.RETURN_REQUESTED)
    actors.act(rev, ticket.id, Action.REVIEW_RETURN, decision="reject", reason="供热属于本单位职责")
    rejected_at = clock.now
    clock.advance(hours=1)
    again = {"reason_code": "not_our_duty", "reason": "非本单位职责"}
    for new_facts in (None, "  "):  # the same objection again, or no facts: refused, nothing changes
        with pytest.raises(InvalidInput) as raised:
            actors.act(lead, ticket.id, Action.RETURN, **again, new_facts=new_facts)
        assert "new_facts" in raised.value.message
        assert raised.value.details["previous_decision"]["reason"] == "供热属于本单位职责"
    assert tickets.get(rev, ticket.id).state == "dispatched"
    ticket = actors.act(lead, ticket.id, Action.RETURN, **again, new_facts="锅炉房产权属物业公司，见合同")
    assert ticket.state == "return_requested"
    refiled = tickets.get(rev, ticket.id).events[-1]
    assert refiled.payload == {
        "unit": HEATING_UNIT,
        "reason_code": "not_our_duty",
        "reason": "非本单位职责",
        "refiled": True,
        "new_facts": "锅炉房产权属物业公司，见合同",
        "previous_decision": {
            "decision": "reject",
            "reason": "供热属于本单位职责",
            "reviewer": rev.key_id,
            "at": rejected_at.isoformat(),
        },
    }
    # Rejected again: a third return attaches the latest decision; the unit may also just handle it.
    actors.act(rev, ticket.id, Action.REVIEW_RETURN, decision="reject", reason="合同不改变属地职责")
    with pytest.raises(InvalidInput):
        actors.act(lead, ticket.id, Action.RETURN, **again)
    actors.act(lead, ticket.id, Action.RETURN, **again, new_facts="物业公司书面确认")
    last = tickets.get(rev, ticket.id).events[-1].payload
    assert last["previous_decision"]["reason"] == "合同不改变属地职责"
    actors.act(rev, ticket.id, Action.REVIEW_RETURN, decision="reject")
    assert actors.act(lead, ticket.id, Action.ACCEPT).state == "accepted"
    audit = {row.unit: row for row in tickets.dispatch_audit(None, None).units}[HEATING_UNIT]
    assert (audit.returned, audit.returns_refiled, audit.returns_rejected) == (1, 2, 3)
    assert audit.return_reasons == {"not_our_duty": 1}


def test_a_rejection_binds_only_its_dispatch_round(actors: Actors) -> None:
    rev = actors.reviewer
    lead = actors.unit(HEATING_UNIT)
    ticket = actors.drive(State.DISPATCHED)
    with pytest.raises(InvalidInput) as raised:  # new facts belong to a refiled return only
        actors.act(lead, ticket.id, Action.RETURN, reason_code="not_our_duty", reason="x", new_facts="y")
    assert "first return" in raised.value.message
    actors.act(lead, ticket.id, Action.RETURN, reason_code="not_our_duty", reason="非本单位职责")
    actors.act(rev, ticket.id, Action.REVIEW_RETURN, decision="reject", reason="属于职责")
    actors.act(lead, ticket.id, Action.RETURN, reason_code="not_our_duty", reason="x", new_facts="新情况")
    actors.act(rev, ticket.id, Action.REVIEW_RETURN, decision="uphold", unit=OTHER_UNIT)
    # A new unit's return is its first objection: no new facts needed, nothing attached.
    other = actors.unit(OTHER_UNIT)
    actors.act(other, ticket.id, Action.RETURN, reason_code="not_our_duty", reason="非本单位职责")
    assert "refiled" not in actors.services.tickets.get(rev, ticket.id).events[-1].payload
    actors.act(rev, ticket.id, Action.REVIEW_RETURN, decision="reject")
    # Escalated to the district government after the rejection: a new round for the new lead.
    actors.act(rev, ticket.id, Action.ESCALATE, level="district", unit=DISTRICT_GOVERNMENT)
    district = actors.unit(DISTRICT_GOVERNMENT)
    ticket = actors.act(district, ticket.id, Action.RETURN, reason_code="not_our_duty", reason="非本级")
    assert ticket.state == "return_requested"


def test_a_refiled_return_keeps_the_return_window(actors: Actors, clock: FakeClock) -> None:
    lead = actors.unit(HEATING_UNIT)
    ticket = actors.drive(State.RETURN_REQUESTED)
    actors.act(actors.reviewer, ticket.id, Action.REVIEW_RETURN, decision="reject", reason="属于职责")
    clock.advance(days=WORKFLOW.returns.window_working_days + 3)
    with pytest.raises(Conflict) as raised:
        actors.act(lead, ticket.id, Action.RETURN, reason_code="other", reason="太晚了", new_facts="新情况")
    assert raised.value.code == "return_window_passed"


def test_extension_rules(actors: Actors) -> None:
    settings = WORKFLOW.extensions
    ticket = actors.drive(State.ACCEPTED)
    lead = actors.unit(HEATING_UNIT)
    with pytest.raises(InvalidInput):
        actors.act(lead, ticket.id, Action.EXTEND, hours=settings.max_extension_hours + 1, reason="x")
    with pytest.raises(InvalidInput):
        actors.act(lead, ticket.id, Action.EXTEND, hours=24)
    assert ticket.deadline_at is not None
    extended = actors.act(lead, ticket.id, Action.EXTEND, hours=24, reason="需更换管道")
    assert extended.deadline_at == ticket.deadline_at + timedelta(hours=24)
    assert extended.state == "accepted"
    for _ in range(settings.max_extensions - 1):
        actors.act(lead, ticket.id, Action.EXTEND, hours=1, reason="再延")
    with pytest.raises(Conflict):
        actors.act(lead, ticket.id, Action.EXTEND, hours=1, reason="再延")


def test_unresolved_followup_reopens_with_a_new_deadline(actors: Actors, clock: FakeClock) -> None:
    ticket = actors.drive(State.UNRESOLVED)
    clock.advance(days=3)
    reopened = actors.act(actors.operator, ticket.id, Action.REOPEN, reason="仍不热")
    assert (reopened.state, reopened.lead_unit) == ("dispatched", HEATING_UNIT)
    assert reopened.deadline_at == clock.now + timedelta(hours=WORKFLOW.hours_for("utility"))


def test_overdue_is_computed(actors: Actors, clock: FakeClock) -> None:
    late = actors.drive(State.ACCEPTED)
    done = actors.drive(State.REPLIED)
    actors.drive(State.RECEIVED)
    tickets = actors.services.tickets
    assert tickets.list(actors.operator, TicketFilter(overdue=True)).items == []
    clock.advance(hours=WORKFLOW.hours_for("utility") + 1)
    overdue = tickets.list(actors.operator, TicketFilter(overdue=True)).items
    assert [t.id for t in overdue] == [late.id]
    assert overdue[0].overdue
    assert not tickets.get(actors.operator, done.id).overdue


def test_closing_dispositions(actors: Actors) -> None:
    op = actors.operator
    informed = actors.act(op, actors.create().id, Action.INFORM, channel="arbitration", notice="请走仲裁程序")
    answered = actors.act(op, actors.create().id, Action.ANSWER, answer="供暖期为11月15日至次年3月15日")
    transferred = actors.act(op, actors.create().id, Action.TRANSFER, number="119")
    duplicate = actors.act(op, actors.create().id, Action.CLOSE_DUPLICATE, linked_ticket_id=informed.id)
    assert [t.closure for t in (informed, answered, transferred, duplicate)] == [
        "informed", "answered", "transferred", "duplicate",
    ]  # fmt: skip
    assert duplicate.linked_ticket_id == informed.id
    ticket = actors.create()
    with pytest.raises(InvalidInput):  # a ticket is not a duplicate of itself
        actors.act(op, ticket.id, Action.CLOSE_DUPLICATE, linked_ticket_id=ticket.id)
    after = actors.services.tickets.get(op, ticket.id)
    assert (after.state, after.closure, after.version) == ("received", None, 1)


def test_filters_and_cursor_pagination(actors: Actors, clock: FakeClock) -> None:
    created = []
    for _ in range(5):
        created.append(actors.create().id)
        clock.advance(minutes=1)
    oil = actors.create(text="海淀区八里庄街道饭馆油烟扰民，每天晚上都很呛", caller_district="海淀")
    tickets = actors.services.tickets
    seen, cursor = [], None
    while True:
        page = tickets.list(actors.operator, TicketFilter(district="朝阳区"), cursor, limit=2)
        seen += [t.id for t in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == created
    assert [t.id for t in tickets.list(actors.operator, TicketFilter(category="餐饮油烟")).items] == [oil.id]
    assert len(tickets.list(actors.operator, TicketFilter(state="received")).items) == 6
    later = tickets.list(actors.operator, TicketFilter(created_from=clock.now - timedelta(seconds=30))).items
    assert [t.id for t in later] == [oil.id]
    with pytest.raises(InvalidInput):
        tickets.list(actors.operator, TicketFilter(), "not-a-cursor")


def test_rates_per_unit_and_period(actors: Actors, clock: FakeClock) -> None:
    """Two follow-ups for the heating company in the period that started on Oct 19, one after Nov 19."""
    op = actors.operator
    first = actors.drive(State.REPLIED)
    second = actors.drive(State.REPLIED)
    actors.act(op, first.id, Action.FOLLOWUP, contacted=True, resolved=True, satisfaction="满意")
    actors.act(op, second.id, Action.FOLLOWUP, contacted=True, resolved=False, satisfaction="不满意")
    clock.advance(days=20)  # Nov 2 → Nov 22: the next assessment period
    third = actors.drive(State.REPLIED)
    actors.act(op, third.id, Action.FOLLOWUP, contacted=False, resolved=False, valid=False)
    rates = actors.services.tickets.rates(op, date(2026, 10, 1), date(2026, 12, 31), HEATING_UNIT)
    assert [(r.period_start, r.period_end, r.valid) for r in rates.rows] == [
        ("2026-10-19", "2026-11-18", 2),
        ("2026-11-19", "2026-12-18", 0),
    ]
    row = rates.rows[0]
    assert (row.response_rate, row.resolution_rate, row.satisfaction_rate) == (1.0, 0.5, 0.5)
    assert row.overall == pytest.approx(0.1 * 1 + 0.5 * 0.5 + 0.4 * 0.5)
    assert rates.overall_weights == WORKFLOW.rates.overall_weights
    with pytest.raises(NotFound):  # a unit sees its own rates only
        actors.services.tickets.rates(actors.unit(OTHER_UNIT), None, None, HEATING_UNIT)
    with pytest.raises(InvalidInput):
        actors.services.tickets.rates(op, date(2026, 12, 1), date(2026, 11, 1), None)


def test_keys(services: Services, clock: FakeClock) -> None:
    keys = services.keys
    created = keys.create(KeyCreate(role=Role.AUDITOR, name="审计", expires_days=1))
    assert created.key.startswith(created.prefix)
    assert created.active
    assert keys.authenticate(created.key).role is Role.AUDITOR
    assert created.key not in str(keys.list())
    clock.advance(days=2)
    with pytest.raises(Unauthorized):
        keys.authenticate(created.key)
    other = keys.create(KeyCreate(role=Role.OPERATOR))
    keys.revoke(other.id)
    with pytest.raises(Unauthorized):
        keys.authenticate(other.key)
    for bad in (
        {"role": Role.UNIT},
        {"role": Role.OPERATOR, "unit": HEATING_UNIT},
        {"role": Role.UNIT, "unit": "无此单位"},
    ):
        with pytest.raises(InvalidInput):
            keys.create(KeyCreate.model_validate(bad))
    with pytest.raises(Unauthorized):
        keys.authenticate(None)
    with pytest.raises(NotFound):
        keys.revoke("nope")


def test_concurrent_requests_with_an_uncached_key_share_one_lookup(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = services.keys
    good = keys.create(KeyCreate(role=Role.OPERATOR)).key
    lookups: list[str | None] = []
    lookup = keys.authenticate

    def counted(secret: str | None) -> Principal:
        lookups.append(secret)
        return lookup(secret)

    monkeypatch.setattr(keys, "authenticate", counted)

    async def many(secret: str, n: int) -> list[Principal | BaseException]:
        return await asyncio.gather(
            *(keys.authenticate_async(secret) for _ in range(n)), return_exceptions=True
        )

    principals = asyncio.run(many(good, 20))
    assert lookups == [good]
    assert all(p == principals[0] for p in principals)
    asyncio.run(many(good, 5))
    assert lookups == [good]  # cached now
    refused = asyncio.run(many("jsk_unknown", 5))
    assert lookups == [good, "jsk_unknown"]
    assert all(isinstance(outcome, Unauthorized) for outcome in refused)
    with pytest.raises(Unauthorized):
        asyncio.run(keys.authenticate_async(None))


def test_bad_intake(actors: Actors) -> None:
    with pytest.raises(InvalidInput, match="caller_district"):
        actors.create(caller_district="火星区")
    # The empty text is named first, whatever else is wrong with the request.
    with pytest.raises(InvalidInput, match=r"^text is empty or whitespace only$"):
        actors.create(text="   ", caller_district="火星区")
    with pytest.raises(InvalidInput):
        actors.services.tickets.create(actors.operator, TicketCreate(text="x", intake_channel="app"), None)


def test_online_requests_have_an_acceptance_deadline(actors: Actors, clock: FakeClock) -> None:
    tickets, op = actors.services.tickets, actors.operator
    online = actors.create(intake_channel="web")
    by_phone = actors.create()
    assert online.deadline_at == clock.now + timedelta(hours=WORKFLOW.online_acceptance_hours)
    assert by_phone.deadline_at is None
    clock.advance(hours=WORKFLOW.online_acceptance_hours, minutes=1)
    late = tickets.list(op, TicketFilter(overdue=True)).items
    assert [t.id for t in late] == [online.id]
    assert late[0].overdue
    dispatched = actors.act(op, online.id, Action.DISPATCH)  # accepted at last: the handling clock starts
    assert dispatched.deadline_at is not None
    assert dispatched.deadline_at > clock.now
    assert not dispatched.overdue


def test_follow_up_falls_due_when_the_deadline_passes(actors: Actors, clock: FakeClock) -> None:
    tickets, op = actors.services.tickets, actors.operator
    replied = actors.drive(State.REPLIED)
    assert replied.deadline_at is not None
    hours = WORKFLOW.followup.after_deadline_hours
    assert replied.followup_due_at == replied.deadline_at + timedelta(hours=hours)
    assert tickets.list(op, TicketFilter(followup_due=True)).items == []
    clock.advance(hours=WORKFLOW.hours_for("utility") + hours + 1)
    assert [t.id for t in tickets.list(op, TicketFilter(followup_due=True)).items] == [replied.id]
    closed = actors.act(op, replied.id, Action.FOLLOWUP, contacted=True, resolved=True, satisfaction="满意")
    assert closed.followup_due_at is None


def test_an_empty_co_handler_name_is_refused_not_dropped(actors: Actors) -> None:
    ticket = actors.create()
    with pytest.raises(InvalidInput, match="unknown unit"):
        actors.act(actors.operator, ticket.id, Action.DISPATCH, co_handlers=[""])
    assert actors.services.tickets.get(actors.operator, ticket.id).state == State.RECEIVED


SECRET_PHONE, SECRET_ID = "13912345678", "11010519900101123X"
SECRETS = f"请联系{SECRET_PHONE}，身份证{SECRET_ID}"


def _free_text(ticket: TicketOut, events: list[EventOut] | None = None) -> str:
    shown = [
        ticket.decision,
        ticket.consultation,
        ticket.followup,
        *(event.payload for event in events or []),
    ]
    return json.dumps(shown, ensure_ascii=False)


def test_numbers_in_notes_reasons_and_answers_are_masked_like_the_request_text(actors: Actors) -> None:
    """Issue 12, item 4: a number written into an override reason, an accept note, a report, an
    extension reason, a reply or a follow-up note is a caller detail too."""
    tickets, op = actors.services.tickets, actors.operator
    ticket = actors.create(caller_phone="13812345678")
    tid = ticket.id
    actors.act(
        op,
        tid,
        Action.DISPATCH,
        unit=OTHER_UNIT,
        reason=f"改派：{SECRETS}",
        co_handlers=[CO_UNIT],
        copy_to=[DISTRICT_GOVERNMENT],
    )
    lead = actors.unit(OTHER_UNIT)
    actors.act(lead, tid, Action.ACCEPT, note=SECRETS)
    actors.act(actors.unit(CO_UNIT), tid, Action.REPORT, report=SECRETS)
    actors.act(lead, tid, Action.EXTEND, hours=24, reason=SECRETS)
    actors.act(lead, tid, Action.REPLY, result=SECRETS)
    actors.act(op, tid, Action.FOLLOWUP, contacted=True, resolved=True, satisfaction="满意", note=SECRETS)
    answered = actors.create(caller_phone="13812345678")
    actors.act(op, answered.id, Action.ANSWER, answer=SECRETS)

    for principal in (actors.operator, lead):
        detail = tickets.get(principal, tid)
        shown = _free_text(detail, detail.events)
        # the decision's reason, then dispatch, accept, report, extend, reply and follow-up events
        assert shown.count(SECRET_PHONE) == 7, shown
        assert shown.count(SECRET_ID) == 7
    assert SECRET_PHONE in _free_text(tickets.get(actors.operator, answered.id))
    for principal in (actors.auditor, actors.reviewer, actors.admin, actors.unit(DISTRICT_GOVERNMENT)):
        detail = tickets.get(principal, tid)
        shown = _free_text(detail, detail.events)
        assert SECRET_PHONE not in shown, (principal.role, shown)
        assert SECRET_ID not in shown
        assert shown.count("〔电话号码〕") == 7
        assert shown.count("〔证件号码〕") == 7
        # Names and codes are kept as stored.
        assert {event.payload.get("unit") for event in detail.events if event.action == "dispatch"} == {
            OTHER_UNIT
        }
        assert detail.events[-1].payload["satisfaction"] == "满意"
        if principal.role is Role.UNIT:
            continue  # not a unit's ticket
        answer = tickets.get(principal, answered.id)
        assert answer.decision == {
            "disposition": "answer_now",
            "answer": "请联系〔电话号码〕，身份证〔证件号码〕",
        }
    page = tickets.list(actors.auditor, TicketFilter())
    assert SECRET_PHONE not in "".join(_free_text(item) for item in page.items)
    inbox = tickets.inbox(actors.unit(DISTRICT_GOVERNMENT), DISTRICT_GOVERNMENT)
    assert inbox.items
    assert SECRET_PHONE not in "".join(_free_text(item) for item in inbox.items)
    # What is stored is not changed.
    assert SECRET_PHONE in _free_text(
        tickets.get(actors.operator, tid), tickets.get(actors.operator, tid).events
    )


@pytest.mark.parametrize(
    ("action", "fields"),
    [(Action.ANSWER, {"answer": "   "}), (Action.INFORM, {"channel": "litigation", "notice": " \n "})],
)
def test_a_closing_text_of_blanks_is_refused(actors: Actors, action: Action, fields: dict[str, str]) -> None:
    ticket = actors.create()
    with pytest.raises(ValueError, match="must not be empty or whitespace only"):
        actors.act(actors.operator, ticket.id, action, **fields)
    assert actors.services.tickets.get(actors.operator, ticket.id).state == State.RECEIVED


def test_a_district_escalation_stays_in_the_tickets_district(actors: Actors) -> None:
    ticket = actors.act(actors.operator, actors.create().id, Action.DISPATCH)
    assert ticket.district == "朝阳区"
    with pytest.raises(InvalidInput, match="ticket's district"):
        actors.act(actors.reviewer, ticket.id, Action.ESCALATE, level="district", unit="海淀区人民政府")
    escalated = actors.act(
        actors.reviewer, ticket.id, Action.ESCALATE, level="district", unit=DISTRICT_GOVERNMENT
    )
    assert escalated.lead_unit == DISTRICT_GOVERNMENT
