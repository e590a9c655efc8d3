"""Reference lookups the services validate against: unit names the dispatch catalogue can produce,
Beijing district names, second-level categories. Built once per app (a second), never at import."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from jiesu.data.catalogue import load_catalogue
from jiesu.data.gazetteer import BEIJING, load_gazetteer
from jiesu.data.taxonomy import load_taxonomy
from jiesu.model.router import DEVELOPMENT_AREA_UNIT, NEIGHBOUR_TRANSFER_UNIT
from jiesu.serving.errors import InvalidInput, message


@dataclass(frozen=True)
class Reference:
    units: frozenset[str]
    districts: dict[str, str]  # official or short name → official name
    categories: frozenset[str]
    catalogue_version: str
    taxonomy_version: str

    @classmethod
    def load(cls) -> Reference:
        gazetteer, catalogue, taxonomy = load_gazetteer(), load_catalogue(), load_taxonomy()
        units = catalogue.known_unit_names(
            list(gazetteer.districts), [(street.district, street.name) for street in gazetteer.streets]
        )
        units |= {NEIGHBOUR_TRANSFER_UNIT, DEVELOPMENT_AREA_UNIT}
        districts: dict[str, str] = {}
        for name, district in gazetteer.districts.items():
            districts[name] = name
            districts[district.short] = name
        return cls(
            frozenset(units),
            districts,
            frozenset(taxonomy.second_level),
            catalogue.version,
            taxonomy.version,
        )

    def district(self, value: str | None) -> str | None:
        """The official district name for an official or short name (with or without 北京市)."""
        if value is None:
            return None
        official = self.districts.get(value.strip().removeprefix(BEIJING).removeprefix("北京"))
        if official is None:
            raise InvalidInput(message("unknown_district"))
        return official

    def check_units(self, names: Iterable[str]) -> None:
        unknown = sorted({name for name in names if name not in self.units})
        if unknown:
            # Unit names are not personal data; naming the bad ones helps the caller fix them.
            raise InvalidInput(message("unknown_unit"), {"unknown_units": unknown[:20]})

    def is_unit(self, name: str) -> bool:
        return name in self.units
