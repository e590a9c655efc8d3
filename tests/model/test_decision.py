"""The dispatch decision's confidence: the mass of every category that the catalogue routes to the
suggested unit, times the disposition's confidence."""

import numpy as np
import pytest

from jiesu.data.catalogue import load_catalogue
from jiesu.data.taxonomy import load_taxonomy
from jiesu.data.workflow_settings import load_workflow_settings
from jiesu.model.consultation import ConsultationInput, ConsultationPolicy
from jiesu.model.decision import decision_confidence, unit_mass
from jiesu.model.router import Router


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(load_catalogue(), load_workflow_settings())


def _same_and_other(router: Router) -> tuple[str, str, str]:
    """Two categories with the same unit template (without keywords or a street) and one with another."""
    by_template: dict[str, list[str]] = {}
    for category in load_taxonomy():
        template = router.lead_unit_template(category.l2, "", None)
        if template:
            by_template.setdefault(template, []).append(category.l2)
    shared = next(names for names in by_template.values() if len(names) >= 2)
    other = next(names[0] for template, names in by_template.items() if shared[0] not in names)
    return shared[0], shared[1], other


def test_categories_routed_alike_add_up(router: Router) -> None:
    first, second, other = _same_and_other(router)
    classes = [first, second, other]
    distribution = np.array([0.45, 0.35, 0.2], dtype=np.float32)
    mass = unit_mass(router, classes, distribution, first, "", None)
    assert mass.template == router.lead_unit_template(first, "", None)
    assert mass.mass == pytest.approx(0.8)
    assert unit_mass(router, classes, distribution, other, "", None).mass == pytest.approx(0.2)


def test_the_decision_counts_the_unit_for_a_dispatch_or_an_answer(router: Router) -> None:
    first, _, other = _same_and_other(router)
    mass = unit_mass(router, [first, other], np.array([0.5, 0.5], dtype=np.float32), first, "", None)
    assert decision_confidence(0.9, "dispatch", mass) == pytest.approx(0.45)
    assert decision_confidence(0.9, "answer_now", mass) == pytest.approx(0.45)  # the answer is on the matter
    assert decision_confidence(0.9, "legal_channel", mass) == pytest.approx(0.9)


def _facts(**changes: object) -> ConsultationInput:
    base: dict[str, object] = {
        "disposition": "dispatch",
        "decision_confidence": 0.99,
        "decision_threshold": 0.9,
        "category_margin": 0.05,
        "second_category_confidence": 0.05,
        "second_category_routes_elsewhere": False,
        "jurisdiction_ambiguous": False,
        "in_beijing": True,
        "has_district": True,
        "routing_problems": [],
        "disposition_conflict": False,
        "risk": False,
        "folded_text": "暖气不热",
    }
    return ConsultationInput(**(base | changes))  # type: ignore[arg-type]


def test_close_categories_that_go_to_the_same_unit_need_no_person() -> None:
    policy = ConsultationPolicy()
    assert policy.reasons(_facts()) == []
    assert policy.reasons(_facts(second_category_routes_elsewhere=True)) == ["ambiguous_category"]
    assert policy.reasons(_facts(decision_confidence=0.5)) == ["low_confidence"]
    assert policy.reasons(_facts(decision_threshold=None)) == ["low_confidence"]


def test_unfamiliar_text_is_a_reason_whatever_the_disposition() -> None:
    policy = ConsultationPolicy()
    assert policy.reasons(_facts(unfamiliar=True)) == ["unfamiliar_text"]
    assert policy.reasons(_facts(unfamiliar=True, disposition="answer_now")) == ["unfamiliar_text"]


def test_only_an_emergency_transfer_is_never_held_back() -> None:
    policy = ConsultationPolicy()
    unsure = {"decision_confidence": 0.5}
    assert policy.reasons(_facts(disposition="answer_now", **unsure)) == ["low_confidence"]
    assert policy.reasons(_facts(disposition="legal_channel", **unsure)) == ["low_confidence"]
    assert policy.reasons(_facts(disposition="emergency", **unsure)) == []
