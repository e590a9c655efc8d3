"""How sure the dispatch decision is: the unit and the disposition, not the second-level label.

An operator acts on the unit and the disposition. Two second-level categories that the catalogue sends to
the same unit are the same decision, so the probability that the suggested unit is right is the mass of
every category whose catalogue rule names that unit (its template, `{district}生态环境局`: the place is
decided separately). The decision's confidence is that mass times the disposition's confidence; the
threshold it is compared with is chosen on inner folds for a target accuracy of the decision
(`jiesu.training.pipeline`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from jiesu.model.router import Router

# Categories below this probability, or beyond the most probable MAX_CATEGORIES, cannot change a unit's
# mass by a visible amount; skipping them keeps the catalogue lookups to a handful per request.
MASS_FLOOR = 2e-3
MAX_CATEGORIES = 24


@dataclass(frozen=True)
class UnitMass:
    template: str | None  # the chosen category's unit template (None: no catalogue rule)
    mass: float  # probability that the unit is right


def unit_mass(
    router: Router,
    classes: Sequence[str],
    distribution: npt.NDArray[np.float32],
    chosen: str,
    folded_text: str,
    street: str | None,
) -> UnitMass:
    """The mass of every second-level category routed like `chosen` (module docstring)."""
    likely = np.flatnonzero(distribution >= MASS_FLOOR)
    if len(likely) > MAX_CATEGORIES:
        likely = likely[np.argsort(-distribution[likely], kind="stable")[:MAX_CATEGORIES]]
    columns = [c for c in likely.tolist() if classes[c] != chosen]
    templates = router.lead_unit_templates([chosen, *(classes[c] for c in columns)], folded_text, street)
    template = templates[0]
    own = float(distribution[classes.index(chosen)]) if chosen in classes else 0.0
    if template is None:
        return UnitMass(None, own)
    mass = own + sum(
        float(distribution[c]) for c, t in zip(columns, templates[1:], strict=True) if t == template
    )
    return UnitMass(template, min(mass, 1.0))


# Dispositions whose outcome depends on what the request is about: the unit it goes to, or the answer
# the hotline gives from its knowledge base (whose topics follow the catalogue's units).
ON_THE_MATTER = ("dispatch", "answer_now")
# Never held back for a person: a transfer to 110/119/120/122 cannot wait for a consultation.
NEVER_HELD = ("emergency",)


def decision_confidence(disposition_confidence: float, disposition: str, unit: UnitMass | None) -> float:
    """Probability that the disposition, and for a dispatch or an answer the unit, are right."""
    if disposition not in ON_THE_MATTER or unit is None:
        return disposition_confidence
    return disposition_confidence * unit.mass
