"""One dispatch suggestion per request: category, request type, disposition with its evidence,
jurisdiction, route and deadline, and whether a person must look first (the fixed output schema of
`jiesu suggest` and `POST /v1/suggest`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jiesu.data.catalogue import Catalogue, load_catalogue
from jiesu.data.disposition_rules import load_disposition_rules
from jiesu.data.taxonomy import Taxonomy, load_taxonomy
from jiesu.data.workflow_settings import WorkflowSettings, load_workflow_settings
from jiesu.model.classifier import HeadPrediction, Prediction, RequestClassifier
from jiesu.model.consultation import ConsultationInput, ConsultationPolicy
from jiesu.model.decision import NEVER_HELD, ON_THE_MATTER, UnitMass, decision_confidence, unit_mass
from jiesu.model.disposition import DispositionDecision, DispositionResolver, Evidence
from jiesu.model.jurisdiction import Jurisdiction, JurisdictionResolver, Span, default_resolver
from jiesu.model.matters import Part, classify_parts, parts_go_elsewhere, split_parts
from jiesu.model.router import Route, Router, RoutingResult
from jiesu.model.suggestion_types import (
    CategoryChoice,
    CategorySuggestion,
    ConsultSuggestion,
    DeadlineSuggestion,
    DecisionCheck,
    DispositionSuggestion,
    JurisdictionSuggestion,
    PlaceCandidate,
    RequestTypeSuggestion,
    RiskSuggestion,
    RouteSuggestion,
    Suggestion,
    SuggestionVersions,
    TextSpan,
)
from jiesu.model.text import MAX_TEXT_CHARS, check_text, fold_characters

SECOND_CATEGORY_FLOOR = 0.1


@dataclass(frozen=True)
class SuggestionRequest:
    """One request to suggest for. Its text is checked here, once: a request that exists is valid."""

    text: str
    id: str | None = None
    caller_district: str | None = None

    def __post_init__(self) -> None:
        check_text(self.text)


class Suggester:
    def __init__(
        self,
        classifier: RequestClassifier,
        resolver: JurisdictionResolver,
        disposition: DispositionResolver,
        router: Router,
        catalogue: Catalogue,
        settings: WorkflowSettings,
        policy: ConsultationPolicy | None = None,
        taxonomy: Taxonomy | None = None,
    ) -> None:
        self.classifier = classifier
        self.taxonomy = taxonomy or load_taxonomy()
        self.resolver = resolver
        self.disposition = disposition
        self.router = router
        self.catalogue = catalogue
        self.settings = settings
        self.policy = policy or ConsultationPolicy(margin=classifier.margin_)
        # What every suggestion names as having made it.
        self.versions = SuggestionVersions(
            model_id=classifier.model_id_,
            taxonomy=self.taxonomy.version,
            catalogue=catalogue.version,
            disposition_rules=disposition.rules.version,
            gazetteer=resolver.gazetteer_version,
        )

    @classmethod
    def with_reference_data(cls, classifier: RequestClassifier) -> Suggester:
        """A suggester over the shipped gazetteer, catalogue, disposition rules and workflow settings."""
        catalogue, settings = load_catalogue(), load_workflow_settings()
        return cls(
            classifier,
            default_resolver(classifier.jieba_dictionary_),  # the model's copy; built once per content
            DispositionResolver(load_disposition_rules()),
            Router(catalogue, settings),
            catalogue,
            settings,
        )

    def suggest(self, request: SuggestionRequest) -> Suggestion:
        return self.suggest_many([request])[0]

    def suggest_many(self, requests: Sequence[SuggestionRequest]) -> list[Suggestion]:
        originals = [request.text[:MAX_TEXT_CHARS] for request in requests]  # what the classifier sees
        predictions = self.classifier.predict([request.text for request in requests])
        folded = [fold_characters(text) for text in originals]
        marker = self.policy.second_matter
        # Only a dispatch can be multi-issue (the policy): other texts' parts are not classified.
        parts = classify_parts(
            self.classifier,
            [
                split_parts(text, marker) if _may_dispatch(prediction) else []
                for text, prediction in zip(folded, predictions, strict=True)
            ],
        )
        # Each analysis over the whole batch before the next: its automata and tables stay in the CPU's
        # caches (text by text, each evicted the others': the place-name scan took twice as long).
        places = [
            self.resolver.resolve(original, request.caller_district)
            for original, request in zip(originals, requests, strict=True)
        ]
        decisions = [
            self.disposition.decide(
                text, original, prediction.heads.get("disposition"), prediction.legal_reading
            )
            for text, original, prediction in zip(folded, originals, predictions, strict=True)
        ]
        masses = [
            self._mass(prediction, decision, text, place)
            for prediction, decision, text, place in zip(predictions, decisions, folded, places, strict=True)
        ]
        risks = [self.disposition.risk_cues(text) for text in folded]
        analysed = zip(requests, predictions, folded, parts, places, decisions, masses, risks, strict=True)
        return [self._one(*one) for one in analysed]

    def _one(
        self,
        request: SuggestionRequest,
        prediction: Prediction,
        folded: str,
        parts: list[Part],
        jurisdiction: Jurisdiction,
        decision: DispositionDecision,
        mass: UnitMass | None,
        risk_cues: list[str],
    ) -> Suggestion:
        l2 = prediction.category_l2
        routing = RoutingResult(None)
        if decision.label == "dispatch":
            routing = self._route(l2, folded, jurisdiction, prediction)
        risk_cues += [f"possible_emergency:{word}" for word in decision.possible_emergencies]
        confidence, threshold, checks = self._checks(prediction, decision, routing, mass)
        reasons = self.policy.reasons(
            self._facts(
                prediction,
                decision,
                jurisdiction,
                routing,
                folded,
                bool(risk_cues),
                (confidence, threshold),
                parts,
            )
        )
        return Suggestion(
            id=request.id,
            category=self._category(prediction),
            request_type=_request_type(prediction.heads.get("request_type")),
            disposition=_disposition(decision),
            jurisdiction=_jurisdiction(jurisdiction),
            route=_route(routing.route) if routing.route else None,
            deadline=self._deadline(decision, routing),
            consult=ConsultSuggestion(required=bool(reasons), reasons=reasons, checks=checks),
            risk=_risk(risk_cues, decision),
            versions=self.versions,
        )

    def _route(
        self, l2: str | None, folded: str, jurisdiction: Jurisdiction, prediction: Prediction
    ) -> RoutingResult:
        request_type = prediction.heads.get("request_type")  # a suggestion (建议) needs no place
        return self.router.route(
            l2,
            folded,
            jurisdiction.district,
            jurisdiction.street,
            jurisdiction.region,
            jurisdiction.in_beijing,
            request_type.label if request_type else None,
        )

    def _deadline(self, decision: DispositionDecision, routing: RoutingResult) -> DeadlineSuggestion | None:
        if decision.label == "emergency":
            return DeadlineSuggestion(tier="emergency", hours=self.settings.hours_for("emergency"))
        if routing.route is None:
            return None
        # A danger there now: a risk to life or property, handled within the emergency tier (art. 13).
        if decision.hazards and decision.label == "dispatch":
            hours = self.settings.hours_for("emergency")
            return DeadlineSuggestion(tier="emergency", hours=hours, evidence=_spans(decision.hazards))
        return DeadlineSuggestion(tier=routing.route.deadline_tier, hours=routing.route.deadline_hours)

    def _category(self, prediction: Prediction) -> CategorySuggestion:
        taxonomy = self.taxonomy
        if "category" in prediction.heads:
            head = prediction.heads["category"]
            top = [CategoryChoice(l1=taxonomy.l1_of(l2), l2=l2, confidence=round(p, 4)) for l2, p in head.top]
            return CategorySuggestion(
                l1=taxonomy.l1_of(head.label), l2=head.label, confidence=round(head.confidence, 4), top=top
            )
        if "category_l1" in prediction.heads:
            head = prediction.heads["category_l1"]
            top = [CategoryChoice(l1=l1, l2=None, confidence=round(p, 4)) for l1, p in head.top]
            return CategorySuggestion(l1=head.label, l2=None, confidence=round(head.confidence, 4), top=top)
        return CategorySuggestion(l1=None, l2=None, confidence=0.0, top=[])

    def _mass(
        self, prediction: Prediction, decision: DispositionDecision, folded: str, jurisdiction: Jurisdiction
    ) -> UnitMass | None:
        """The unit's mass (jiesu.model.decision) where the decision is on the matter; else None."""
        head = prediction.heads.get("category")
        if decision.label not in ON_THE_MATTER or head is None or head.distribution is None:
            return None
        classes = self.classifier.classes_["category"]
        return unit_mass(self.router, classes, head.distribution, head.label, folded, jurisdiction.street)

    def _checks(
        self,
        prediction: Prediction,
        decision: DispositionDecision,
        routing: RoutingResult,
        mass: UnitMass | None,
    ) -> tuple[float | None, float | None, list[DecisionCheck]]:
        """How sure the dispatch decision is (`mass`: jiesu.model.decision), its threshold, and the checks
        shown to the operator. A model without a decision threshold (no second level or no disposition in
        its training data: `decision_measured_` false) is judged on its category head as before."""
        named = decision.channel or decision.emergency_number
        shown = f"{decision.label}:{named}" if named else decision.label
        disposition = DecisionCheck(
            decision="disposition",
            value=shown,
            confidence=_unit_interval(decision.confidence),
            threshold=None,
            sure=True,
        )
        checks = [disposition]
        on_the_matter = decision.label in ON_THE_MATTER
        head = prediction.heads.get("category")
        if mass is not None:
            unit = routing.route.unit if routing.route else mass.template
            checks.append(
                DecisionCheck(
                    decision="unit",
                    value=unit,
                    confidence=_unit_interval(mass.mass),
                    threshold=None,
                    sure=True,
                )
            )
        threshold = self.classifier.decision_threshold_
        confidence: float | None
        if self.classifier.decision_measured_ and (mass is not None or not on_the_matter):
            # A measured threshold of None: no confident set reached the target, so none goes alone.
            confidence = decision_confidence(decision.confidence, decision.label, mass)
        else:
            fallback = head or prediction.heads.get("category_l1")
            confidence = fallback.confidence if fallback else None
            threshold = fallback.threshold if fallback else None
        if confidence is not None:
            applies = decision.label not in NEVER_HELD
            checks.insert(
                0,
                DecisionCheck(
                    decision="decision",
                    value=routing.route.unit if routing.route else shown,
                    confidence=_unit_interval(confidence),
                    threshold=threshold if applies else None,
                    sure=not applies or (threshold is not None and confidence >= threshold),
                ),
            )
        if prediction.unfamiliarity is not None and prediction.unfamiliar_threshold is not None:
            checks.append(
                DecisionCheck(
                    decision="familiarity",
                    value=None,
                    confidence=_unit_interval(1 - prediction.unfamiliarity),
                    threshold=_unit_interval(1 - prediction.unfamiliar_threshold),
                    sure=not prediction.unfamiliar,
                )
            )
        return confidence, threshold, checks

    def _facts(
        self,
        prediction: Prediction,
        decision: DispositionDecision,
        jurisdiction: Jurisdiction,
        routing: RoutingResult,
        folded: str,
        risk: bool,
        sureness: tuple[float | None, float | None],
        parts: list[Part],
    ) -> ConsultationInput:
        """The facts the consultation policy weighs. `sureness`: the decision's confidence and
        threshold; `parts`: the separately classified parts of a text with second-matter words."""
        head = prediction.heads.get("category") or prediction.heads.get("category_l1")
        second_elsewhere = False
        second_confidence = None
        if head is not None and len(head.top) > 1:
            second_l2, second_confidence = head.top[1]
            if (
                decision.label == "dispatch"
                and "category" in prediction.heads
                and second_confidence >= SECOND_CATEGORY_FLOOR
            ):
                other = self._route(second_l2, folded, jurisdiction, prediction).route
                if other is not None and routing.route is not None:
                    second_elsewhere = other.unit != routing.route.unit
                else:
                    # Without a place there are no unit names to compare: compare whose duty each is.
                    street = jurisdiction.street
                    first = self.router.lead_unit_template(prediction.category_l2, folded, street)
                    second = self.router.lead_unit_template(second_l2, folded, street)
                    second_elsewhere = second is not None and second != first
        parts_elsewhere = (
            decision.label == "dispatch"
            and bool(parts)
            and parts_go_elsewhere(self.router, parts, folded, jurisdiction.street) is not None
        )
        decision_confidence, decision_threshold = sureness
        return ConsultationInput(
            disposition=decision.label,
            decision_confidence=decision_confidence,
            decision_threshold=decision_threshold,
            category_margin=head.margin if head else None,
            second_category_confidence=second_confidence,
            second_category_routes_elsewhere=second_elsewhere,
            jurisdiction_ambiguous=jurisdiction.ambiguous,
            in_beijing=jurisdiction.in_beijing,
            has_district=jurisdiction.district is not None,
            routing_problems=routing.problems,
            disposition_conflict=decision.conflict,
            risk=risk,
            folded_text=folded,
            unfamiliar=prediction.unfamiliar,
            parts_go_elsewhere=parts_elsewhere,
        )


