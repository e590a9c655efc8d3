import json
from pathlib import Path

import pytest

from jiesu.data.resources import resource_path
from jiesu.data.taxonomy import FIRST_LEVEL_NAMES, load_taxonomy
from jiesu.errors import ReferenceDataError


def test_shipped_taxonomy_has_the_fifteen_first_levels_and_at_least_80_second_levels() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.first_level == FIRST_LEVEL_NAMES
    assert len(FIRST_LEVEL_NAMES) == 15
    assert len(taxonomy) >= 80
    assert all(taxonomy.children(l1) for l1 in FIRST_LEVEL_NAMES)
    assert all(category.description for category in taxonomy)


def test_second_level_maps_to_its_first_level() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.l1_of("供暖") == "城乡建设"
    assert taxonomy.l1_of("餐饮油烟") == "环境保护"
    assert taxonomy.l1_of("劳动人事仲裁") == "政法"
    with pytest.raises(KeyError, match="not a second-level category"):
        taxonomy.l1_of("不存在的类别")


def test_confusions_name_real_categories() -> None:
    taxonomy = load_taxonomy()
    fumes = taxonomy.get("餐饮油烟")
    assert "工业废气污染" in fumes.not_to_confuse_with
    for category in taxonomy:
        assert all(other in taxonomy for other in category.not_to_confuse_with)


def test_a_taxonomy_with_a_missing_first_level_is_refused(tmp_path: Path) -> None:
    payload = json.loads(resource_path("taxonomy.json").read_text(encoding="utf-8"))
    payload["first_level"] = payload["first_level"][:-1]
    broken = tmp_path / "taxonomy.json"
    broken.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="first-level categories must be exactly"):
        load_taxonomy(broken)


def test_a_taxonomy_without_version_is_refused(tmp_path: Path) -> None:
    payload = json.loads(resource_path("taxonomy.json").read_text(encoding="utf-8"))
    del payload["version"]
    broken = tmp_path / "taxonomy.json"
    broken.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="version"):
        load_taxonomy(broken)
