"""Workflow settings: deadline tiers (draft DB11: 2 h / 24 h / 7 d / 15 d), returns (退单), extensions,
follow-up and the three-rate weights. Beijing publishes no return window and weights change, so all of
this is configuration rather than constants (shared/docs/domain.md §1)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from jiesu.data.resources import read_json, resource_path
from jiesu.errors import ReferenceDataError

TIERS = ("emergency", "utility", "ordinary", "complex")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeadlineTier(_Frozen):
    hours: int = Field(gt=0)
    description: str


class ReturnSettings(_Frozen):
    window_working_days: int = Field(ge=0)
    reason_required: bool
    max_dispatch_rounds: int = Field(ge=1)
    after_max_rounds: str
    deadline_restarts_on_redispatch: bool
    reason_codes: list[str] = Field(min_length=1)


class ExtensionSettings(_Frozen):
    reason_required: bool
    notify_requester: bool
    max_extensions: int = Field(ge=0)
    max_extension_hours: int = Field(gt=0)


class FollowupSettings(_Frozen):
    after_deadline_hours: int = Field(ge=0)
    satisfaction_levels: list[str]


class RateCycle(_Frozen):
    start_day: int = Field(ge=1, le=28)
    description: str


class RateSettings(_Frozen):
    cycle: RateCycle
    satisfaction_weights: dict[str, float]
    overall_weights: dict[str, float]

    @model_validator(mode="after")
    def _weights(self) -> RateSettings:
        if set(self.overall_weights) != {"response", "resolution", "satisfaction"}:
            raise ValueError("overall_weights must give response, resolution and satisfaction")
        if abs(sum(self.overall_weights.values()) - 1.0) > 1e-9:
            raise ValueError(f"overall_weights must sum to 1, got {sum(self.overall_weights.values())}")
        return self


class WorkflowSettings(_Frozen):
    version: str
    deadline_tiers: dict[str, DeadlineTier]
    online_acceptance_hours: int = Field(gt=0)
    returns: ReturnSettings
    extensions: ExtensionSettings
    followup: FollowupSettings
    rates: RateSettings

    @model_validator(mode="after")
    def _tiers(self) -> WorkflowSettings:
        if sorted(self.deadline_tiers) != sorted(TIERS):
            raise ValueError(f"deadline_tiers must be exactly {TIERS}, got {sorted(self.deadline_tiers)}")
        hours = [self.deadline_tiers[tier].hours for tier in TIERS]
        if hours != sorted(hours):
            raise ValueError(
                f"deadline tiers must grow from emergency to complex, got {dict(zip(TIERS, hours, strict=True))}"
            )
        if set(self.rates.satisfaction_weights) != set(self.followup.satisfaction_levels):
            raise ValueError("rates.satisfaction_weights must give a weight for every satisfaction level")
        return self

    def hours_for(self, tier: str) -> int:
        return self.deadline_tiers[tier].hours


def load_workflow_settings(path: Path | None = None) -> WorkflowSettings:
    return _load(path or resource_path("workflow.json"))


@lru_cache(maxsize=8)
def _load(path: Path) -> WorkflowSettings:
    try:
        return WorkflowSettings.model_validate(read_json(path))
    except ValidationError as exc:
        raise ReferenceDataError(f"workflow settings {path} are invalid: {exc}") from exc
