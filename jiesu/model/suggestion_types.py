"""The typed output of a suggestion: what `Suggester` returns, what `jiesu suggest` writes one per line,
what `POST /v1/suggest` answers and what a ticket stores. Every field is documented here once, and the
API's OpenAPI schema is generated from these models."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from jiesu.data.catalogue import DeadlineTier, UnitType
from jiesu.data.disposition_rules import ChannelId, Disposition, EmergencyNumber
from jiesu.model.consultation import ConsultReason
from jiesu.model.jurisdiction import Source as JurisdictionSource


class _Out(BaseModel):
    # Outputs are built by jiesu, never by a client: unknown fields are a bug, and they are immutable.
    model_config = ConfigDict(extra="forbid", frozen=True)


class CategoryChoice(_Out):
    l1: str = Field(description="first-level category (一级类别)")
    l2: str | None = Field(description="second-level category; null for a first-level-only model")
    confidence: float = Field(ge=0, le=1, description="calibrated probability")


class CategorySuggestion(_Out):
    l1: str | None = Field(description="first-level category; null when the model has no category head")
    l2: str | None = Field(description="second-level category (the label the catalogue routes on)")
    confidence: float = Field(ge=0, le=1, description="calibrated probability of the suggested category")
    top: list[CategoryChoice] = Field(description="the most probable categories, best first")


class RequestTypeSuggestion(_Out):
    label: str | None = Field(description="咨询/求助/投诉/举报/建议/表扬; null without a request-type head")
    confidence: float = Field(ge=0, le=1, description="calibrated probability")


class TextSpan(_Out):
    text: str = Field(description="the words in the request text")
    start: int = Field(ge=0, description="offset of the first character in the text")
    end: int = Field(ge=0, description="offset after the last character (exclusive)")


class DispositionSuggestion(_Out):
    label: Disposition = Field(description="what to do with the request (Regulation art. 11)")
    channel: ChannelId | None = Field(description="the legal channel, for legal_channel")
    emergency_number: EmergencyNumber | None = Field(description="where to transfer, for emergency")
    confidence: float = Field(ge=0, le=1, description="the disposition head's probability, or 1 on evidence")
    evidence: list[TextSpan] = Field(description="the words that show a legal channel or an emergency")
    notice: str | None = Field(description="what the operator reads out to the requester, if anything")


class PlaceCandidate(_Out):
    district: str = Field(description="a Beijing district the text may mean")
    street: str | None = Field(description="and the street office or township, when known")
    score: float = Field(description="the place's weight in the text (higher is likelier)")


class JurisdictionSuggestion(_Out):
    in_beijing: bool | None = Field(description="null when no place at all was found")
    region: str | None = Field(description="北京市, or the province-level region outside Beijing")
    district: str | None = Field(description="the Beijing district (区)")
    district_code: str | None = Field(description="jiesu's code, stable for a gazetteer version")
    street: str | None = Field(description="street office or township (街道/乡镇)")
    street_code: str | None = Field(description="jiesu's code of the street office or township")
    community: str | None = Field(description="community or village (社区/村)")
    confidence: float = Field(ge=0, le=1, description="how sure the place is")
    source: JurisdictionSource = Field(
        description="what the answer rests on: the text, the caller, or nothing"
    )
    evidence: list[TextSpan] = Field(description="the words that show the place")
    candidates: list[PlaceCandidate] = Field(description="best first; the answer first when there is one")


class UnitChoice(_Out):
    unit: str = Field(description="a unit the catalogue names")
    unit_type: UnitType = Field(
        description="its kind (street office, district government, city department …)"
    )


class RouteSuggestion(_Out):
    unit: str = Field(description="the responsible unit (承办单位) from the dispatch catalogue")
    unit_type: UnitType = Field(
        description="its kind (street office, district government, city department …)"
    )
    copy_to: list[str] = Field(description="units copied on the dispatch (e.g. the district government)")
    rule_id: str = Field(description="the catalogue rule that chose the unit")
    alternatives: list[UnitChoice] = Field(description="other units the catalogue allows for this request")


class DeadlineSuggestion(_Out):
    tier: DeadlineTier = Field(description="the deadline tier of the workflow settings")
    hours: int = Field(gt=0, description="handling time from dispatch (workflow settings)")
    evidence: list[TextSpan] = Field(
        default_factory=list,
        description="the words that show a danger to life or property there now (井盖丢了, 树快倒了), "
        "which give a dispatched request the emergency tier; empty where the catalogue's tier stands",
    )


DecisionName = Literal["decision", "unit", "disposition", "familiarity"]


class DecisionCheck(_Out):
    """One decision the consultation looked at, how sure it was, and what it had to reach."""

    decision: DecisionName = Field(
        description="decision: the unit and disposition together (what is compared with the threshold); "
        "unit: the mass of every category routed to the suggested unit; disposition: the disposition's "
        "confidence; familiarity: 1 − the share of the text unseen in training"
    )
    value: str | None = Field(
        description="what was decided (the unit, the disposition); null for familiarity"
    )
    confidence: float = Field(ge=0, le=1, description="how sure (a calibrated probability, or familiarity)")
    threshold: float | None = Field(
        description="what it must reach to go without a person; null when it is not compared on its own"
    )
    sure: bool = Field(description="reached its threshold (always true where no threshold applies)")


class ConsultSuggestion(_Out):
    required: bool = Field(description="a person must look before dispatch (会商, art. 12)")
    reasons: list[ConsultReason] = Field(description="why; empty when not required")
    checks: list[DecisionCheck] = Field(
        default_factory=list, description="which decisions were weighed and how sure each was"
    )


class RiskSuggestion(_Out):
    flag: bool = Field(description="threats, self-harm, mass incidents or a possible emergency")
    cues: list[str] = Field(
        description="the kinds of cue found (no request text); an emergency transfer names its number "
        "(emergency:119)"
    )


class SuggestionVersions(_Out):
    """What made the suggestion, so that it can be audited or re-scored later. Fields are null only on
    suggestions stored before they were recorded."""

    model_id: str = Field(description="the model directory's id (GET /v1/model)")
    taxonomy: str | None = Field(description="version of the category taxonomy")
    catalogue: str | None = Field(description="version of the dispatch catalogue that chose the unit")
    disposition_rules: str | None = Field(description="version of the disposition and risk rules")
    gazetteer: str | None = Field(description="version of the gazetteer (jionlp and the alias table)")


class Suggestion(_Out):
    """One suggestion. `from_stored` reads one back from a ticket, also in the shape stored before
    `versions` existed (migration 0002 rewrites those, but an older process may still write one)."""

    id: str | None = Field(description="the request's id, as given")
    category: CategorySuggestion = Field(description="what the request is about (two-level taxonomy)")
    request_type: RequestTypeSuggestion = Field(description="诉求类型")
    disposition: DispositionSuggestion = Field(description="what to do with it (art. 11)")
    jurisdiction: JurisdictionSuggestion = Field(description="where it is (属地)")
    route: RouteSuggestion | None = Field(description="only for a dispatch with a catalogue rule")
    deadline: DeadlineSuggestion | None = Field(description="for a routed dispatch or an emergency")
    consult: ConsultSuggestion = Field(description="whether a person must look first, and why")
    risk: RiskSuggestion = Field(description="signs of danger to people")
    versions: SuggestionVersions = Field(description="the model and reference data that made it")

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> Suggestion:
        if "versions" in stored:
            return cls.model_validate(stored)
        upgraded = {
            key: value for key, value in stored.items() if key not in ("model_id", "catalogue_version")
        }
        upgraded["versions"] = {
            "model_id": str(stored.get("model_id", "")),
            "taxonomy": None,
            "catalogue": stored.get("catalogue_version"),
            "disposition_rules": None,
            "gazetteer": None,
        }
        return cls.model_validate(upgraded)
