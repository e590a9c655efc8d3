"""Response schema of the mis-dispatch audit (GET /v1/audit/misdispatch, `jiesu audit misdispatch`):
counts, rates with 95% Wilson intervals, and flags; unit, category and district names, operator key
names, model ids and weeks, never request text or caller data."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RateOut(_Out):
    count: int = Field(description="tickets counted")
    total: int = Field(description="out of")
    rate: float | None = Field(description="count / total; null when total is 0")
    low: float | None = Field(description="95% Wilson interval, lower bound")
    high: float | None = Field(description="95% Wilson interval, upper bound")


class FlagOut(_Out):
    metric: str
    test: str = Field(description="two-proportion z-test, or Fisher's exact test for small counts")
    p_value: float
    p_adjusted: float = Field(description="Holm–Bonferroni adjusted over the groups compared")
    rest_rate: float = Field(description="the same rate over all other tickets")
    direction: Literal["higher", "lower"]


class GroupOut(_Out):
    key: str = Field(description="the group: a unit, category, district, operator, model id or ISO week")
    dispatched: int
    settled: int
    consulted: int
    first_dispatch_accuracy: RateOut
    return_rate: RateOut
    upheld_return_rate: RateOut
    accepted_suggestion: RateOut
    override_operator_right: RateOut
    override_model_right: RateOut
    model_alone_accuracy: RateOut
    mean_dispatch_rounds: float | None
    mean_days_to_final_acceptance: float | None
    mean_days_lost: float | None
    flags: list[FlagOut] = Field(description="rates that differ from the rest beyond chance")


class ConsultationsOut(_Out):
    opened: int
    still_open: int
    concluded: int
    dispatched: int
    dispatched_to_a_consulted_unit: int
    closed_without_dispatch: int
    first_dispatch_accuracy: RateOut


class ConfusionOut(_Out):
    first_unit: str
    final_unit: str
    tickets: int


class MisdispatchAuditOut(_Out):
    from_date: str = Field(serialization_alias="from")
    to_date: str = Field(serialization_alias="to")
    group_by: Literal["unit", "category", "district", "operator", "model_version", "week"]
    tickets: int = Field(description="tickets created in the period")
    dispatched: int
    not_dispatched: dict[str, int] = Field(description="by first decision (or state, when undecided)")
    overall: GroupOut
    groups: list[GroupOut]
    consultations: ConsultationsOut
    confusion: list[ConfusionOut] = Field(description="settled tickets by first unit → final unit")
    method: str = Field(description="how groups are compared with the rest")
    definitions: dict[str, str]
