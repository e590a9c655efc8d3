"""Each workflow action as a pure function: (ticket, body, actor, rules) → the change it makes. No I/O:
the serving layer loads the ticket, calls `decide`, and writes the change with the ticket's version in
the same transaction. A refused action raises a ServiceError (jiesu.workflow.errors)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from jiesu.data.catalogue import DeadlineTier
from jiesu.model.suggestion_types import Suggestion
from jiesu.workflow.actors import Principal
from jiesu.workflow.bodies import (
    ACTION_BODIES,
    AcceptBody,
    ActionBody,
    AnswerBody,
    CloseBody,
    CloseDuplicateBody,
    ConsultBody,
    DispatchBody,
    EscalateBody,
    ExtendBody,
    FollowupBody,
    InformBody,
    ReopenBody,
    ReplyBody,
    ReportBody,
    ReturnBody,
    ReviewReturnBody,
    TransferBody,
)
from jiesu.workflow.errors import Conflict, Forbidden, InvalidInput, Messages, message
from jiesu.workflow.payloads import (
    AcceptPayload,
    AnswerPayload,
    CloseDuplicatePayload,
    ClosePayload,
    ConsultPayload,
    DispatchPayload,
    EscalatePayload,
    ExtendPayload,
    FollowupPayload,
    InformPayload,
    Payload,
    ReopenPayload,
    ReplyPayload,
    ReportPayload,
    ReturnPayload,
    ReviewReturnPayload,
    TransferPayload,
    stored,
)
from jiesu.workflow.records import Change, FollowupRecord, Rules, TicketRecord, iso
from jiesu.workflow.reference import ESCALATION_TYPES
from jiesu.workflow.states import (
    TRANSITIONS,
    Action,
    IllegalTransition,
    Role,
    State,
    UnitRelation,
    add_working_days,
    followup_outcome,
    next_state,
    review_return_outcome,
    targets,
)


def decide(action: Action, ticket: TicketRecord, body: ActionBody, actor: Principal, rules: Rules) -> Change:
    """The change `action` makes to `ticket`, or the error that refuses it: 403 for the wrong role or
    unit, 409 for a stale version or an action the state does not allow, 422 for a bad body."""
    if not isinstance(body, ACTION_BODIES[action.value]):
        raise TypeError(f"{action} takes a {ACTION_BODIES[action.value].__name__}")
    rule = TRANSITIONS[action]
    if actor.role not in rule.roles:
        raise Forbidden(message(Messages.role), {"allowed_roles": sorted(rule.roles)})
    _check_unit_relation(actor, ticket, rule.unit_relation)
    if body.version is not None and body.version != ticket.version:
        raise Conflict(message(Messages.stale), {"current_version": ticket.version}, code="stale_version")
    state = State(ticket.state)
    try:
        targets(state, action)
    except IllegalTransition as exc:
        raise Conflict(
            message(Messages.illegal, action=action.value, state=state.value),
            {"state": state.value, "action": action.value, "allowed_actions": exc.allowed},
            code="illegal_transition",
        ) from None
    return _HANDLERS[action](ticket, state, body, actor, rules)


def _check_unit_relation(actor: Principal, ticket: TicketRecord, relation: UnitRelation | None) -> None:
    if actor.role is not Role.UNIT or relation is None:
        return
    if relation is UnitRelation.LEAD and actor.unit != ticket.lead_unit:
        raise Forbidden(message(Messages.lead_unit_only))
    if relation is UnitRelation.CO and actor.unit not in ticket.co_handlers:
        raise Forbidden(message(Messages.co_handler_only))


def _deadline(rules: Rules, tier: str, start: datetime) -> datetime:
    return start + timedelta(hours=rules.settings.hours_for(tier))


def _unit_type(rules: Rules, unit: str, given: str | None) -> str | None:
    """The unit's type from the catalogue; a type the caller gives must agree with it."""
    known = rules.reference.unit_type(unit)
    if given is not None and known is not None and given != known:
        raise InvalidInput(message(Messages.unit_type_mismatch, given=given, known=known))
    return known or given


def _without(unit: str, names: list[str]) -> list[str]:
    return [name for name in dict.fromkeys(names) if name and name != unit]


