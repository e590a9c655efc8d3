"""A request that raises several matters (另外…, 二是…): each part opened by a second-matter word is
classified on its own. On the whole text one matter's words drown the other's (the model's probabilities
are sharp), so the runner-up category alone misses most two-matter requests; parts that go to
different units make the request multi-issue (a consultation, Regulation art. 12)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from jiesu.model.classifier import RequestClassifier
from jiesu.model.router import Router

MIN_PART_CHARS = 6  # shorter parts ("另外，谢谢") name no matter
MAX_PARTS = 4
# A part counts as a matter of its own when the model names its category at least this surely.
PART_FLOOR = 0.35
_EDGES = re.compile(r"^[\s，,。；;：:、！!？?…]+|[\s，,。；;：:、！!？?…]+$")


@dataclass(frozen=True)
class Part:
    category: str
    confidence: float


def split_parts(folded_text: str, marker: re.Pattern[str]) -> list[str]:
    """The parts of a text cut at its second-matter words; none unless there are at least two."""
    cuts = [m.start() for m in marker.finditer(folded_text)]
    if not cuts:
        return []
    bounds = [0, *cuts, len(folded_text)]
    parts = [_EDGES.sub("", folded_text[a:b]) for a, b in pairwise(bounds)]
    parts = [part for part in parts if len(part) >= MIN_PART_CHARS][:MAX_PARTS]
    return parts if len(parts) >= 2 else []


def classify_parts(classifier: RequestClassifier, parts_per_text: Sequence[list[str]]) -> list[list[Part]]:
    """Every part of every text in one batch (most texts have none)."""
    flat = [part for parts in parts_per_text for part in parts]
    if not flat or "category" not in classifier.heads_:
        return [[] for _ in parts_per_text]
    best = iter(classifier.best_labels(flat, "category"))
    return [[Part(*next(best)) for _ in parts] for parts in parts_per_text]


def parts_go_elsewhere(
    router: Router, parts: Sequence[Part], folded_text: str, street: str | None
) -> Part | None:
    """The surest part whose unit differs from another sure part's, or None (one unit for all)."""
    sure = [part for part in parts if part.confidence >= PART_FLOOR]
    templates = router.lead_unit_templates([part.category for part in sure], folded_text, street)
    distinct = {template for template in templates if template is not None}
    if len(distinct) < 2:
        return None
    first = templates[0]
    others = [part for part, template in zip(sure, templates, strict=True) if template not in (None, first)]
    return max(others, key=lambda part: part.confidence)
