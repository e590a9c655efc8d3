from pathlib import Path

import pytest

from jiesu.data.gazetteer import load_gazetteer
from jiesu.errors import ReferenceDataError


def test_beijing_tree_has_16_districts_streets_and_communities_with_codes() -> None:
    gazetteer = load_gazetteer()
    assert len(gazetteer.districts) == 16
    assert gazetteer.districts["朝阳区"].code == "110105"
    assert len(gazetteer.streets) >= 330
    assert len(gazetteer.communities) >= 7000
    wangjing = gazetteer.street("朝阳区", "望京街道")
    assert wangjing is not None
    assert wangjing.code.startswith("110105")
    assert len(wangjing.code) == 9
    for community in gazetteer.communities[:200]:
        street = gazetteer.street(community.district, community.street)
        assert street is not None
        assert community.code.startswith(street.code)
    assert len({street.code for street in gazetteer.streets}) == len(gazetteer.streets)


def test_colliding_street_names_are_marked_ambiguous() -> None:
    gazetteer = load_gazetteer()
    districts = {street.district for street in gazetteer.ambiguous_street_names["八里庄街道"]}
    assert districts == {"朝阳区", "海淀区"}
    assert len(gazetteer.ambiguous_community_names) > 50


def test_alias_table_is_large_and_every_alias_resolves_to_a_real_street() -> None:
    gazetteer = load_gazetteer()
    assert len(gazetteer.aliases) >= 200
    assert gazetteer.alias_problems() == []
    for name in ("望京", "回龙观", "天通苑", "亦庄", "中关村", "国贸", "五道口", "双井"):
        assert name in gazetteer.aliases_by_name, name
    assert {a.district for a in gazetteer.aliases_by_name["八里庄"]} == {"朝阳区", "海淀区"}
    assert "八里庄" in gazetteer.ambiguous_aliases


def test_an_alias_pointing_at_a_street_of_another_district_is_reported(tmp_path: Path) -> None:
    aliases = tmp_path / "aliases.csv"
    aliases.write_text(
        "# version: test\nalias,kind,district,street,note\n望京,area,海淀区,望京街道,\n", encoding="utf-8"
    )
    problems = load_gazetteer(aliases).alias_problems()
    assert problems == ["alias '望京': street '望京街道' is not in 海淀区 (it is in ['朝阳区'])"]


def test_alias_table_without_version_or_with_bad_kind_is_refused(tmp_path: Path) -> None:
    unversioned = tmp_path / "a.csv"
    unversioned.write_text("alias,kind,district,street,note\n望京,area,朝阳区,望京街道,\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="version"):
        load_gazetteer(unversioned)
    bad_kind = tmp_path / "b.csv"
    bad_kind.write_text(
        "# version: x\nalias,kind,district,street,note\n望京,mall,朝阳区,望京街道,\n", encoding="utf-8"
    )
    with pytest.raises(ReferenceDataError, match="kind 'mall'"):
        load_gazetteer(bad_kind)


def test_tianjin_hebei_and_other_provinces_are_known_outside_beijing() -> None:
    gazetteer = load_gazetteer()
    regions: dict[str, set[str]] = {}
    for place in gazetteer.outside:
        regions.setdefault(place.name, set()).add(place.region)
    assert regions["燕郊镇"] == {"河北省"}
    assert regions["廊坊市"] == {"河北省"}
    assert regions["武清区"] == {"天津市"}
    assert "山东省" in regions["山东省"]
    # Names that are also Beijing places never mark a request as outside.
    assert "朝阳区" not in regions


def test_beijing_district_names_that_are_also_places_elsewhere_are_known() -> None:
    homonyms = load_gazetteer().district_homonyms
    assert homonyms["朝阳"] == {"辽宁省", "吉林省"}  # 朝阳市, 长春市朝阳区
    assert homonyms["朝阳区"] == {"吉林省"}
    assert homonyms["通州"] == {"江苏省"}  # 南通市通州区
    assert "海淀" not in homonyms