# --- the dispatch desk -------------------------------------------------------------------------------


def dispatch(
    ticket: TicketRecord, state: State, body: DispatchBody, _actor: Principal, rules: Rules
) -> Change:
    suggestion = Suggestion.from_stored(ticket.suggestion)
    suggested = ticket.suggested_unit
    unit = body.unit or suggested
    if unit is None:
        raise InvalidInput(message(Messages.no_unit))
    overridden = body.unit is not None and body.unit != suggested
    if overridden and suggested is not None and not (body.reason and body.reason.strip()):
        raise InvalidInput(message(Messages.override_reason))
    confirmed = unit == suggested
    suggested_copies = list(suggestion.route.copy_to) if confirmed and suggestion.route else []
    copy_to = body.copy_to if body.copy_to is not None else suggested_copies
    co_handlers = [name for name in dict.fromkeys(body.co_handlers) if name != unit]  # "" is refused below
    rules.reference.check_units([unit, *copy_to, *co_handlers])
    copy_to = _without(unit, [*copy_to, *rules.reference.district_copy(unit)])
    category = body.category or ticket.category
    if category is not None:
        rules.reference.check_category(category)
    tier: DeadlineTier = body.deadline_tier or (
        suggestion.deadline.tier if suggestion.deadline else "ordinary"
    )
    if tier not in rules.settings.deadline_tiers:
        raise InvalidInput(message(Messages.deadline_tier))
    unit_type = _unit_type(rules, unit, body.unit_type)
    now = rules.now
    deadline = _deadline(rules, tier, now)
    payload = DispatchPayload(
        disposition="dispatch",
        unit=unit,
        unit_type=unit_type,
        copy_to=copy_to,
        co_handlers=co_handlers,
        category=category,
        deadline_tier=tier,
        suggested_unit=suggested,
        overridden=overridden,
        reason=body.reason,
        dispatch_round=1,
        deadline_at=iso(deadline),
    )
    decision = payload.model_dump(mode="json", exclude={"dispatch_round", "deadline_at"})
    updates = {
        "decision": decision,
        "lead_unit": unit,
        "lead_unit_type": unit_type,
        "copy_to": copy_to,
        "co_handlers": co_handlers,
        "category": category,
        "dispatch_round": 1,
        "deadline_tier": tier,
        "dispatched_at": now,
        "deadline_at": deadline,
    }
    return Change(next_state(state, Action.DISPATCH), updates, payload, relink=True)


def consult(ticket: TicketRecord, state: State, body: ConsultBody, _actor: Principal, rules: Rules) -> Change:
    now = iso(rules.now)
    if state is State.RECEIVED:
        if not body.units or body.outcome is not None:
            raise InvalidInput(message(Messages.consult_units))
        units = list(dict.fromkeys(body.units))
        rules.reference.check_units(units)
        consultation = {"units": units, "opened_at": now, "outcome": None, "closed_at": None}
        return Change(
            next_state(state, Action.CONSULT), {"consultation": consultation}, ConsultPayload(units=units)
        )
    if body.outcome is None or body.units is not None:
        raise InvalidInput(message(Messages.consult_outcome))
    consultation = {**(ticket.consultation or {}), "outcome": body.outcome, "closed_at": now}
    return Change(
        next_state(state, Action.CONSULT),
        {"consultation": consultation},
        ConsultPayload(outcome=body.outcome),
    )


def _closing(state: State, action: Action, closure: str, payload: Payload, rules: Rules) -> Change:
    # Only undispatched tickets close this way: an online request's acceptance deadline ends here.
    decision = stored(payload)
    updates = {"decision": decision, "closure": closure, "closed_at": rules.now, "deadline_at": None}
    return Change(next_state(state, action), updates, payload)


def inform(_ticket: TicketRecord, state: State, body: InformBody, _actor: Principal, rules: Rules) -> Change:
    payload = InformPayload(disposition="legal_channel", channel=body.channel, notice=body.notice)
    return _closing(state, Action.INFORM, "informed", payload, rules)


def answer(_ticket: TicketRecord, state: State, body: AnswerBody, _actor: Principal, rules: Rules) -> Change:
    payload = AnswerPayload(disposition="answer_now", answer=body.answer)
    return _closing(state, Action.ANSWER, "answered", payload, rules)


