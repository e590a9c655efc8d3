"""A crosswalk from jiesu's categories to another taxonomy's first level, learnt from labelled texts.

The real web messages of `jiesu bench real` come from another city, whose first level draws its own
boundaries: it files lifts and broadband monopolies under 商贸旅游 (market supervision) and bus fares or
the housing fund under 城乡建设, where Beijing's taxonomy has 城乡建设/电梯, 交通运输/公交 and 经济管理/住房公积金;
it has no 国土资源, 经济管理 or 农村农业 at all. Comparing first-level names counts every such boundary as a
misreading. The crosswalk measures how much of the gap is boundaries: each suggested second level maps
to the other taxonomy's label most often given to texts that got it, learnt on the development half and
applied to the report half (or, on the development half itself, leave-one-out). It is a measurement, not
part of a suggestion: the product keeps Beijing's taxonomy.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# A suggestion as JSON; None where a text got none.
Answer = Mapping[str, Any] | None


def _keys(answer: Answer) -> tuple[str | None, str | None]:
    """(l2, l1) of a suggestion's category; (None, None) without one."""
    if answer is None or "category" not in answer:
        return None, None
    category = answer["category"]
    return category.get("l2"), category.get("l1")


def _top(counts: Counter[str]) -> str | None:
    """The most frequent label; ties go to the label that sorts first, so the result never depends on
    the order of the texts."""
    if not counts:
        return None
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]


@dataclass(frozen=True)
class Crosswalk:
    """Label counts by suggested second level and, for a second level never seen, by first level."""

    by_l2: Mapping[str, Counter[str]]
    by_l1: Mapping[str, Counter[str]]

    @classmethod
    def fit(cls, labels: Sequence[str], answers: Sequence[Answer]) -> Crosswalk:
        by_l2: defaultdict[str, Counter[str]] = defaultdict(Counter)
        by_l1: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for label, answer in zip(labels, answers, strict=True):
            l2, l1 = _keys(answer)
            if l2 is not None:
                by_l2[l2][label] += 1
            if l1 is not None:
                by_l1[l1][label] += 1
        return cls(dict(by_l2), dict(by_l1))

    def label_of(self, answer: Answer, leave_out: str | None = None) -> str | None:
        """The other taxonomy's label for a suggestion: by its second level, else its first level, else
        the first-level name itself. `leave_out`: the text's own label, to be discounted once when the
        text was among those the crosswalk was learnt from (leave-one-out)."""
        l2, l1 = _keys(answer)
        for key, table in ((l2, self.by_l2), (l1, self.by_l1)):
            if key is None or key not in table:
                continue
            counts = Counter(table[key])
            if leave_out is not None:
                counts[leave_out] -= 1
                counts = +counts  # drops the label if that was its only text
            label = _top(counts)
            if label is not None:
                return label
        return l1


def score_through(
    crosswalk: Crosswalk,
    labels: Sequence[str],
    answers: Sequence[Answer],
    decided_alone: Sequence[bool],
    *,
    leave_one_out: bool = False,
) -> dict[str, dict[str, Any]]:
    """First-level accuracy through the crosswalk, over all texts and over those decided without a
    person. With `leave_one_out`, the texts are those the crosswalk was learnt from."""
    right = alone = alone_right = 0
    for label, answer, by_itself in zip(labels, answers, decided_alone, strict=True):
        mapped = crosswalk.label_of(answer, leave_out=label if leave_one_out else None)
        hit = mapped == label
        right += hit
        alone += by_itself
        alone_right += by_itself and hit
    n = len(labels)
    return {
        "crosswalk_l1_accuracy": {"value": right / n if n else None, "hits": right, "n": n},
        "crosswalk_auto_l1_accuracy": {
            "value": alone_right / alone if alone else None,
            "hits": alone_right,
            "n": alone,
        },
    }
