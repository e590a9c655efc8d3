"""The dispatch catalogue (派单目录): versioned rules from a second-level category (and optional
conditions) to the responsible unit, its type, whether the district government is copied, and the
deadline tier. Beijing adjusts its catalogue often, so this is data with a version, not code.

Each rule also says its duty: `local` where the unit depends on where the matter is (a noise complaint,
a pothole: without a place a person must find it first) or `city` where it can be handled city-wide
(social-insurance rules, a bus route). A rule whose unit needs a place names its `city_unit`, the
city-level unit that takes the request when no place is known; `gaps()` reports a rule without one. A
request of a type in `city_request_types` (建议: a suggestion about the rules) needs no place at all."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from jiesu.data.resources import read_json, resource_path
from jiesu.data.taxonomy import Taxonomy
from jiesu.data.unit_names import load_unit_names
from jiesu.errors import ReferenceDataError

UnitType = Literal[
    "street", "district_government", "district_department", "city_department", "enterprise", "central"
]
DeadlineTier = Literal["emergency", "utility", "ordinary", "complex"]
Duty = Literal["local", "city"]
RequestType = Literal["咨询", "求助", "投诉", "举报", "建议", "表扬"]
# The unit types that need no place: what a rule's city_unit may be.
CITY_LEVEL_TYPES: tuple[UnitType, ...] = ("city_department", "enterprise", "central")
TEMPLATE_FIELDS = ("{district}", "{street}", "{street_office}")


class UnitSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    unit_type: UnitType
    unit: str = Field(
        min_length=2, description="unit name or template with {district}/{street}/{street_office}"
    )

    @field_validator("unit")
    @classmethod
    def _known_fields(cls, value: str) -> str:
        stripped = value
        for placeholder in TEMPLATE_FIELDS:
            stripped = stripped.replace(placeholder, "")
        if "{" in stripped or "}" in stripped:
            raise ValueError(f"unit template {value!r} uses a field other than {TEMPLATE_FIELDS}")
        return value

    @property
    def needs_district(self) -> bool:
        return any(field in self.unit for field in TEMPLATE_FIELDS)

    @property
    def needs_street(self) -> bool:
        return "{street}" in self.unit or "{street_office}" in self.unit


class RuleConditions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    keywords_any: list[str] = Field(default_factory=list)
    street_known: bool | None = None

    @property
    def unconditional(self) -> bool:
        return not self.keywords_any and self.street_known is None


class CatalogueRule(UnitSpec):
    id: str = Field(min_length=1)
    category_l2: str
    when: RuleConditions = Field(default_factory=RuleConditions)
    duty: Duty = Field(description="local: a place is needed to dispatch; city: handled city-wide")
    city_unit: UnitSpec | None = Field(
        default=None, description="the unit when no place is known (rules whose unit needs a place)"
    )
    copy_district_government: bool
    deadline_tier: DeadlineTier
    alternatives: list[UnitSpec] = Field(default_factory=list, max_length=2)

    @model_validator(mode="after")
    def _copy_rule(self) -> CatalogueRule:
        # Regulation art. 12: a street office or township that receives a ticket copies the district.
        if self.unit_type == "street" and not self.copy_district_government:
            raise ValueError(f"rule {self.id}: street-level units must copy the district government")
        return self

    @property
    def placeless_unit(self) -> UnitSpec | None:
        """The unit to name when no place is known: the rule's own where it needs none, else its
        city_unit (None only in a catalogue that `gaps()` reports)."""
        return self if not self.needs_district else self.city_unit

    def city_unit_problems(self) -> list[str]:
        """What keeps the rule from naming a unit when no place is known."""
        city = self.city_unit
        if city is None and self.needs_district:
            return [f"rule {self.id}: its unit needs a place and it names no city_unit"]
        if city is None:
            return []
        if not self.needs_district:
            return [f"rule {self.id}: names a city_unit, but its own unit {self.unit!r} needs no place"]
        if city.needs_district or city.unit_type not in CITY_LEVEL_TYPES:
            return [
                f"rule {self.id}: city_unit {city.unit!r} ({city.unit_type}) must need no place and be one "
                f"of {list(CITY_LEVEL_TYPES)}"
            ]
        return []


class CatalogueSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    effective_from: str
    notes: str = ""
    # Request types that need no place whatever a rule's duty: a suggestion (建议) is about the rules.
    city_request_types: list[RequestType] = Field(default_factory=list)
    rules: list[CatalogueRule]

    @model_validator(mode="after")
    def _unique_ids(self) -> CatalogueSpec:
        ids = [rule.id for rule in self.rules]
        duplicates = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
        if duplicates:
            raise ValueError(f"duplicate rule ids {duplicates}")
        return self


def street_office_name(district: str, street: str) -> str:
    """The unit name of a street or township: 街道/地区 → 办事处, 镇/乡 → 人民政府 (经开区: 管委会)."""
    return load_unit_names().street_unit_of(district, street)


def render_unit(template: str, district: str | None, street: str | None) -> str | None:
    """Fill a unit template; None when it needs a district or street that is not known."""
    if "{street_office}" in template or "{street}" in template:
        if not (district and street):
            return None
        template = template.replace("{street_office}", street_office_name(district, street))
        template = template.replace("{street}", street)
    if "{district}" in template:
        if not district:
            return None
        template = template.replace("{district}", district)
    return template


class Catalogue:
    def __init__(self, spec: CatalogueSpec) -> None:
        self.version = spec.version
        self.effective_from = spec.effective_from
        self.rules = tuple(spec.rules)
        self.city_request_types = frozenset(spec.city_request_types)
        # Looked up for every suggestion: by category once, not a scan of every rule each time.
        self._by_category: dict[str, list[CatalogueRule]] = {}
        for rule in self.rules:
            self._by_category.setdefault(rule.category_l2, []).append(rule)

    def rules_for(self, category_l2: str) -> list[CatalogueRule]:
        """The category's rules in catalogue order (conditional ones before the default)."""
        return list(self._by_category.get(category_l2, ()))

    def gaps(self, taxonomy: Taxonomy) -> list[str]:
        """Problems that leave a category without a usable rule, or rules for unknown categories."""
        problems = []
        for category in taxonomy:
            rules = self.rules_for(category.l2)
            if not rules:
                problems.append(f"no catalogue rule for {category.l1}/{category.l2}")
            elif not any(rule.when.unconditional for rule in rules):
                problems.append(f"{category.l2}: no default (unconditional) rule; some requests get no unit")
        problems += [
            f"rule {rule.id} names unknown category {rule.category_l2!r}"
            for rule in self.rules
            if rule.category_l2 not in taxonomy
        ]
        problems += [problem for rule in self.rules for problem in rule.city_unit_problems()]
        return problems

    def known_unit_names(self, districts: list[str], streets: list[tuple[str, str]]) -> set[str]:
        """Every unit name the catalogue can produce for the given districts and (district, street)s."""
        return set(self.known_units(districts, streets))

    def known_units(
        self, districts: list[str], streets: list[tuple[str, str]]
    ) -> dict[str, tuple[UnitType, str | None]]:
        """Every unit name the catalogue can produce → (its unit type, its district or None)."""
        units: dict[str, tuple[UnitType, str | None]] = {}
        specs: list[UnitSpec] = []
        for rule in self.rules:
            specs += [rule, *rule.alternatives, *([rule.city_unit] if rule.city_unit else [])]
        for spec in specs:
            if spec.needs_street:
                for district, street in streets:
                    name = render_unit(spec.unit, district, street)
                    if name:
                        units.setdefault(name, (spec.unit_type, district))
            elif spec.needs_district:
                for district in districts:
                    name = render_unit(spec.unit, district, None)
                    if name:
                        units.setdefault(name, (spec.unit_type, district))
            else:
                units.setdefault(spec.unit, (spec.unit_type, None))
        names = load_unit_names()
        for district in districts:  # fallback when only the district is known
            units.setdefault(names.district_government_of(district), ("district_government", district))
        return units


def load_catalogue(path: Path | None = None) -> Catalogue:
    return _load_catalogue(path or resource_path("catalogue.json"))


@lru_cache(maxsize=8)
def _load_catalogue(path: Path) -> Catalogue:
    try:
        spec = CatalogueSpec.model_validate(read_json(path))
    except ValidationError as exc:
        raise ReferenceDataError(f"dispatch catalogue {path} is invalid: {exc}") from exc
    return Catalogue(spec)
