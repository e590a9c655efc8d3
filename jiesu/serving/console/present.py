"""Presentation helpers for the templates: Beijing times, deadline countdowns, highlighted evidence, and
which workflow actions a user may take on a ticket (its state's actions, filtered by role and unit)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from markupsafe import Markup, escape

from jiesu.model.suggestion_types import Suggestion, TextSpan
from jiesu.serving.schemas import TicketOut
from jiesu.workflow.actors import Principal
from jiesu.workflow.states import BEIJING_TZ, TRANSITIONS, Action, Role, UnitRelation


def beijing_time(moment: datetime | None) -> str:
    return moment.astimezone(BEIJING_TZ).strftime("%Y-%m-%d %H:%M") if moment else "—"


def countdown(deadline: datetime | None, now: datetime) -> str:
    """剩 3小时12分 / 超时 2天4小时: what is left of a deadline, or how long it is past."""
    if deadline is None:
        return "—"
    seconds = int((deadline - now).total_seconds())
    days, rest = divmod(abs(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    span = f"{days}天{hours}小时" if days else f"{hours}小时{minutes}分" if hours else f"{minutes}分"
    return f"剩 {span}" if seconds >= 0 else f"超时 {span}"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def evidence(suggestion: Suggestion) -> list[tuple[TextSpan, str]]:
    """The words that decided the suggestion: places (jurisdiction), legal or emergency cues, and the
    danger that gave a dispatch the 2 h tier."""
    cue = "emergency" if suggestion.disposition.label == "emergency" else "legal"
    places = [(span, "place") for span in suggestion.jurisdiction.evidence]
    hazards = [(span, "emergency") for span in suggestion.deadline.evidence] if suggestion.deadline else []
    return places + [(span, cue) for span in suggestion.disposition.evidence] + hazards


def highlight(text: str, spans: Iterable[tuple[TextSpan, str]]) -> Markup:
    """The text, escaped, with each span in a <mark class="kind">: one mark per word (adjacent place names
    stay apart); where spans overlap, the first claims the characters (cues before places). A span that
    does not match the text (masked, edited) is left out."""
    owner: list[tuple[int, str] | None] = [None] * len(text)
    ordered = sorted(spans, key=lambda item: item[1] == "place")
    for number, (span, kind) in enumerate(ordered):
        if text[span.start : span.end] != span.text:
            continue
        for index in range(span.start, span.end):
            owner[index] = owner[index] or (number, kind)
    out: list[str] = []
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or owner[index] != owner[start]:
            piece = escape(text[start:index])
            run = owner[start]
            out.append(f'<mark class="{run[1]}">{piece}</mark>' if run else str(piece))
            start = index
    return Markup("".join(out))


def may_take(principal: Principal, ticket: TicketOut, action: Action) -> bool:
    rule = TRANSITIONS[action]
    if principal.role not in rule.roles:
        return False
    if principal.role is Role.UNIT:
        if rule.unit_relation is UnitRelation.LEAD:
            return principal.unit == ticket.lead_unit
        if rule.unit_relation is UnitRelation.CO:
            return principal.unit in ticket.co_handlers
    return True


def actions_for(principal: Principal, ticket: TicketOut) -> list[str]:
    """The actions this user may take on this ticket now, in the state machine's order."""
    return [action.value for action in ticket.allowed_actions if may_take(principal, ticket, action)]


# The action a user usually takes next, opened on the ticket page: the first of these that is allowed.
PRIMARY = ("reply", "accept", "review-return", "followup", "dispatch", "report", "consult")


def primary_action(actions: Sequence[str]) -> str:
    return next((action for action in PRIMARY if action in actions), actions[0] if actions else "")


def unit_options(suggestion: Suggestion) -> Sequence[str]:
    """The suggested unit first, then its alternatives."""
    if suggestion.route is None:
        return []
    return [suggestion.route.unit, *(choice.unit for choice in suggestion.route.alternatives)]
