"""Reference lookups the services validate against: unit names the dispatch catalogue can produce,
Beijing district names, second-level categories. Built once per app (a second), never at import."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from jiesu.data.catalogue import load_catalogue
from jiesu.data.gazetteer import BEIJING, load_gazetteer
from jiesu.data.taxonomy import load_taxonomy
from jiesu.data.unit_names import load_unit_names
from jiesu.workflow.errors import InvalidInput, Messages, message


@dataclass(frozen=True)
class UnitProfile:
    unit_type: str
    district: str | None  # None for city departments, enterprises, central bodies


# Which unit types may take an escalated ticket at each level (Regulation art. 20, 分级协调).
ESCALATION_TYPES = {
    "district": frozenset({"district_government", "district_department"}),
    "city": frozenset({"city_department", "enterprise", "central"}),
}


@dataclass(frozen=True)
class Reference:
    units: frozenset[str]
    districts: dict[str, str]  # official or short name → official name
    categories: frozenset[str]
    catalogue_version: str
    taxonomy_version: str
    profiles: dict[str, UnitProfile]

    @classmethod
    def load(cls) -> Reference:
        """The lookups over the shipped reference data, built once per process (every app start and
        every `jiesu keys` command asks for them; they never change while it runs)."""
        return _shipped_reference()

    @classmethod
    def build(cls) -> Reference:
        gazetteer, catalogue, taxonomy = load_gazetteer(), load_catalogue(), load_taxonomy()
        known = catalogue.known_units(
            list(gazetteer.districts), [(street.district, street.name) for street in gazetteer.streets]
        )
        profiles = {name: UnitProfile(unit_type, district) for name, (unit_type, district) in known.items()}
        names = load_unit_names()
        profiles[names.neighbour_transfer] = UnitProfile("city_department", None)
        # The development area's committee takes what a street office takes there; it has no district.
        profiles[names.development_area.unit] = UnitProfile("street", None)
        districts: dict[str, str] = {}
        for name, district in gazetteer.districts.items():
            districts[name] = name
            districts[district.short] = name
        return cls(
            frozenset(profiles),
            districts,
            frozenset(taxonomy.second_level),
            catalogue.version,
            taxonomy.version,
            profiles,
        )

    def district_of(self, unit: str) -> str | None:
        """The district a unit belongs to; None for city departments, enterprises and central bodies."""
        profile = self.profiles.get(unit)
        return profile.district if profile else None

    def unit_type(self, unit: str) -> str | None:
        profile = self.profiles.get(unit)
        return profile.unit_type if profile else None

    def district_copy(self, unit: str) -> list[str]:
        """Art. 12: a street office or township that receives a ticket copies its district government."""
        profile = self.profiles.get(unit)
        if profile is None or profile.unit_type != "street" or profile.district is None:
            return []
        return [load_unit_names().district_government_of(profile.district)]

    def check_category(self, category: str) -> None:
        if category not in self.categories:
            raise InvalidInput(message(Messages.unknown_category))

    def district(self, value: str | None) -> str | None:
        """The official district name for an official or short name (with or without 北京市)."""
        if value is None:
            return None
        official = self.districts.get(value.strip().removeprefix(BEIJING).removeprefix("北京"))
        if official is None:
            raise InvalidInput(message(Messages.unknown_district))
        return official

    def check_units(self, names: Iterable[str]) -> None:
        unknown = sorted({name for name in names if name not in self.units})
        if unknown:
            # Unit names are not personal data; naming the bad ones helps the caller fix them.
            raise InvalidInput(message(Messages.unknown_unit), {"unknown_units": unknown[:20]})

    def is_unit(self, name: str) -> bool:
        return name in self.units


@cache
def _shipped_reference() -> Reference:
    return Reference.build()
