"""Drive tickets through the workflow with the services (no HTTP): one legal path into every state."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from jiesu.serving.schemas import TicketCreate, TicketOut
from jiesu.workflow.actors import Principal
from jiesu.workflow.bodies import ACTION_BODIES, ActionBody
from jiesu.workflow.states import Action, Role, State
from tests.serving.conftest import CITY_UNIT, HEATING_TEXT, HEATING_UNIT, OTHER_UNIT, THIRD_UNIT, Services

CO_UNIT = "朝阳区生态环境局"
_keys = itertools.count()


def body(action: Action | str, **fields: Any) -> ActionBody:
    return ACTION_BODIES[str(action)].model_validate(fields)


@dataclass
class Actors:
    services: Services
    operator: Principal = field(init=False)
    reviewer: Principal = field(init=False)
    auditor: Principal = field(init=False)
    admin: Principal = field(init=False)
    units: dict[str, Principal] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        make = self.services.principal
        self.operator = make(Role.OPERATOR)
        self.reviewer = make(Role.REVIEWER)
        self.auditor = make(Role.AUDITOR)
        self.admin = make(Role.ADMIN)

    def unit(self, name: str) -> Principal:
        if name not in self.units:
            self.units[name] = self.services.principal(Role.UNIT, name)
        return self.units[name]

    def create(self, text: str = HEATING_TEXT, **fields: Any) -> TicketOut:
        payload = {
            "text": text,
            "intake_channel": "phone",
            "caller_phone": "13812345678",
            "caller_name": "张三",
        }
        payload |= fields
        ticket, _ = self.services.tickets.create(
            self.operator, TicketCreate.model_validate(payload), f"key-{next(_keys)}-{id(self)}"
        )
        return ticket

    def act(self, who: Principal, ticket_id: str, action: Action, **fields: Any) -> TicketOut:
        return self.services.tickets.act(who, ticket_id, action, body(action, **fields))

    def actor_for(self, ticket: TicketOut, action: Action) -> Principal:
        """A principal whose role may take `action` (the lead unit, or a co-handler for report)."""
        if action in {Action.ACCEPT, Action.RETURN, Action.EXTEND, Action.REPLY}:
            return self.unit(ticket.lead_unit or HEATING_UNIT)
        if action is Action.REPORT:
            return self.unit(ticket.co_handlers[0] if ticket.co_handlers else CO_UNIT)
        if action in {Action.REVIEW_RETURN, Action.ESCALATE}:
            return self.reviewer
        return self.operator

    def drive(self, state: State) -> TicketOut:
        """A new ticket brought into `state` along a legal path."""
        ticket = self.create()
        tid = ticket.id
        op, rev = self.operator, self.reviewer
        if state is State.RECEIVED:
            return ticket
        if state in {State.CONSULTING, State.CONSULTED}:
            ticket = self.act(op, tid, Action.CONSULT, units=[HEATING_UNIT, OTHER_UNIT])
            if state is State.CONSULTED:
                ticket = self.act(op, tid, Action.CONSULT, outcome="热力集团牵头")
            return ticket
        ticket = self.act(op, tid, Action.DISPATCH, co_handlers=[CO_UNIT])
        if state is State.DISPATCHED:
            return ticket
        lead = self.unit(HEATING_UNIT)
        if state is State.RETURN_REQUESTED:
            return self.act(lead, tid, Action.RETURN, reason_code="not_our_duty", reason="非本单位职责")
        if state is State.COORDINATION:
            for current, following in [
                (HEATING_UNIT, OTHER_UNIT),
                (OTHER_UNIT, THIRD_UNIT),
                (THIRD_UNIT, CITY_UNIT),
            ]:
                self.act(
                    self.unit(current), tid, Action.RETURN, reason_code="not_our_duty", reason="非本单位职责"
                )
                ticket = self.act(rev, tid, Action.REVIEW_RETURN, decision="uphold", unit=following)
            return ticket
        ticket = self.act(lead, tid, Action.ACCEPT)
        if state is State.ACCEPTED:
            return ticket
        ticket = self.act(lead, tid, Action.REPLY, result="已协调热力公司维修，室温恢复")
        if state is State.REPLIED:
            return ticket
        resolved = state is State.CLOSED
        return self.act(op, tid, Action.FOLLOWUP, contacted=True, resolved=resolved, satisfaction="满意")


# A valid body for each action, as used when the action is tried in a state that does not allow it.
SAMPLE_FIELDS: dict[Action, dict[str, Any]] = {
    Action.DISPATCH: {},
    Action.CONSULT: {"units": [HEATING_UNIT]},
    Action.INFORM: {"channel": "arbitration", "notice": "请通过仲裁程序解决"},
    Action.ANSWER: {"answer": "已解答"},
    Action.TRANSFER: {"number": "119"},
    Action.CLOSE_DUPLICATE: {"linked_ticket_id": "00000000-0000-0000-0000-000000000000"},
    Action.ACCEPT: {},
    Action.RETURN: {"reason_code": "not_our_duty", "reason": "非本单位职责"},
    Action.EXTEND: {"hours": 24, "reason": "需要协调"},
    Action.REPLY: {"result": "已处理"},
    Action.REPORT: {"report": "已配合处理"},
    Action.REVIEW_RETURN: {"decision": "reject"},
    Action.ESCALATE: {"level": "district", "unit": "朝阳区人民政府"},
    Action.FOLLOWUP: {"contacted": True, "resolved": True, "satisfaction": "满意"},
    Action.REOPEN: {},
    Action.CLOSE: {},
}
