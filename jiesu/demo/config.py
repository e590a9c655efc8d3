"""How the simulated hotline behaves (`jiesu demo simulate --config FILE.json`): every rate and delay of
the simulated operators, units and reviewers, with defaults that give a plausible history. A file need
only name what it changes (`{"units": {"return_when_wrong": 0.9}}`); unknown keys are refused.

The simulation knows, for each ticket, which unit is right (the "true" unit): the suggested unit with
probability `model.suggestion_accuracy`, else another one (the seed record's unit where it differs, else
one of the route's alternatives, else a unit of the corpus). The audit never sees it: it judges by the
unit that finally handled the ticket, as an auditor must."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from jiesu.errors import Messages, SettingsError, message

Rate = float


def _rate(default: float, description: str) -> float:
    return Field(default=default, ge=0.0, le=1.0, description=description)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Delay(Section):
    """Uniform between the two bounds, in hours."""

    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Delay:
        if self.high < self.low:
            raise ValueError("high must not be below low")
        return self


class ModelBehaviour(Section):
    suggestion_accuracy: float | None = Field(
        default=0.85,
        ge=0.0,
        le=1.0,
        description="share of suggested units that are right; null: the seed record's unit decides",
    )


class OperatorBehaviour(Section):
    count: int = Field(default=8, ge=1, le=200)
    override_when_wrong: Rate = _rate(0.6, "operator overrides a wrong suggestion")
    override_when_right: Rate = _rate(0.03, "operator overrides a right suggestion (to a wrong unit)")
    pick_right_when_overriding: Rate = _rate(0.85, "overriding a wrong suggestion, picks the right unit")
    pick_right_without_suggestion: Rate = _rate(0.8, "no suggested unit: picks the right unit")
    consult_rate: Rate = _rate(0.04, "a dispatched request goes to a pre-dispatch consultation (会商) first")
    decide_delay: Delay = Delay(low=0.05, high=1.0)
    followup_delay: Delay = Delay(low=2.0, high=48.0)
    reopen_unresolved: Rate = _rate(0.5, "an unresolved follow-up is reopened (else closed)")


class ConsultBehaviour(Section):
    agree_on_right_unit: Rate = _rate(0.9, "the consultation settles on the right unit")
    close_without_dispatch: Rate = _rate(0.1, "the consultation finds it needs no dispatch: answered")
    duration: Delay = Delay(low=2.0, high=30.0)


class UnitBehaviour(Section):
    return_when_wrong: Rate = _rate(0.8, "a unit that is not the right one returns the ticket (派单异议)")
    return_when_right: Rate = _rate(0.04, "the right unit returns it all the same")
    refile_after_rejection: Rate = _rate(0.15, "a wrong unit whose return was rejected refiles it")
    reason_codes: dict[str, float] = Field(
        default={
            "not_our_duty": 0.45,
            "wrong_jurisdiction": 0.3,
            "insufficient_information": 0.12,
            "duplicate": 0.03,
            "legal_channel": 0.03,
            "other": 0.07,
        },
        description="weights of the return reason codes (the workflow settings' codes)",
    )
    accept_delay: Delay = Delay(low=0.2, high=8.0)
    return_delay: Delay = Delay(low=1.0, high=20.0)  # within the 2-working-day window
    reply_share_of_deadline: Delay = Delay(low=0.1, high=1.15)  # above 1: the reply comes late
    extend_rate: Rate = _rate(0.04, "the lead unit extends the deadline once")
    resolved_when_right: Rate = _rate(0.9, "the follow-up finds it resolved, right unit")
    resolved_when_wrong: Rate = _rate(0.45, "resolved when a wrong unit ended up handling it")


class ReviewerBehaviour(Section):
    count: int = Field(default=2, ge=1, le=50)
    uphold_when_wrong: Rate = _rate(0.9, "the reviewer upholds the return of a wrong unit")
    uphold_when_right: Rate = _rate(0.15, "... and of the right unit")
    pick_right_on_redispatch: Rate = _rate(0.9, "an upheld return is re-dispatched to the right unit")
    review_delay: Delay = Delay(low=0.5, high=10.0)


class TrafficBehaviour(Section):
    day_start_hour: int = Field(default=7, ge=0, le=23, description="requests arrive between these hours")
    day_end_hour: int = Field(default=23, ge=1, le=24)
    channels: dict[str, float] = {"phone": 0.86, "web": 0.05, "app": 0.05, "wechat": 0.04}


class SimulationConfig(Section):
    model: ModelBehaviour = ModelBehaviour()
    operators: OperatorBehaviour = OperatorBehaviour()
    consultations: ConsultBehaviour = ConsultBehaviour()
    units: UnitBehaviour = UnitBehaviour()
    reviewers: ReviewerBehaviour = ReviewerBehaviour()
    traffic: TrafficBehaviour = TrafficBehaviour()


def load_simulation_config(path: Path | None) -> SimulationConfig:
    """The defaults, overridden by the JSON file at `path` (SettingsError naming the file on a problem)."""
    if path is None:
        return SimulationConfig()
    try:
        return SimulationConfig.model_validate_json(path.read_bytes())
    except (OSError, ValidationError) as exc:
        raise SettingsError(message(Messages.simulation_config, path=str(path), problem=str(exc))) from None
