"""The two-level category taxonomy: 15 first-level categories, each with second-level ones."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from jiesu.data.resources import read_json, resource_path
from jiesu.errors import ReferenceDataError

# The public government-message taxonomy (see shared/docs/domain.md §4); exactly these, in this order.
FIRST_LEVEL_NAMES = (
    "城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生", "政法",
    "纪检监察", "民政", "农村农业", "国土资源", "经济管理", "科技与信息产业", "党务政务",
)  # fmt: skip


class SecondLevelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^[A-Z]{2}\d{2}$")
    name: str = Field(min_length=2)
    description: str = Field(min_length=2)
    not_to_confuse_with: list[str] = Field(default_factory=list)


class FirstLevelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^[A-Z]{2}$")
    name: str
    second_level: list[SecondLevelSpec] = Field(min_length=1)


class TaxonomySpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    first_level: list[FirstLevelSpec]

    @model_validator(mode="after")
    def _check_structure(self) -> TaxonomySpec:
        names = tuple(first.name for first in self.first_level)
        if names != FIRST_LEVEL_NAMES:
            raise ValueError(f"first-level categories must be exactly {FIRST_LEVEL_NAMES}, got {names}")
        seen: set[str] = set()
        for first in self.first_level:
            for second in first.second_level:
                if second.name in seen or second.name in FIRST_LEVEL_NAMES:
                    raise ValueError(f"second-level name {second.name!r} is not unique")
                seen.add(second.name)
        for first in self.first_level:
            for second in first.second_level:
                unknown = [name for name in second.not_to_confuse_with if name not in seen]
                if unknown:
                    raise ValueError(
                        f"{second.name!r}: not_to_confuse_with names unknown categories {unknown}"
                    )
        return self


@dataclass(frozen=True)
class Category:
    l1: str
    l2: str
    code: str
    description: str
    not_to_confuse_with: tuple[str, ...]


class Taxonomy:
    """Lookup over the taxonomy: second level → first level, codes, descriptions."""

    def __init__(self, spec: TaxonomySpec) -> None:
        self.version = spec.version
        self._categories = {
            second.name: Category(
                l1=first.name,
                l2=second.name,
                code=second.code,
                description=second.description,
                not_to_confuse_with=tuple(second.not_to_confuse_with),
            )
            for first in spec.first_level
            for second in first.second_level
        }

    @property
    def first_level(self) -> tuple[str, ...]:
        return FIRST_LEVEL_NAMES

    @property
    def second_level(self) -> tuple[str, ...]:
        return tuple(self._categories)

    def __iter__(self) -> Iterator[Category]:
        return iter(self._categories.values())

    def __len__(self) -> int:
        return len(self._categories)

    def __contains__(self, l2: object) -> bool:
        return l2 in self._categories

    def get(self, l2: str) -> Category:
        try:
            return self._categories[l2]
        except KeyError:
            raise KeyError(f"{l2!r} is not a second-level category of taxonomy {self.version}") from None

    def l1_of(self, l2: str) -> str:
        return self.get(l2).l1

    def children(self, l1: str) -> tuple[str, ...]:
        return tuple(c.l2 for c in self._categories.values() if c.l1 == l1)


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy file (the shipped one by default; cached)."""
    return _load_taxonomy(path) if path is not None else _shipped_taxonomy()


@lru_cache(maxsize=1)
def _shipped_taxonomy() -> Taxonomy:
    # Cached apart from the path: building the default Path on every call was ~7% of a suggestion.
    return _load_taxonomy(resource_path("taxonomy.json"))


@lru_cache(maxsize=8)
def _load_taxonomy(path: Path) -> Taxonomy:
    try:
        spec = TaxonomySpec.model_validate(read_json(path))
    except ValidationError as exc:
        raise ReferenceDataError(f"taxonomy {path} is invalid: {exc}") from exc
    return Taxonomy(spec)
