"""What the simulated people do at each step of a ticket's life, as real workflow actions applied through
`TicketService.apply`. Each step returns the steps it schedules: (delay, step name)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from jiesu.demo.config import Delay, SimulationConfig
from jiesu.demo.world import Candidates, SeedRecord, Staff, UnitPool
from jiesu.serving.orm import Ticket
from jiesu.serving.tickets import TicketService
from jiesu.workflow.actors import Principal
from jiesu.workflow.bodies import ACTION_BODIES
from jiesu.workflow.reference import ESCALATION_TYPES
from jiesu.workflow.states import Action, State, add_working_days

Next = list[tuple[timedelta, str]]

REASONS = {
    "not_our_duty": "经核实，该事项不属于本单位职责范围",
    "wrong_jurisdiction": "诉求地点不在本单位辖区",
    "insufficient_information": "诉求地址不详，无法核实",
    "duplicate": "与已办结工单为同一事项",
    "legal_channel": "该事项已进入法定途径",
    "other": "其他原因，详见说明",
}
CLOSING_ANSWERS = {
    "answer_now": "已根据知识库当即答复市民",
    "duplicate": "同一事项已在办理中，已告知进展",
    "out_of_scope": "不属于政府部门职责，已引导通过市场渠道解决",
    "unlawful": "诉求不符合法律法规，已做好解释",
}


@dataclass
class SimTicket:
    id: str
    record: SeedRecord
    found: Candidates
    truth: str | None  # the right unit; None for a request not to be dispatched
    rejected_in_round: bool = False
    reopened: bool = False
    row: Ticket | None = None  # the ticket as the last action left it (the simulation is the only writer)


class Steps:
    def __init__(
        self,
        service: TicketService,
        config: SimulationConfig,
        staff: Staff,
        pool: UnitPool,
        rng: random.Random,
    ) -> None:
        self.service = service
        self.config = config
        self.staff = staff
        self.pool = pool
        self.rng = rng
        self.counts: Counter[str] = Counter()
        self.reason_codes = list(config.units.reason_codes)
        self.reason_weights = list(config.units.reason_codes.values())

    def run(self, session: Session, ticket: SimTicket, step: str, now: datetime) -> Next:
        self._session, self._now = session, now
        handler = getattr(self, f"_{step}")
        result: Next = handler(ticket)
        return result

    # --- helpers ------------------------------------------------------------------------------------
    def _act(self, who: Principal, ticket: SimTicket, action: Action, **fields: Any) -> Ticket:
        body = ACTION_BODIES[action.value].model_validate(fields)
        self.counts[action.value] += 1
        ticket.row = self.service.apply(
            self._session, who, ticket.id, action, body, self._now, loaded=ticket.row
        )
        return ticket.row

    def _chance(self, rate: float) -> bool:
        return self.rng.random() < rate

    def _delay(self, delay: Delay) -> timedelta:
        return timedelta(hours=self.rng.uniform(delay.low, delay.high))

    def _operator(self) -> Principal:
        return self.rng.choice(self.staff.operators)

    def _wrong(self, ticket: SimTicket, *exclude: str | None) -> str:
        return self.pool.wrong(self.rng, ticket.found, {name for name in exclude if name})

    # --- the dispatch desk --------------------------------------------------------------------------
    def _decide(self, ticket: SimTicket) -> Next:
        record, operator = ticket.record, self._operator()
        if ticket.truth is None:
            if record.disposition == "legal_channel" and record.channel:
                self._act(operator, ticket, Action.INFORM, channel=record.channel, notice="已告知法定途径")
            elif record.disposition == "emergency" and record.emergency_number:
                self._act(operator, ticket, Action.TRANSFER, number=record.emergency_number)
            else:
                answer = CLOSING_ANSWERS.get(record.disposition, "已当即答复市民")
                self._act(operator, ticket, Action.ANSWER, answer=answer)
            return []
        if self._chance(self.config.operators.consult_rate):
            other = self._wrong(ticket, ticket.truth)
            units = [ticket.truth, other] if self._chance(0.5) else [other, ticket.truth]
            self._act(operator, ticket, Action.CONSULT, units=units)
            return [(self._delay(self.config.consultations.duration), "conclude")]
        behaviour = self.config.operators
        suggested, truth = ticket.found.suggested, ticket.truth
        if suggested is None:
            right = self._chance(behaviour.pick_right_without_suggestion)
            unit = truth if right else self._wrong(ticket, truth)
            self._act(operator, ticket, Action.DISPATCH, unit=unit, reason="无建议单位，人工派单")
        elif self._chance(
            behaviour.override_when_right if suggested == truth else behaviour.override_when_wrong
        ):
            right = suggested != truth and self._chance(behaviour.pick_right_when_overriding)
            unit = truth if right else self._wrong(ticket, truth, suggested)
            self._act(operator, ticket, Action.DISPATCH, unit=unit, reason="建议单位有误，改派")
        else:
            self._act(operator, ticket, Action.DISPATCH)
        return [(self._respond_delay(), "respond")]

    def _conclude(self, ticket: SimTicket) -> Next:
        behaviour, operator = self.config.consultations, self._operator()
        if self._chance(behaviour.close_without_dispatch):
            self._act(operator, ticket, Action.CONSULT, outcome="会商认为无需派单")
            self._act(operator, ticket, Action.ANSWER, answer="经会商，已当即答复市民")
            return []
        unit = ticket.truth if self._chance(behaviour.agree_on_right_unit) else None
        unit = unit or self._wrong(ticket, ticket.truth)
        self._act(operator, ticket, Action.CONSULT, outcome="会商确定牵头单位")
        if unit == ticket.found.suggested:
            self._act(operator, ticket, Action.DISPATCH)
        else:
            self._act(operator, ticket, Action.DISPATCH, unit=unit, reason="按会商结果派单")
        return [(self._respond_delay(), "respond")]

    def _respond_delay(self) -> timedelta:
        return self._delay(self.config.units.return_delay)

    # --- the handling unit --------------------------------------------------------------------------
    def _respond(self, ticket: SimTicket) -> Next:
        row = ticket.row
        assert row is not None
        assert row.lead_unit is not None
        lead, behaviour = row.lead_unit, self.config.units
        wrong = lead != ticket.truth
        unit = self.staff.units[lead]
        if ticket.rejected_in_round:
            returning = wrong and self._chance(behaviour.refile_after_rejection)
        else:
            returning = self._chance(behaviour.return_when_wrong if wrong else behaviour.return_when_right)
        if returning and self._return_window_passed(row):
            returning = False  # the workflow refuses a late return: the unit has to handle the ticket
        if returning:
            code = self.rng.choices(self.reason_codes, self.reason_weights)[0]
            extra = {"new_facts": "补充核实情况：现场确认非本单位管辖"} if ticket.rejected_in_round else {}
            self._act(
                unit, ticket, Action.RETURN, reason_code=code, reason=REASONS.get(code, "其他"), **extra
            )
            return [(self._delay(self.config.reviewers.review_delay), "review")]
        self._act(unit, ticket, Action.ACCEPT)
        if self._chance(behaviour.extend_rate):
            return [(timedelta(hours=1), "extend")]
        return [(self._reply_delay(row), "reply")]

    def _return_window_passed(self, row: Ticket) -> bool:
        assert row.dispatched_at is not None
        days = self.service.workflow.returns.window_working_days
        return self._now > add_working_days(row.dispatched_at, days)

    def _reply_delay(self, row: Ticket) -> timedelta:
        assert row.deadline_at is not None
        assert row.dispatched_at is not None
        allowed = row.deadline_at - row.dispatched_at
        share = self.rng.uniform(
            self.config.units.reply_share_of_deadline.low, self.config.units.reply_share_of_deadline.high
        )
        return max(row.dispatched_at + allowed * share - self._now, timedelta(minutes=30))

    def _extend(self, ticket: SimTicket) -> Next:
        row = ticket.row
        assert row is not None
        assert row.lead_unit is not None
        row = self._act(
            self.staff.units[row.lead_unit], ticket, Action.EXTEND, hours=72, reason="需协调多个部门"
        )
        return [(self._reply_delay(row), "reply")]

    def _reply(self, ticket: SimTicket) -> Next:
        row = ticket.row
        assert row is not None
        assert row.lead_unit is not None
        self._act(self.staff.units[row.lead_unit], ticket, Action.REPLY, result="已办结，处理结果已告知")
        return [(self._delay(self.config.operators.followup_delay), "followup")]

    def _accept_again(self, ticket: SimTicket) -> Next:
        row = ticket.row
        assert row is not None
        assert row.lead_unit is not None
        row = self._act(self.staff.units[row.lead_unit], ticket, Action.ACCEPT, note="重新办理")
        return [(self._reply_delay(row), "reply")]

    # --- review, escalation, follow-up ---------------------------------------------------------------
    def _review(self, ticket: SimTicket) -> Next:
        row = ticket.row
        assert row is not None
        behaviour, reviewer = self.config.reviewers, self.rng.choice(self.staff.reviewers)
        wrong = row.lead_unit != ticket.truth
        if not self._chance(behaviour.uphold_when_wrong if wrong else behaviour.uphold_when_right):
            self._act(
                reviewer, ticket, Action.REVIEW_RETURN, decision="reject", reason="属本单位职责，请办理"
            )
            ticket.rejected_in_round = True
            return [(self._respond_delay(), "respond")]
        right = wrong and self._chance(behaviour.pick_right_on_redispatch)
        unit = ticket.truth if right else self._wrong(ticket, ticket.truth, row.lead_unit)
        row = self._act(
            reviewer, ticket, Action.REVIEW_RETURN, decision="uphold", unit=unit, reason="退单理由成立"
        )
        ticket.rejected_in_round = False
        if row.state == State.COORDINATION.value:
            return [(self._delay(behaviour.review_delay), "escalate")]
        return [(self._respond_delay(), "respond")]

    def _escalate(self, ticket: SimTicket) -> Next:
        row = ticket.row
        assert row is not None
        assert ticket.truth is not None
        truth_type = self.pool.reference.unit_type(ticket.truth)
        if truth_type in ESCALATION_TYPES["city"]:
            level, unit = "city", ticket.truth
        elif row.district in self.pool.district_governments:
            level, unit = "district", self.pool.district_governments[row.district]
        else:
            return []  # nobody to escalate to: it stays with the coordinator
        self._act(
            self.rng.choice(self.staff.reviewers),
            ticket,
            Action.ESCALATE,
            level=level,
            unit=unit,
            reason="多次退单，提级协调",
        )
        ticket.rejected_in_round = False
        return [(self._respond_delay(), "respond")]

    def _followup(self, ticket: SimTicket) -> Next:
        row = ticket.row
        assert row is not None
        behaviour = self.config.units
        contacted = self._chance(0.97)
        rate = (
            behaviour.resolved_when_right if row.lead_unit == ticket.truth else behaviour.resolved_when_wrong
        )
        resolved = contacted and self._chance(rate)
        satisfaction = None
        if contacted:
            levels = ["满意", "基本满意"] if resolved else ["不满意", "基本满意"]
            satisfaction = levels[0] if self._chance(0.75) else levels[1]
        fields = {"contacted": contacted, "resolved": resolved, "satisfaction": satisfaction}
        self._act(self._operator(), ticket, Action.FOLLOWUP, **fields)
        if resolved:
            return []
        if not ticket.reopened and self._chance(self.config.operators.reopen_unresolved):
            ticket.reopened = True
            self._act(self._operator(), ticket, Action.REOPEN, reason="市民反映问题未解决")
            return [(self._delay(self.config.units.accept_delay), "accept_again")]
        self._act(self._operator(), ticket, Action.CLOSE, reason="已尽力协调，市民诉求暂无法满足")
        return []
