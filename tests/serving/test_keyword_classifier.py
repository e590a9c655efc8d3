"""The serving tests' keyword classifier gives, through the real Suggester, what those tests rely on."""

from __future__ import annotations

from jiesu.model.classifier import RequestClassifier
from jiesu.model.suggestion import SuggestionRequest
from jiesu.serving.suggestions import SuggestService
from tests.keyword_classifier import MODEL_ID, THRESHOLD
from tests.serving.conftest import HEATING_TEXT, HEATING_UNIT


def test_the_texts_of_the_serving_tests_come_out_as_on_the_seed_model(suggestions: SuggestService) -> None:
    heating, fire, fumes, question = suggestions.suggester.suggest_many(
        [
            SuggestionRequest(HEATING_TEXT),
            SuggestionRequest("家里着火了快来人", caller_district="朝阳"),
            SuggestionRequest("海淀区八里庄街道饭馆油烟扰民"),
            SuggestionRequest("暖气不热了怎么办"),
        ]
    )
    assert heating.route is not None
    assert heating.deadline is not None
    assert (heating.category.l2, heating.route.unit, heating.deadline.tier) == (
        "供暖",
        HEATING_UNIT,
        "utility",
    )
    assert not heating.consult.required
    assert heating.versions.model_id == MODEL_ID
    assert (fire.disposition.label, fire.disposition.emergency_number) == ("emergency", "119")
    assert fire.risk.flag
    assert fumes.category.l2 == "餐饮油烟"
    assert fumes.route is not None
    assert fumes.route.unit == "海淀区城市管理综合行政执法局"
    assert question.disposition.label == "answer_now"
    assert question.route is None


def test_a_text_no_rule_matches_is_a_low_confidence_dispatch_to_consult(suggestions: SuggestService) -> None:
    suggestion = suggestions.suggester.suggest(SuggestionRequest("另一件事", caller_district="朝阳"))
    assert suggestion.disposition.label == "dispatch"
    assert suggestion.category.confidence < THRESHOLD
    assert suggestion.consult.required
    # Unsure, but no runner-up sent elsewhere: ambiguous_category needs two units to choose between.
    assert "low_confidence" in suggestion.consult.reasons


def test_it_describes_itself_like_a_loaded_model(keyword_model: RequestClassifier) -> None:
    metadata = keyword_model.metadata()
    assert metadata["model_id"] == MODEL_ID
    assert set(metadata["heads"]) == {"category", "request_type", "disposition"}
    assert all(head["threshold"] == THRESHOLD for head in metadata["heads"].values())
