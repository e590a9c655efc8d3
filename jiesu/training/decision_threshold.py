"""The threshold of the dispatch decision (jiesu.model.decision), chosen on inner out-of-fold predictions:
the lowest decision confidence above which the disposition and the unit are both right at least the
target share of the time.

A row's decision is right when its predicted disposition is the gold one and, for a dispatch or an
answer, the unit is right: where the row names the unit that handled it (`UnitLabel`: the seed corpus),
the catalogue must send its predicted category, at the place resolved from its text as a suggestion
resolves it, to that very unit; elsewhere it must send the predicted category where it sends the gold
category (the same unit template). A row whose own category the catalogue routes to another unit than its
label, or whose place is misread, is therefore never right: the threshold promises what is measured.

The promise is about what goes without a person, so where `held` is given (`calibration.leave_out_held`,
off by default) a row that a suggestion sends to a person for another reason (a legal-channel conflict, a
risk, a second matter, a place outside Beijing …, read off the inner fold model's own suggestion) is left
out of the choice: its decision is never made alone, whatever its confidence. Off by default because the
lower threshold it gives did not keep the promise on the seed test split (0.942 right without a person,
target 0.97; jiesu.model.config)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from jiesu.data.catalogue import load_catalogue
from jiesu.data.workflow_settings import load_workflow_settings
from jiesu.model.decision import ON_THE_MATTER, decision_confidence, unit_mass
from jiesu.model.heads import decode_disposition
from jiesu.model.hierarchy import L2
from jiesu.model.jurisdiction import Jurisdiction, JurisdictionResolver, default_resolver
from jiesu.model.router import Router, labelled_unit
from jiesu.model.text import MAX_TEXT_CHARS, fold_characters
from jiesu.training.thresholds import choose_threshold, coverage_at

DISPOSITION = "disposition"


@dataclass(frozen=True)
class UnitLabel:
    """The unit that handled a row. The threshold reads the row's place from its text, as a suggestion
    does (not from the row's labelled place, which would leave place errors out of the promise)."""

    unit: str
    caller_district: str | None = None  # the caller's district, where the hotline knew it (a ticket's)


@dataclass(frozen=True)
class DecisionThreshold:
    threshold: float | None
    rows: int
    coverage: float
    accuracy: float | None
    # Each measured row's decision confidence: the reference the live distribution is compared with.
    confidence: npt.NDArray[np.float64] = field(
        default_factory=lambda: np.zeros(0), repr=False, compare=False
    )
    held: int = 0  # measured rows left out of the choice: a suggestion sends them to a person anyway

    def to_dict(self) -> dict[str, float | int | None]:
        return {
            "threshold": self.threshold,
            "rows": self.rows,
            "inner_coverage": self.coverage,
            "inner_accuracy": self.accuracy,
            "held_for_other_reasons": self.held,
        }


def choose_decision_threshold(
    texts: Sequence[str],
    y: Mapping[str, Sequence[str | None]],
    proba: Mapping[str, npt.NDArray[np.float32]],
    classes: Mapping[str, Sequence[str]],
    target: float,
    unit_labels: Sequence[UnitLabel | None] | None = None,
    held: Sequence[bool] | npt.NDArray[np.bool_] | None = None,
) -> DecisionThreshold:
    """None (never decided without a person) when the data has no second-level category and
    disposition to learn it from, or when no confident set reaches the target. `unit_labels`, one per
    text where given: the gold unit and place that a row's decision is checked against. `held`, one per
    text where given: the rows sent to a person for another reason, left out (module docstring)."""
    if L2 not in y or DISPOSITION not in y:
        return DecisionThreshold(None, 0, 0.0, None)
    if held is not None and len(held) != len(texts):
        raise ValueError(f"held has {len(held)} values for {len(texts)} texts")
    rows = np.array(
        [i for i, (c, d) in enumerate(zip(y[L2], y[DISPOSITION], strict=True)) if c and d], dtype=np.int64
    )
    if len(rows) == 0:
        return DecisionThreshold(None, 0, 0.0, None)
    router = Router(load_catalogue(), load_workflow_settings())
    resolver = default_resolver() if unit_labels is not None else None
    l2_classes = list(classes[L2])
    # The suggested l2, as served: the most probable under the (hierarchical) distribution.
    category = np.asarray(proba[L2][rows].argmax(axis=1), dtype=np.int64)
    disposition = proba[DISPOSITION][rows]
    confidence = np.zeros(len(rows))
    correct = np.zeros(len(rows), dtype=bool)
    for k, row in enumerate(rows.tolist()):
        predicted = classes[DISPOSITION][int(disposition[k].argmax())]
        label = decode_disposition(predicted).label
        on_the_matter = label in ON_THE_MATTER
        folded = fold_characters(texts[row])
        chosen = l2_classes[category[k]]
        gold = unit_labels[row] if unit_labels is not None else None
        # As served: the place resolved from the text (a place misread makes the decision wrong too).
        place = (
            _resolved(resolver, texts[row], gold.caller_district) if resolver is not None and gold else None
        )
        street = place.street if place is not None else None
        mass = (
            unit_mass(router, l2_classes, proba[L2][row], chosen, folded, street) if on_the_matter else None
        )
        confidence[k] = decision_confidence(float(disposition[k].max()), label, mass)
        gold_category = y[L2][row]
        if gold is not None and place is not None:
            same_unit = (
                labelled_unit(router, chosen, folded, place.region, place.district, place.street) == gold.unit
            )
        else:
            same_unit = (
                mass is not None
                and gold_category is not None
                and router.lead_unit_template(gold_category, folded, None) == mass.template
            )
        correct[k] = predicted == y[DISPOSITION][row] and (not on_the_matter or same_unit)
    # Every measured row's confidence is the reference for live traffic; the choice is over the rows that
    # may go without a person.
    alone = np.ones(len(rows), dtype=bool) if held is None else ~np.asarray(held, dtype=bool)[rows]
    threshold = choose_threshold(confidence[alone], correct[alone], target)
    coverage, accuracy = coverage_at(confidence[alone], correct[alone], threshold)
    # The coverage over every measured row: what share goes without a person.
    coverage *= float(alone.mean()) if len(rows) else 0.0
    return DecisionThreshold(threshold, len(rows), coverage, accuracy, confidence, int((~alone).sum()))


def _resolved(resolver: JurisdictionResolver, text: str, caller_district: str | None) -> Jurisdiction | None:
    try:
        return resolver.resolve(text[:MAX_TEXT_CHARS], caller_district)
    except ValueError:  # nothing to resolve, or an unknown caller district: judged by the unit template
        return None
