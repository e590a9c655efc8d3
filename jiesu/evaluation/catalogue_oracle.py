"""The catalogue oracle: does the dispatch catalogue give each labelled row its own unit?

For every corpus row whose disposition is on the matter (dispatch, answer now) and that names the unit
that handled it, the row's gold category is routed at its gold place (region, district, street) and the
unit compared with the gold unit. Agreement below 1 is a ceiling on every unit figure a model can reach
however well it classifies: a row the oracle gets wrong has a unit label, a category label or a
catalogue rule that disagrees with the others (`jiesu data oracle` lists them).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jiesu.data.catalogue import Catalogue, load_catalogue
from jiesu.data.corpus import SPLITS
from jiesu.data.gazetteer import load_gazetteer
from jiesu.data.workflow_settings import load_workflow_settings
from jiesu.model.decision import ON_THE_MATTER
from jiesu.model.router import Router, labelled_unit
from jiesu.model.text import fold_characters


@dataclass(frozen=True)
class Disagreement:
    id: str
    split: str
    category_l2: str
    gold_unit: str
    routed_unit: str | None
    text: str


@dataclass
class OracleResult:
    rows: Counter[str] = field(default_factory=Counter)  # per split
    agree: Counter[str] = field(default_factory=Counter)
    disagreements: list[Disagreement] = field(default_factory=list)

    def agreement(self, split: str) -> float | None:
        return self.agree[split] / self.rows[split] if self.rows[split] else None

    def classes(self) -> Counter[tuple[str, str, str | None]]:
        """(category, gold unit, routed unit) → rows, with each district's name replaced by {district}."""
        counts: Counter[tuple[str, str, str | None]] = Counter()
        for d in self.disagreements:
            counts[(d.category_l2, _generic(d.gold_unit), _generic(d.routed_unit))] += 1
        return counts


def _generic(unit: str | None) -> str:
    """A unit name with its district written {district} and a street office or township {street_office}."""
    if unit is None:
        return "(no unit)"
    for district in load_gazetteer().districts:  # the 16 official names (朝阳区 …)
        if district in unit:
            unit = unit.replace(district, "{district}")
            break
    return _STREET_OFFICE.sub("{street_office}", unit)


_STREET_OFFICE = re.compile(r"(?<=\{district\})\S+?(?:街道办事处|地区办事处|镇人民政府|乡人民政府)$")


def run_oracle(rows: Iterable[Mapping[str, Any]], catalogue: Catalogue | None = None) -> OracleResult:
    """Route each measured row's gold category at its gold place; rows need the corpus columns plus
    `split`."""
    router = Router(catalogue or load_catalogue(), load_workflow_settings())
    result = OracleResult()
    for row in rows:
        if row["disposition"] not in ON_THE_MATTER or not row["unit"] or not row["category_l2"]:
            continue
        folded = fold_characters(row["text"])
        unit = labelled_unit(
            router, row["category_l2"], folded, row["region"], row["district"], row["street"]
        )
        split = str(row["split"])
        result.rows[split] += 1
        if unit == row["unit"]:
            result.agree[split] += 1
        else:
            result.disagreements.append(
                Disagreement(str(row["id"]), split, row["category_l2"], row["unit"], unit, row["text"])
            )
    return result


def format_oracle(result: OracleResult, splits: Sequence[str] = SPLITS, examples: int = 0) -> str:
    lines = []
    for split in splits:
        share = result.agreement(split)
        shown = f"{share:.3f}" if share is not None else "-"
        lines.append(
            f"{split}: catalogue gives the gold unit {shown} ({result.agree[split]}/{result.rows[split]})"
        )
    classes = result.classes()
    if classes:
        lines.append("disagreements (category: gold unit ≠ routed unit, rows):")
        for (category, gold, routed), count in sorted(classes.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {count:3d}  {category}: {gold} ≠ {routed}")
    for d in result.disagreements[:examples]:
        lines.append(f"{d.id} [{d.split}] {d.category_l2}: {d.gold_unit} ≠ {d.routed_unit}  {d.text[:80]}")
    return "\n".join(lines)
