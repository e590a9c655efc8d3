"""`jiesu data check` on the shipped data and on deliberately broken copies."""

import json
import shutil
from pathlib import Path

import pytest

from jiesu.cli import main
from jiesu.data.resources import SEED_DIR, resource_path


def test_shipped_data_passes_and_prints_coverage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "check"]) == 0
    out = capsys.readouterr().out
    for heading in ("second-level category", "legal channel", "district (16)", "OK"):
        assert heading in out
    assert "communities/villages" in out


def test_a_missing_catalogue_rule_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payload = json.loads(resource_path("catalogue.json").read_text(encoding="utf-8"))
    payload["rules"] = [rule for rule in payload["rules"] if rule["category_l2"] != "燃气"]
    catalogue = tmp_path / "catalogue.json"
    catalogue.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    assert main(["data", "check", "--catalogue", str(catalogue)]) == 1
    assert "ERROR: dispatch catalogue: no catalogue rule for 城乡建设/燃气" in capsys.readouterr().out


def _broken_corpus(tmp_path: Path, change: dict[str, object]) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_DIR, corpus)
    first_file = sorted(corpus.glob("*.jsonl"))[0]
    lines = first_file.read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[0]) | change
    lines[0] = json.dumps(row, ensure_ascii=False)
    first_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus


def test_a_street_in_the_wrong_district_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _broken_corpus(tmp_path, {"region": "北京市", "district": "海淀区", "street": "望京街道"})
    assert main(["data", "check", "--corpus", str(corpus)]) == 1
    assert "street '望京街道' is not in 海淀区 (it is in 朝阳区)" in capsys.readouterr().out


def test_a_corpus_label_outside_the_taxonomy_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _broken_corpus(tmp_path, {"category_l2": "外星人入侵"})
    assert main(["data", "check", "--corpus", str(corpus)]) == 1
    assert "category '外星人入侵' is not in the taxonomy" in capsys.readouterr().out


def test_an_alias_to_a_street_of_another_district_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aliases = tmp_path / "aliases.csv"
    text = resource_path("aliases.csv").read_text(encoding="utf-8")
    aliases.write_text(text.rstrip("\n") + "\n错位测试,area,海淀区,望京街道,\n", encoding="utf-8")
    assert main(["data", "check", "--aliases", str(aliases)]) == 1
    assert "alias '错位测试': street '望京街道' is not in 海淀区" in capsys.readouterr().out
