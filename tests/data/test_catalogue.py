import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jiesu.data.catalogue import load_catalogue, render_unit, street_office_name
from jiesu.data.resources import resource_path
from jiesu.data.taxonomy import load_taxonomy
from jiesu.errors import ReferenceDataError


def test_every_second_level_category_has_a_default_rule() -> None:
    catalogue = load_catalogue()
    assert catalogue.version
    assert catalogue.gaps(load_taxonomy()) == []


def test_street_rules_copy_the_district_government_and_utilities_have_the_24h_tier() -> None:
    catalogue = load_catalogue()
    for rule in catalogue.rules:
        if rule.unit_type == "street":
            assert rule.copy_district_government, rule.id
    heating = next(rule for rule in catalogue.rules_for("供暖") if rule.when.unconditional)
    assert (heating.unit, heating.deadline_tier) == ("北京市热力集团", "utility")


def test_unit_templates_render_street_offices_townships_and_district_units() -> None:
    assert street_office_name("朝阳区", "望京街道") == "朝阳区望京街道办事处"
    assert street_office_name("朝阳区", "来广营地区") == "朝阳区来广营地区办事处"
    assert street_office_name("昌平区", "小汤山镇") == "昌平区小汤山镇人民政府"
    assert render_unit("{district}市场监督管理局", "海淀区", None) == "海淀区市场监督管理局"
    assert render_unit("{street_office}", "海淀区", None) is None
    assert render_unit("北京市自来水集团", None, None) == "北京市自来水集团"


def test_a_missing_rule_is_reported_as_a_gap(tmp_path: Path) -> None:
    payload = json.loads(resource_path("catalogue.json").read_text(encoding="utf-8"))
    payload["rules"] = [rule for rule in payload["rules"] if rule["category_l2"] != "供水"]
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    assert load_catalogue(path).gaps(load_taxonomy()) == ["no catalogue rule for 城乡建设/供水"]


def test_a_street_rule_that_does_not_copy_the_district_is_refused(tmp_path: Path) -> None:
    payload = json.loads(resource_path("catalogue.json").read_text(encoding="utf-8"))
    street_rule = next(rule for rule in payload["rules"] if rule["unit_type"] == "street")
    street_rule["copy_district_government"] = False
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="must copy the district government"):
        load_catalogue(path)


def test_unknown_template_fields_are_refused(tmp_path: Path) -> None:
    payload = json.loads(resource_path("catalogue.json").read_text(encoding="utf-8"))
    payload["rules"][0]["unit"] = "{city}自来水集团"
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="uses a field other than"):
        load_catalogue(path)


def _candidate(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    payload = json.loads(resource_path("catalogue.json").read_text(encoding="utf-8"))
    change(payload)
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return path


def _rule(payload: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(rule for rule in payload["rules"] if rule["id"] == rule_id)


def test_every_rule_says_its_duty(tmp_path: Path) -> None:
    path = _candidate(tmp_path, lambda payload: _rule(payload, "LD03-D").pop("duty"))
    with pytest.raises(ReferenceDataError, match=r"(?s)rules\.\d+\.duty.*Field required"):
        load_catalogue(path)
    social_insurance = next(rule for rule in load_catalogue().rules if rule.id == "LD03-D")
    assert social_insurance.duty == "city"
    assert social_insurance.city_unit is not None
    assert social_insurance.city_unit.unit == "北京市人力资源和社会保障局"


def test_a_rule_whose_unit_needs_a_place_must_name_a_city_level_unit(tmp_path: Path) -> None:
    def drop(payload: dict[str, Any]) -> None:
        _rule(payload, "HB05-D").pop("city_unit")
        _rule(payload, "LD03-D")["city_unit"] = {
            "unit_type": "district_department",
            "unit": "{district}人力资源和社会保障局",
        }
        _rule(payload, "JT01-D")["city_unit"] = {"unit_type": "city_department", "unit": "北京市交通委员会"}

    assert load_catalogue(_candidate(tmp_path, drop)).gaps(load_taxonomy()) == [
        "rule HB05-D: its unit needs a place and it names no city_unit",
        "rule JT01-D: names a city_unit, but its own unit '北京公交集团' needs no place",
        "rule LD03-D: city_unit '{district}人力资源和社会保障局' (district_department) must need no place and "
        "be one of ['city_department', 'enterprise', 'central']",
    ]
