"""Loaders of the rule-like reference data: unit names, jurisdiction words, consultation patterns. Each
refuses a broken file with a ReferenceDataError that names the file and the problem."""

import json
from pathlib import Path
from typing import Any

import pytest

from jiesu.data.consultation_rules import load_consultation_rules
from jiesu.data.jurisdiction_words import load_jurisdiction_words
from jiesu.data.resources import resource_path
from jiesu.data.unit_names import load_unit_names
from jiesu.errors import ReferenceDataError


def _broken(tmp_path: Path, name: str, change: dict[str, Any]) -> Path:
    payload = json.loads(resource_path(name).read_text(encoding="utf-8")) | change
    path = tmp_path / name
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return path


def test_unit_names_follow_their_rules() -> None:
    names = load_unit_names()
    assert names.district_government_of("朝阳区") == "朝阳区人民政府"
    assert names.street_unit_of("朝阳区", "望京街道") == "朝阳区望京街道办事处"
    assert names.street_unit_of("昌平区", "小汤山镇") == "昌平区小汤山镇人民政府"
    assert names.street_unit_of("大兴区", "北京经济技术开发区") == "北京经济技术开发区管理委员会"
    assert names.neighbour_transfer == "京津冀协同转办"


def test_a_district_template_without_its_field_is_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, "units.json", {"district_government": "区人民政府"})
    with pytest.raises(ReferenceDataError, match=r"(?s)units\.json are invalid.*must contain \{district\}"):
        load_unit_names(path)


def test_a_street_template_with_an_unknown_field_is_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, "units.json", {"street_office": "{district}{street}{office}"})
    with pytest.raises(ReferenceDataError, match=r"(?s)units\.json are invalid.*may use only"):
        load_unit_names(path)


def test_jurisdiction_words_refuse_an_empty_list(tmp_path: Path) -> None:
    path = _broken(tmp_path, "jurisdiction_words.json", {"place_words": []})
    with pytest.raises(
        ReferenceDataError, match=r"(?s)jurisdiction_words\.json are invalid.*place_words is empty"
    ):
        load_jurisdiction_words(path)


def test_jurisdiction_words_refuse_a_word_with_a_space(tmp_path: Path) -> None:
    path = _broken(tmp_path, "jurisdiction_words.json", {"residence_before": ["住在", "家 在"]})
    with pytest.raises(ReferenceDataError, match=r"residence_before holds empty words or words with spaces"):
        load_jurisdiction_words(path)


def test_jurisdiction_words_must_say_what_each_list_is_for(tmp_path: Path) -> None:
    about = json.loads(resource_path("jurisdiction_words.json").read_text(encoding="utf-8"))["about"]
    del about["rail_line_next"]
    path = _broken(tmp_path, "jurisdiction_words.json", {"about": about})
    with pytest.raises(ReferenceDataError, match=r"'about' does not say what \['rail_line_next'\]"):
        load_jurisdiction_words(path)


def test_the_second_matter_pattern_is_the_alternatives_joined() -> None:
    rules = load_consultation_rules()
    assert rules.second_matter_pattern.search("另外还有一件事")
    assert not rules.second_matter_pattern.search("楼上漏水")


def test_an_invalid_consultation_pattern_is_named(tmp_path: Path) -> None:
    path = _broken(tmp_path, "consultation.json", {"second_matter": ["另外", "第二[个件"]})
    with pytest.raises(
        ReferenceDataError, match=r"(?s)consultation\.json are invalid.*'第二\[个件' is not a valid"
    ):
        load_consultation_rules(path)


def test_a_consultation_pattern_that_matches_everything_is_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, "consultation.json", {"second_matter": ["另外", "(还)?"]})
    with pytest.raises(ReferenceDataError, match="matches the empty text"):
        load_consultation_rules(path)


def test_a_resource_without_a_version_is_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, "units.json", {"version": ""})
    with pytest.raises(
        ReferenceDataError, match=r"units\.json must be a JSON object with a non-empty 'version'"
    ):
        load_unit_names(path)
