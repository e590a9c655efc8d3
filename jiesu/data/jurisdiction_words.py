"""The words the jurisdiction resolver reads around and among place names
(`resources/jurisdiction_words.json`): address words before a place (住在, 去, 户口在), words after it
(上班, 居民, 线), everyday words that are also place names (平房, 长安), and the names of neighbouring
places that the gazetteer lacks. The weights these words apply are model parameters and stay in
`jiesu/model/jurisdiction.py`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from jiesu.data.resources import read_json, resource_path
from jiesu.errors import ReferenceDataError

Words = tuple[str, ...]


class JurisdictionWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str = Field(min_length=1)
    notes: str = ""
    about: dict[str, str] = Field(default_factory=dict)
    district_short_stop_next: dict[str, Words]
    alias_stop_next: dict[str, Words]
    weak_street_shorts: Words
    place_words: Words
    generic_community_shorts: Words
    outside_stop: Words
    extra_outside: dict[str, str]
    former_districts: dict[str, str]
    outside_name_next: Words
    outside_suffixes: Words
    residence_before: Words
    former_home_before: Words
    former_home_property: Words
    person_home_before: Words
    person_words: Words
    person_before_home: Words
    office_before: Words
    office_words: Words
    self_before: Words
    hometown_before: Words
    identity_before: Words
    identity_after: Words
    hometown_matter: Words
    village_matter: Words
    destination_before: Words
    registration_before: Words
    commute_before: Words
    commute_after: Words
    origin_before: Words
    origin_after: Words
    list_joins: Words  # "" is a join too: two names side by side
    rail_line_next: Words
    number_stop_next: Words
    number_stop_before: Words

    @model_validator(mode="after")
    def _well_formed(self) -> JurisdictionWords:
        lists: dict[str, Words] = {
            name: value
            for name, value in self
            if isinstance(value, tuple) and name != "list_joins"  # every word list but the joins
        }
        lists |= {
            f"district_short_stop_next[{key}]": words for key, words in self.district_short_stop_next.items()
        }
        lists |= {f"alias_stop_next[{key}]": words for key, words in self.alias_stop_next.items()}
        lists["extra_outside"] = (*self.extra_outside, *self.extra_outside.values())
        lists["former_districts"] = (*self.former_districts, *self.former_districts.values())
        for name, words in lists.items():
            if not words:
                raise ValueError(f"{name} is empty")
            bad = [word for word in words if not word or word != word.strip() or " " in word]
            if bad:
                raise ValueError(f"{name} holds empty words or words with spaces: {bad[:5]}")
        described = set(self.about) | {"version", "notes", "about"}
        undocumented = sorted(set(type(self).model_fields) - described)
        if self.about and undocumented:
            raise ValueError(f"'about' does not say what {undocumented} are for")
        return self

    def context_chars(self) -> frozenset[str]:
        """Every character that a context rule looks at (the scan must keep them)."""
        words = [
            *self.place_words,
            *self.residence_before,
            *self.former_home_before,
            *self.person_home_before,
            *self.office_before,
            *self.hometown_before,
            *self.identity_before,
            *self.identity_after,
            *self.destination_before,
            *self.registration_before,
            *self.commute_after,
            *self.origin_after,
            *self.origin_before,
            *self.list_joins,
            *(word for words in self.district_short_stop_next.values() for word in words),
            *(word for words in self.alias_stop_next.values() for word in words),
            *self.rail_line_next,
            *self.number_stop_next,
            *self.number_stop_before,
            *self.commute_before,
            *self.outside_name_next,
        ]
        return frozenset("".join(words))


def load_jurisdiction_words(path: Path | None = None) -> JurisdictionWords:
    return _load_jurisdiction_words(path or resource_path("jurisdiction_words.json"))


@lru_cache(maxsize=8)
def _load_jurisdiction_words(path: Path) -> JurisdictionWords:
    try:
        return JurisdictionWords.model_validate(read_json(path))
    except ValidationError as exc:
        raise ReferenceDataError(f"jurisdiction words {path} are invalid: {exc}") from exc