def _may_dispatch(prediction: Prediction) -> bool:
    head = prediction.heads.get("disposition")
    return head is None or head.label == "dispatch"


def _unit_interval(value: float) -> float:
    return round(min(max(value, 0.0), 1.0), 4)


def _request_type(head: HeadPrediction | None) -> RequestTypeSuggestion:
    if head is None:
        return RequestTypeSuggestion(label=None, confidence=0.0)
    return RequestTypeSuggestion(label=head.label, confidence=round(head.confidence, 4))


def _spans(spans: Sequence[Span | Evidence]) -> list[TextSpan]:
    return [TextSpan(text=span.text, start=span.start, end=span.end) for span in spans]


def _disposition(decision: DispositionDecision) -> DispositionSuggestion:
    return DispositionSuggestion.model_validate(
        {
            "label": decision.label,
            "channel": decision.channel,
            "emergency_number": decision.emergency_number,
            "confidence": round(decision.confidence, 4),
            "evidence": _spans(decision.evidence),
            "notice": decision.notice,
        }
    )


def _jurisdiction(place: Jurisdiction) -> JurisdictionSuggestion:
    return JurisdictionSuggestion(
        in_beijing=place.in_beijing,
        region=place.region,
        district=place.district,
        district_code=place.district_code,
        street=place.street,
        street_code=place.street_code,
        community=place.community,
        confidence=place.confidence,
        source=place.source,
        evidence=_spans(place.evidence),
        candidates=[
            PlaceCandidate(district=c.district, street=c.street, score=c.score) for c in place.candidates
        ],
    )


def _route(route: Route) -> RouteSuggestion:
    return RouteSuggestion.model_validate(
        {
            "unit": route.unit,
            "unit_type": route.unit_type,
            "copy_to": list(route.copy_to),
            "rule_id": route.rule_id,
            "alternatives": [{"unit": unit, "unit_type": kind} for unit, kind in route.alternatives],
        }
    )


def _risk(risk_cues: list[str], decision: DispositionDecision) -> RiskSuggestion:
    """An emergency transfer is a risk whatever cue words there are: its kind names the number
    (emergency:119), so that a flag never comes with nothing to say why."""
    kinds = set(risk_cues)
    if decision.label == "emergency":
        kinds.add(f"emergency:{decision.emergency_number}" if decision.emergency_number else "emergency")
    return RiskSuggestion(flag=bool(kinds), cues=sorted(kinds))