def transfer(
    _ticket: TicketRecord, state: State, body: TransferBody, _actor: Principal, rules: Rules
) -> Change:
    payload = TransferPayload(disposition="emergency", emergency_number=body.number)
    return _closing(state, Action.TRANSFER, "transferred", payload, rules)


def close_duplicate(
    ticket: TicketRecord, state: State, body: CloseDuplicateBody, _actor: Principal, rules: Rules
) -> Change:
    linked = rules.linked
    if linked is None or linked.id == ticket.id or linked.id != body.linked_ticket_id:
        raise InvalidInput(message(Messages.linked_ticket))
    if linked.created_at > ticket.created_at:
        raise InvalidInput(message(Messages.linked_ticket_later))
    if linked.closure == "duplicate":
        # Tickets created in one batch share a time; pointing at the original, never at another
        # duplicate, keeps two copies from closing each other with neither handled.
        raise InvalidInput(
            message(Messages.linked_ticket_duplicate), {"original_ticket_id": linked.linked_ticket_id}
        )
    payload = CloseDuplicatePayload(disposition="duplicate", linked_ticket_id=body.linked_ticket_id)
    change = _closing(state, Action.CLOSE_DUPLICATE, "duplicate", payload, rules)
    change.updates["linked_ticket_id"] = body.linked_ticket_id
    return change


# --- the handling unit -------------------------------------------------------------------------------


def accept(_ticket: TicketRecord, state: State, body: AcceptBody, _actor: Principal, _rules: Rules) -> Change:
    payload = AcceptPayload(note=body.note) if body.note else AcceptPayload()
    return Change(next_state(state, Action.ACCEPT), {}, payload)


def return_ticket(
    ticket: TicketRecord, state: State, body: ReturnBody, _actor: Principal, rules: Rules
) -> Change:
    settings = rules.settings.returns
    if body.reason_code not in settings.reason_codes:
        raise InvalidInput(message(Messages.reason_code), {"reason_codes": settings.reason_codes})
    if settings.reason_required and not (body.reason and body.reason.strip()):
        raise InvalidInput(message(Messages.reason_required))
    # A reviewer's rejection settles the objection: the unit handles the ticket, and a further return in
    # this round must bring new facts; it goes back to the reviewer with that decision attached.
    previous = rules.rejected_return
    if previous is None and body.new_facts is not None:
        raise InvalidInput(message(Messages.new_facts_unexpected))
    if previous is not None and not (body.new_facts and body.new_facts.strip()):
        raise InvalidInput(message(Messages.new_facts_required), {"previous_decision": stored(previous)})
    assert ticket.dispatched_at is not None  # set by every transition into dispatched
    window_end = add_working_days(ticket.dispatched_at, settings.window_working_days)
    if rules.now > window_end:
        raise Conflict(
            message(Messages.return_window, days=settings.window_working_days),
            {"window_ends_at": iso(window_end)},
            code="return_window_passed",
        )
    payload = ReturnPayload(unit=ticket.lead_unit, reason_code=body.reason_code, reason=body.reason)
    if previous is not None:
        payload = ReturnPayload(
            unit=ticket.lead_unit,
            reason_code=body.reason_code,
            reason=body.reason,
            refiled=True,
            new_facts=body.new_facts,
            previous_decision=previous,
        )
    return Change(next_state(state, Action.RETURN), {}, payload)


def extend(ticket: TicketRecord, state: State, body: ExtendBody, _actor: Principal, rules: Rules) -> Change:
    settings = rules.settings.extensions
    if ticket.extensions >= settings.max_extensions:
        raise Conflict(
            message(Messages.extension_count, limit=settings.max_extensions), code="extension_limit_reached"
        )
    if body.hours > settings.max_extension_hours:
        raise InvalidInput(message(Messages.extension_hours, limit=settings.max_extension_hours))
    if settings.reason_required and not (body.reason and body.reason.strip()):
        raise InvalidInput(message(Messages.reason_required))
    assert ticket.deadline_at is not None
    deadline = ticket.deadline_at + timedelta(hours=body.hours)
    payload = ExtendPayload(
        hours=body.hours,
        reason=body.reason,
        notify_requester=settings.notify_requester,  # art. 15: the requester is told
        deadline_at=iso(deadline),
    )
    updates = {"deadline_at": deadline, "extensions": ticket.extensions + 1}
    return Change(next_state(state, Action.EXTEND), updates, payload)


