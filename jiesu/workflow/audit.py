"""Dispatch audit: how often tickets went to the wrong unit, per unit and for the suggestions.

Read from the workflow's event log, nothing else: a dispatch (confirmed or overridden suggestion), a
re-dispatch after an upheld return, an escalation, a return (派单异议) and its review. A return that the reviewer upholds
is a mis-dispatch (错派) of the unit that returned it; a rejected one is not. A return refiled after a
rejection (with new facts) is counted apart, not as another objection: repeated objections are a signal of
their own. The figures answer the
auditor's questions: which units receive tickets that are not theirs, how often operators override the
suggestion, and whether the tickets that followed the suggestion came back more or less often than those
that did not.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from jiesu.workflow.payloads import (
    DispatchPayload,
    EscalatePayload,
    ReturnPayload,
    ReviewReturnPayload,
    parse_payload,
)
from jiesu.workflow.states import Action

log = logging.getLogger(__name__)

AUDITED_ACTIONS = (Action.DISPATCH, Action.RETURN, Action.REVIEW_RETURN, Action.ESCALATE)
ORIGINS = ("suggestion", "override", "redispatch", "escalation")


@dataclass
class UnitAudit:
    dispatched: int = 0  # tickets sent to the unit (first dispatch or re-dispatch)
    returned: int = 0  # objections it raised: first returns in a dispatch round
    refiled: int = 0  # returns it refiled after the reviewer rejected one (counted apart)
    upheld: int = 0  # of those, upheld by the reviewer: mis-dispatches to this unit
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def to_dict(self, unit: str) -> dict[str, Any]:
        return {
            "unit": unit,
            "dispatched": self.dispatched,
            "returned": self.returned,
            "returns_refiled": self.refiled,
            "returns_upheld": self.upheld,
            "returns_rejected": self.rejected,
            "mis_dispatch_rate": _ratio(self.upheld, self.dispatched),
            "return_reasons": dict(self.reasons.most_common()),
        }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def dispatch_audit(events: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Audit figures from events in time order; each has `ticket_id`, `action` and `payload`.

    A return is attributed to the dispatch it answers: the last dispatch of that ticket before it, whether
    that dispatch followed the suggestion, was an operator's override, a reviewer's re-dispatch or an
    escalation."""
    units: dict[str, UnitAudit] = {}
    last_dispatch: dict[str, str] = {}  # ticket → how its current unit was chosen
    by_origin = {origin: Counter[str]() for origin in ORIGINS}
    first_dispatches = overridden = 0
    skipped = 0
    for event in events:
        ticket = event["ticket_id"]
        try:
            payload = parse_payload(event["action"], event["payload"])
        except (ValidationError, ValueError):
            # One unreadable event (written by hand, or by a version that stored another shape) must not
            # take the whole audit down: it is counted apart, so the auditor sees that it was left out.
            skipped += 1
            log.warning(
                "dispatch audit: event of ticket %s (%s) has an unreadable payload", ticket, event["action"]
            )
            continue
        if isinstance(payload, DispatchPayload):
            origin = "override" if payload.overridden else "suggestion"
            if payload.suggested_unit is None:
                origin = "override"  # no suggestion to follow: the operator chose
            first_dispatches += 1
            overridden += origin == "override"
            _count_dispatch(units, payload.unit, ticket, origin, last_dispatch, by_origin)
        elif isinstance(payload, EscalatePayload):
            # The ticket now rests with the unit it was escalated to: a later return answers that choice.
            _count_dispatch(units, payload.unit, ticket, "escalation", last_dispatch, by_origin)
        elif isinstance(payload, ReturnPayload):
            if payload.unit:
                unit_audit = units.setdefault(payload.unit, UnitAudit())
                if payload.refiled:
                    unit_audit.refiled += 1
                else:
                    unit_audit.returned += 1
                    unit_audit.reasons[payload.reason_code] += 1
        elif isinstance(payload, ReviewReturnPayload):
            returned_by = payload.returned_by
            reviewed = units.setdefault(returned_by, UnitAudit()) if returned_by else None
            chosen_by = last_dispatch.get(ticket)
            if payload.decision == "uphold":
                if reviewed is not None:
                    reviewed.upheld += 1
                if chosen_by is not None:
                    by_origin[chosen_by]["mis_dispatched"] += 1
                if payload.unit:
                    _count_dispatch(units, payload.unit, ticket, "redispatch", last_dispatch, by_origin)
            elif reviewed is not None:
                reviewed.rejected += 1
    totals = UnitAudit()
    for audit in units.values():
        totals.dispatched += audit.dispatched
        totals.returned += audit.returned
        totals.refiled += audit.refiled
        totals.upheld += audit.upheld
        totals.rejected += audit.rejected
        totals.reasons.update(audit.reasons)
    return {
        "skipped_events": skipped,
        "overall": totals.to_dict("all units"),
        "suggestions": {
            "first_dispatches": first_dispatches,
            "overridden": overridden,
            "override_rate": _ratio(overridden, first_dispatches),
            "by_origin": {
                origin: {
                    "dispatched": counts["dispatched"],
                    "mis_dispatched": counts["mis_dispatched"],
                    "mis_dispatch_rate": _ratio(counts["mis_dispatched"], counts["dispatched"]),
                }
                for origin, counts in by_origin.items()
            },
        },
        "units": [
            audit.to_dict(unit)
            for unit, audit in sorted(
                units.items(), key=lambda item: (-item[1].upheld, -item[1].dispatched, item[0])
            )
        ],
    }


def _count_dispatch(
    units: dict[str, UnitAudit],
    unit: str | None,
    ticket: str,
    origin: str,
    last_dispatch: dict[str, str],
    by_origin: dict[str, Counter[str]],
) -> None:
    if not unit:
        return
    units.setdefault(unit, UnitAudit()).dispatched += 1
    last_dispatch[ticket] = origin
    by_origin[origin]["dispatched"] += 1
