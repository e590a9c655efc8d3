"""Pre-dispatch consultation (会商, Regulation art. 12): when a person must look before a request is
dispatched, with machine-readable reasons."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from jiesu.data.consultation_rules import load_consultation_rules
from jiesu.model.decision import NEVER_HELD

ConsultReason = Literal[
    "low_confidence",
    "ambiguous_category",
    "multi_issue",
    "ambiguous_jurisdiction",
    "no_jurisdiction",
    "outside_beijing",
    "no_catalogue_rule",
    "disposition_conflict",
    "unfamiliar_text",
    "risk",
]
REASONS: tuple[ConsultReason, ...] = get_args(ConsultReason)


@dataclass(frozen=True)
class ConsultationInput:
    disposition: str
    # The dispatch decision (unit and disposition, jiesu.model.decision) and its threshold; a model
    # without one (trained on data with no second level or disposition) falls back to the category's.
    decision_confidence: float | None
    decision_threshold: float | None
    category_margin: float | None
    second_category_confidence: float | None
    second_category_routes_elsewhere: bool
    jurisdiction_ambiguous: bool
    in_beijing: bool | None
    has_district: bool
    routing_problems: Sequence[str]
    disposition_conflict: bool
    risk: bool
    folded_text: str
    unfamiliar: bool = False
    # Parts of the text opened by second-matter words go to different units (jiesu.model.matters).
    parts_go_elsewhere: bool = False


@dataclass(frozen=True)
class ConsultationPolicy:
    """Thresholds of the policy; the category confidence threshold comes from the model. The words that
    open a second matter (另外, 还有一件) come from `resources/consultation.json`."""

    margin: float = 0.1
    second_matter_alone: float = 0.3
    second_matter_with_marker: float = 0.1
    second_matter: re.Pattern[str] = field(
        default_factory=lambda: load_consultation_rules().second_matter_pattern
    )

    def reasons(self, facts: ConsultationInput) -> list[ConsultReason]:
        reasons: list[str] = []
        if facts.risk:
            reasons.append("risk")
        if facts.disposition_conflict:
            reasons.append("disposition_conflict")
        if facts.unfamiliar:
            reasons.append("unfamiliar_text")
        confident = facts.decision_confidence
        # Any decision but an emergency transfer waits for a person when it is unsure: an answer or a
        # legal-channel notice on the wrong matter misleads the caller as a wrong dispatch does.
        if (
            facts.disposition not in NEVER_HELD
            and confident is not None
            and (facts.decision_threshold is None or confident < facts.decision_threshold)
        ):
            reasons.append("low_confidence")
        if facts.disposition != "dispatch":
            return _in_order(reasons)  # jurisdiction and routing matter only for what is dispatched
        # Two close categories matter only when they go to different units.
        if (
            facts.category_margin is not None
            and facts.category_margin < self.margin
            and facts.second_category_routes_elsewhere
        ):
            reasons.append("ambiguous_category")
        second = facts.second_category_confidence or 0.0
        marker = bool(self.second_matter.search(facts.folded_text))
        if facts.parts_go_elsewhere or (
            facts.second_category_routes_elsewhere
            and (second >= self.second_matter_alone or (marker and second >= self.second_matter_with_marker))
        ):
            reasons.append("multi_issue")
        if facts.in_beijing is False:
            reasons.append("outside_beijing")
        elif facts.jurisdiction_ambiguous:
            reasons.append("ambiguous_jurisdiction")
        # A missing place (no_jurisdiction) is the router's to say: only a local duty needs one.
        reasons += [problem for problem in facts.routing_problems if problem not in reasons]
        return _in_order(reasons)


def _in_order(reasons: list[str]) -> list[ConsultReason]:
    return [reason for reason in REASONS if reason in reasons]