def reply(_ticket: TicketRecord, state: State, body: ReplyBody, _actor: Principal, rules: Rules) -> Change:
    return Change(
        next_state(state, Action.REPLY), {"replied_at": rules.now}, ReplyPayload(result=body.result)
    )


def report(_ticket: TicketRecord, state: State, body: ReportBody, actor: Principal, _rules: Rules) -> Change:
    return Change(next_state(state, Action.REPORT), {}, ReportPayload(unit=actor.unit, report=body.report))


# --- review and escalation ---------------------------------------------------------------------------


def review_return(
    ticket: TicketRecord, state: State, body: ReviewReturnBody, _actor: Principal, rules: Rules
) -> Change:
    settings = rules.settings.returns
    seen = {"decision": body.decision, "reason": body.reason, "returned_by": ticket.lead_unit}
    if body.decision == "reject":  # back to the same unit; its deadline runs on
        if body.unit is not None:
            raise InvalidInput(message(Messages.reject_takes_no_unit))
        payload = ReviewReturnPayload.model_validate(seen)
        return Change(next_state(state, Action.REVIEW_RETURN, branch=State.DISPATCHED), {}, payload)
    if body.unit is None:
        raise InvalidInput(message(Messages.uphold_unit))
    if body.unit == ticket.lead_unit:
        raise InvalidInput(message(Messages.same_unit))
    rules.reference.check_units([body.unit, *body.copy_to])
    outcome = review_return_outcome(True, ticket.dispatch_round, settings.max_dispatch_rounds)
    if outcome is State.COORDINATION:
        payload = ReviewReturnPayload.model_validate(
            {**seen, "after_max_rounds": settings.after_max_rounds, "dispatch_round": ticket.dispatch_round}
        )
        updates: dict[str, Any] = {
            "lead_unit": None,
            "lead_unit_type": None,
            "copy_to": [],
            "co_handlers": [],
        }
        return Change(next_state(state, Action.REVIEW_RETURN, branch=outcome), updates, payload, relink=True)
    next_round = ticket.dispatch_round + 1
    unit_type = _unit_type(rules, body.unit, body.unit_type)
    copy_to = _without(body.unit, [*body.copy_to, *rules.reference.district_copy(body.unit)])
    updates = {
        "lead_unit": body.unit,
        "lead_unit_type": unit_type,
        "copy_to": copy_to,
        "co_handlers": [],
        "dispatch_round": next_round,
        "dispatched_at": rules.now,
    }
    redispatch: dict[str, Any] = {"unit": body.unit, "dispatch_round": next_round, "copy_to": copy_to}
    if settings.deadline_restarts_on_redispatch and ticket.deadline_tier:
        updates["deadline_at"] = _deadline(rules, ticket.deadline_tier, rules.now)
        redispatch["deadline_at"] = iso(updates["deadline_at"])
    payload = ReviewReturnPayload.model_validate({**seen, **redispatch})
    return Change(next_state(state, Action.REVIEW_RETURN, branch=outcome), updates, payload, relink=True)


