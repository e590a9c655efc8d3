"""Unit names that follow a rule rather than a catalogue entry (`resources/units.json`): the district
government (`{district}人民政府`), the street office or township government of a street, the development
area's committee, and the transfer to the Tianjin and Hebei hotlines. Every place that names one of these
units asks this module, so the rule is written once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from jiesu.data.resources import read_json, resource_path
from jiesu.errors import ReferenceDataError


def _check_template(value: str, fields: tuple[str, ...]) -> str:
    stripped = value
    for name in fields:
        if name not in value:
            raise ValueError(f"template {value!r} must contain {name}")
        stripped = stripped.replace(name, "")
    if "{" in stripped or "}" in stripped:
        raise ValueError(f"template {value!r} may use only {', '.join(fields)}")
    return value


class DevelopmentArea(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    street: str = Field(min_length=2, description="the area's name in the gazetteer, where streets stand")
    unit: str = Field(min_length=2, description="the committee that takes what a street office takes")


class UnitNames(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str = Field(min_length=1)
    notes: str = ""
    district_government: str
    street_office: str
    township_government: str
    township_suffixes: tuple[str, ...] = Field(min_length=1)
    development_area: DevelopmentArea
    neighbour_transfer: str = Field(min_length=2)

    @field_validator("district_government")
    @classmethod
    def _district_template(cls, value: str) -> str:
        return _check_template(value, ("{district}",))

    @field_validator("street_office", "township_government")
    @classmethod
    def _street_template(cls, value: str) -> str:
        return _check_template(value, ("{district}", "{street}"))

    @model_validator(mode="after")
    def _suffixes(self) -> UnitNames:
        if any(not suffix for suffix in self.township_suffixes):
            raise ValueError("township_suffixes must not hold an empty string")
        return self

    def district_government_of(self, district: str) -> str:
        """朝阳区 → 朝阳区人民政府."""
        return self.district_government.replace("{district}", district)

    def street_unit_of(self, district: str, street: str) -> str:
        """The unit name of a street or township: 街道/地区 → 办事处, 镇/乡 → 人民政府 (经开区: 管委会)."""
        if street == self.development_area.street:
            return self.development_area.unit
        template = self.township_government if street.endswith(self.township_suffixes) else self.street_office
        return template.replace("{district}", district).replace("{street}", street)


def load_unit_names(path: Path | None = None) -> UnitNames:
    """Load and validate a unit-name file (the shipped one by default; cached)."""
    return _load_unit_names(path) if path is not None else _shipped_unit_names()


@lru_cache(maxsize=1)
def _shipped_unit_names() -> UnitNames:
    # Cached apart from the path: every rendered street unit asks for it (28,000 times per reference load).
    return _load_unit_names(resource_path("units.json"))


@lru_cache(maxsize=8)
def _load_unit_names(path: Path) -> UnitNames:
    try:
        return UnitNames.model_validate(read_json(path))
    except ValidationError as exc:
        raise ReferenceDataError(f"unit names {path} are invalid: {exc}") from exc
