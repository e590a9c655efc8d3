"""The rows a suggestion would send to a person for a reason other than low confidence, read off each
fold model's own suggestion (jiesu.training.held)."""

from __future__ import annotations

import numpy as np

from jiesu.training.held import held_for_other_reasons
from tests.keyword_classifier import keyword_classifier

TEXTS = [
    "朝阳区望京西园三区暖气不热",  # an ordinary dispatch: only the threshold can hold it
    "我家在燕郊，小区暖气不热",  # outside Beijing
    "朝阳区望京西园三区暖气不热，老板再不管，我就跟他同归于尽",  # a threat: risk
    "海淀区中关村楼下饭馆油烟太大",  # another ordinary dispatch, in the second fold
]


def test_reasons_other_than_low_confidence_hold_a_row() -> None:
    folds = [(np.array([2, 3]), np.array([0, 1])), (np.array([0, 1]), np.array([2, 3]))]
    models = [keyword_classifier(), keyword_classifier()]
    held = held_for_other_reasons(models, folds, TEXTS, {"category": 1.0}, None)
    # The keyword model has no decision threshold, so every suggestion is low-confidence too: that
    # reason is not read, or every row would be held.
    assert held.tolist() == [False, True, True, False]


def test_a_row_with_no_request_in_it_is_held_not_a_crash() -> None:
    texts = [*TEXTS, "12345", "😀😀"]  # the corpus loader takes them; a suggestion refuses them
    folds = [(np.array([0, 1, 2]), np.array([3, 4, 5]))]
    held = held_for_other_reasons([keyword_classifier()], folds, texts, {"category": 1.0}, None)
    assert held[3:].tolist() == [False, True, True]


def test_the_calibration_is_set_on_every_fold_model() -> None:
    folds = [(np.array([1, 2, 3]), np.array([0]))]
    model = keyword_classifier()
    held_for_other_reasons([model], folds, TEXTS, {"category": 2.0, "disposition": 1.5}, 0.4)
    assert model.temperatures_ == {"category": 2.0, "request_type": 1.0, "disposition": 1.5}
    assert model.unfamiliar_threshold_ == 0.4
