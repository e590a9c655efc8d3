"""The OpenAPI schema documents a suggestion completely: every field of every model it is made of has a
type and a description, and the suggest and ticket endpoints declare it."""

from __future__ import annotations

from typing import Any

from jiesu.serving.app import create_app
from jiesu.serving.settings import ServingSettings

SUGGESTION_MODELS = {
    "Suggestion",
    "CategorySuggestion",
    "CategoryChoice",
    "RequestTypeSuggestion",
    "DispositionSuggestion",
    "TextSpan",
    "JurisdictionSuggestion",
    "PlaceCandidate",
    "RouteSuggestion",
    "UnitChoice",
    "DeadlineSuggestion",
    "ConsultSuggestion",
    "RiskSuggestion",
    "SuggestionVersions",
}


def _has_type(field: dict[str, Any]) -> bool:
    return any(key in field for key in ("type", "$ref", "anyOf", "allOf", "enum", "const"))


def test_every_field_of_a_suggestion_has_a_type_and_a_description() -> None:
    # Building the schema loads nothing: no lifespan, no model.
    schema = create_app(ServingSettings()).openapi()
    components = schema["components"]["schemas"]
    assert set(components) >= SUGGESTION_MODELS
    undocumented = [
        f"{model}.{name}"
        for model in sorted(SUGGESTION_MODELS)
        for name, field in components[model]["properties"].items()
        if not (_has_type(field) and field.get("description"))
    ]
    assert undocumented == []
    version_fields = set(components["SuggestionVersions"]["properties"])
    assert version_fields == {"model_id", "taxonomy", "catalogue", "disposition_rules", "gazetteer"}


def test_suggest_and_ticket_views_declare_the_typed_suggestion() -> None:
    schema = create_app(ServingSettings()).openapi()
    components = schema["components"]["schemas"]
    assert components["SuggestOne"]["properties"]["suggestion"]["$ref"].endswith("/Suggestion")
    assert components["SuggestMany"]["properties"]["suggestions"]["items"]["$ref"].endswith("/Suggestion")
    ticket_suggestion = components["TicketOut"]["properties"]["suggestion"]
    assert ticket_suggestion["$ref"].endswith("/Suggestion")
    assert components["TicketOut"]["properties"]["state"]["$ref"].endswith("/State")
