"""The decision threshold counts a decision right only where the unit the suggestion would name is the
unit the row names (at the place resolved from its text), and falls back to the unit template where a row names none."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from jiesu.training.datasets import SEED, load_training_data
from jiesu.training.decision_threshold import UnitLabel, choose_decision_threshold

CATEGORIES = ["学校管理", "工业废气污染"]  # {district}教育委员会, {district}生态环境局: one rule each
DISPOSITIONS = ["answer_now", "dispatch"]


def _inputs(
    n: int, predicted: int, district: str = "朝阳区"
) -> tuple[list[str], dict[str, list[str | None]], dict[str, npt.NDArray[np.float32]], dict[str, list[str]]]:
    """n rows, all gold 学校管理 + dispatch, their texts naming `district`; the model predicts
    CATEGORIES[predicted], dispatch, with confidences spread over (0.9, 1)."""
    texts = [f"{district}学校门口的问题第{i}次反映" for i in range(n)]
    y: dict[str, list[str | None]] = {"category": [CATEGORIES[0]] * n, "disposition": ["dispatch"] * n}
    sure = np.linspace(0.9, 0.999, n, dtype=np.float32)
    category = np.zeros((n, 2), dtype=np.float32)
    category[:, predicted], category[:, 1 - predicted] = sure, 1 - sure
    disposition = np.tile(np.array([[0.0, 1.0]], dtype=np.float32), (n, 1))
    proba = {"category": category, "disposition": disposition}
    return texts, y, proba, {"category": CATEGORIES, "disposition": DISPOSITIONS}


def test_without_unit_labels_the_template_decides() -> None:
    texts, y, proba, classes = _inputs(20, predicted=0)
    decision = choose_decision_threshold(texts, y, proba, classes, 0.97)
    assert decision.rows == 20
    assert decision.coverage == 1.0
    assert decision.accuracy == 1.0


def test_a_unit_label_the_catalogue_does_not_give_makes_the_decision_wrong() -> None:
    texts, y, proba, classes = _inputs(20, predicted=0)
    right = UnitLabel("朝阳区教育委员会")
    other = UnitLabel("朝阳区体育局")  # the catalogue sends 学校管理 elsewhere
    # The most confident half names a unit the category does not route to: nothing reaches 97%
    # above the less confident half, which is right.
    labels = [right] * 10 + [other] * 10
    decision = choose_decision_threshold(texts, y, proba, classes, 0.97, labels)
    assert decision.threshold is None
    assert decision.coverage == 0.0
    # Right unit everywhere: everything goes alone, as with the template.
    assert choose_decision_threshold(texts, y, proba, classes, 0.97, [right] * 20).coverage == 1.0


def test_the_unit_is_instantiated_at_the_rows_own_place() -> None:
    texts, y, proba, classes = _inputs(20, predicted=0)
    # Same template, another district: the row's unit is not the one named for its place.
    elsewhere = UnitLabel("海淀区教育委员会")
    assert choose_decision_threshold(texts, y, proba, classes, 0.97, [elsewhere] * 20).threshold is None
    # No unit label on a row: the template comparison again (a row may also lack one in the corpus).
    labels: list[UnitLabel | None] = [None] * 20
    assert choose_decision_threshold(texts, y, proba, classes, 0.97, labels).coverage == 1.0


def test_a_wrong_category_with_another_unit_is_wrong_either_way() -> None:
    texts, y, proba, classes = _inputs(20, predicted=1)
    right = UnitLabel("朝阳区教育委员会")
    assert choose_decision_threshold(texts, y, proba, classes, 0.97).threshold is None
    assert choose_decision_threshold(texts, y, proba, classes, 0.97, [right] * 20).threshold is None


@pytest.mark.slow
def test_the_seed_corpus_carries_unit_labels_for_its_dispatched_rows() -> None:
    data = load_training_data(SEED)
    assert data.unit_labels is not None
    assert len(data.unit_labels) == len(data.texts)
    dataset = data.dataset
    for label, unit in zip(data.unit_labels, dataset["unit"], strict=True):
        assert (label is None) == (not unit)
        if label is not None:
            assert label.unit == unit


def test_a_place_misread_from_the_text_makes_the_decision_wrong() -> None:
    # The rows' labels say 朝阳区; their texts name 海淀区, so a suggestion would name 海淀区's bureau.
    texts, y, proba, classes = _inputs(20, predicted=0, district="海淀区")
    labels = [UnitLabel("朝阳区教育委员会")] * 20
    assert choose_decision_threshold(texts, y, proba, classes, 0.97, labels).threshold is None
    right = [UnitLabel("海淀区教育委员会")] * 20
    assert choose_decision_threshold(texts, y, proba, classes, 0.97, right).coverage == 1.0


def test_the_caller_s_district_places_a_text_that_names_none() -> None:
    texts, y, proba, classes = _inputs(20, predicted=0, district="")
    unknown = [UnitLabel("朝阳区教育委员会")] * 20
    assert choose_decision_threshold(texts, y, proba, classes, 0.97, unknown).threshold is None
    called = [UnitLabel("朝阳区教育委员会", "朝阳区")] * 20
    assert choose_decision_threshold(texts, y, proba, classes, 0.97, called).coverage == 1.0


def test_rows_held_for_another_reason_are_left_out_of_the_choice() -> None:
    texts, y, proba, classes = _inputs(20, predicted=0)
    right, other = UnitLabel("朝阳区教育委员会"), UnitLabel("朝阳区体育局")
    # The most confident half is wrong: counted, nothing reaches 97%.
    labels = [right] * 10 + [other] * 10
    assert choose_decision_threshold(texts, y, proba, classes, 0.97, labels).threshold is None
    # A suggestion sends that half to a person anyway (a risk, a legal-channel conflict …): the threshold
    # is chosen on the half that may go alone, and the coverage is over every measured row.
    held = [False] * 10 + [True] * 10
    decision = choose_decision_threshold(texts, y, proba, classes, 0.97, labels, held)
    assert decision.threshold is not None
    assert decision.threshold <= float(proba["category"][0, 0]) + 1e-6
    assert (decision.coverage, decision.accuracy, decision.rows, decision.held) == (0.5, 1.0, 20, 10)
    # Every measured row's confidence is still the reference for live traffic.
    assert len(decision.confidence) == 20
    assert decision.to_dict()["held_for_other_reasons"] == 10
    with pytest.raises(ValueError, match="held has 3 values for 20 texts"):
        choose_decision_threshold(texts, y, proba, classes, 0.97, labels, [False] * 3)