def escalate(
    ticket: TicketRecord, state: State, body: EscalateBody, _actor: Principal, rules: Rules
) -> Change:
    if body.unit == ticket.lead_unit:
        raise InvalidInput(message(Messages.same_unit))
    rules.reference.check_units([body.unit])
    unit_type = _unit_type(rules, body.unit, body.unit_type)
    if unit_type not in ESCALATION_TYPES[body.level]:
        raise InvalidInput(
            message(Messages.escalation_level, level=body.level),
            {"unit_type": unit_type, "allowed_unit_types": sorted(ESCALATION_TYPES[body.level])},
        )
    unit_district = rules.reference.district_of(body.unit)
    if body.level == "district" and ticket.district and unit_district and unit_district != ticket.district:
        # District-level coordination (art. 20) is the ticket's own district's, not a neighbour's.
        raise InvalidInput(
            message(Messages.escalation_other_district, district=ticket.district),
            {"ticket_district": ticket.district, "unit_district": unit_district},
        )
    # The unit that could not resolve it stays on as a co-handler and reports to the new lead.
    co_handlers = _without(body.unit, [*ticket.co_handlers, ticket.lead_unit or ""])
    updates: dict[str, Any] = {
        "lead_unit": body.unit,
        "lead_unit_type": unit_type,
        "escalation_level": body.level,
        "co_handlers": co_handlers,
        "copy_to": [name for name in ticket.copy_to if name != body.unit],
        "dispatched_at": rules.now,
    }
    tier = ticket.deadline_tier or "ordinary"
    if ticket.deadline_at is None or rules.settings.returns.deadline_restarts_on_redispatch:
        updates["deadline_at"] = _deadline(rules, tier, rules.now)
        updates["deadline_tier"] = tier
    payload = EscalatePayload(
        level=body.level, unit=body.unit, reason=body.reason, previous_unit=ticket.lead_unit
    )
    return Change(next_state(state, Action.ESCALATE), updates, payload, relink=True)


# --- follow-up ---------------------------------------------------------------------------------------


def followup(
    ticket: TicketRecord, state: State, body: FollowupBody, _actor: Principal, rules: Rules
) -> Change:
    levels = rules.settings.followup.satisfaction_levels
    if body.satisfaction is not None and body.satisfaction not in levels:
        raise InvalidInput(message(Messages.satisfaction_level), {"levels": levels})
    if not body.contacted and (body.resolved or body.satisfaction is not None):
        raise InvalidInput(message(Messages.followup_not_contacted))
    result = {
        "contacted": body.contacted,
        "resolved": body.resolved,
        "satisfaction": body.satisfaction,
        "valid": body.valid,
        "at": iso(rules.now),
        "unit": ticket.lead_unit,
    }
    outcome = followup_outcome(body.resolved)
    updates: dict[str, Any] = {"followup": result}
    if outcome is State.CLOSED:
        updates |= {"closure": "resolved", "closed_at": rules.now}
    record = FollowupRecord(
        ticket_id=ticket.id,
        at=rules.now,
        unit=ticket.lead_unit or "",
        unit_type=ticket.lead_unit_type,
        contacted=body.contacted,
        resolved=body.resolved,
        satisfaction=body.satisfaction,
        valid=body.valid,
    )
    payload = FollowupPayload.model_validate({**result, "note": body.note})
    return Change(next_state(state, Action.FOLLOWUP, branch=outcome), updates, payload, followup=record)


def reopen(ticket: TicketRecord, state: State, body: ReopenBody, _actor: Principal, rules: Rules) -> Change:
    deadline = _deadline(rules, ticket.deadline_tier or "ordinary", rules.now)
    updates = {"dispatched_at": rules.now, "deadline_at": deadline, "replied_at": None, "closure": None}
    payload = ReopenPayload(reason=body.reason, unit=ticket.lead_unit, deadline_at=iso(deadline))
    return Change(next_state(state, Action.REOPEN), updates, payload)


def close(_ticket: TicketRecord, state: State, body: CloseBody, _actor: Principal, rules: Rules) -> Change:
    updates = {"closure": "closed_unresolved", "closed_at": rules.now}
    return Change(next_state(state, Action.CLOSE), updates, ClosePayload(reason=body.reason))


Handler = Callable[[TicketRecord, State, Any, Principal, Rules], Change]
_HANDLERS: dict[Action, Handler] = {
    Action.DISPATCH: dispatch,
    Action.CONSULT: consult,
    Action.INFORM: inform,
    Action.ANSWER: answer,
    Action.TRANSFER: transfer,
    Action.CLOSE_DUPLICATE: close_duplicate,
    Action.ACCEPT: accept,
    Action.RETURN: return_ticket,
    Action.EXTEND: extend,
    Action.REPLY: reply,
    Action.REPORT: report,
    Action.REVIEW_RETURN: review_return,
    Action.ESCALATE: escalate,
    Action.FOLLOWUP: followup,
    Action.REOPEN: reopen,
    Action.CLOSE: close,
}
