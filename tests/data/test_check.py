"""`jiesu data check` on the shipped data and on deliberately broken copies."""

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from jiesu.cli import main
from jiesu.data.check import (
    CHANNEL_CONCENTRATION,
    ReferencePaths,
    channel_concentration,
    channel_problems,
    run_check,
)
from jiesu.data.corpus import load_seed_corpus
from jiesu.data.disposition_rules import CHANNEL_IDS
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


def _corpus_with_channel_labelled(tmp_path: Path, channel: str, l1: str, l2: str) -> Path:
    """The shipped corpus with every row of one legal channel labelled by the channel (as before issue 16)."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_DIR, corpus)
    for path in corpus.glob("*.jsonl"):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for row in rows:
            if row["channel"] == channel:
                row |= {"category_l1": l1, "category_l2": l2}
        path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return corpus


def test_a_legal_channel_labelled_by_its_channel_fails(tmp_path: Path) -> None:
    corpus = _corpus_with_channel_labelled(tmp_path, "arbitration", "政法", "劳动人事仲裁")
    result = run_check(ReferencePaths(corpus=corpus))
    total = result.tables["legal channel"]["arbitration"]
    assert result.errors == [
        f"corpus labels: {total} of the {total} rows of legal channel arbitration (100%) are in '劳动人事仲裁'; "
        "more than 50% means the rows are labelled by their channel: label each by what it is about (a wage "
        "claim in arbitration is 欠薪) and keep the channel as its disposition"
    ]
    assert result.figures["largest share of a legal channel in one category"] == 1.0


def test_the_shipped_legal_channels_are_labelled_by_subject() -> None:
    result = run_check()
    assert result.ok, result.errors
    largest = channel_concentration(load_seed_corpus().to_list())
    assert [item.channel for item in largest] == list(CHANNEL_IDS)
    assert all(item.share <= CHANNEL_CONCENTRATION for item in largest)
    assert result.tables["largest second-level category per legal channel"]


def _rows(*labels: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"channel": channel, "category_l2": l2} for channel, l2 in labels]


def test_half_of_a_channel_in_one_category_passes_more_fails() -> None:
    half = _rows(
        ("petition", "信访事项"), ("petition", "信访事项"), ("petition", "供暖"), ("petition", "电梯")
    )
    assert channel_problems(channel_concentration(half)) == []
    more = [*half, *_rows(("petition", "信访事项"))]
    [item] = channel_concentration(more)
    assert (item.channel, item.category_l2, item.count, item.total) == ("petition", "信访事项", 3, 5)
    assert len(channel_problems([item])) == 1
    # Rows without a channel do not count; ties go to the name that sorts first.
    tied = _rows(("litigation", "住房租赁"), ("litigation", "欠薪"), (None, "欠薪"))  # type: ignore[arg-type]
    assert channel_concentration(tied)[0].category_l2 == min("住房租赁", "欠薪")


def test_compare_prints_length_and_register_next_to_the_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "real.jsonl"
    texts = [
        "尊敬的领导：我们小区门口的路灯坏了" + "很久" * 60,
        "喂，那个，楼下饭馆油烟太大了",
        "垃圾站太臭了",
    ]
    real.write_text(
        "".join(json.dumps({"label": "城乡建设", "text": t}, ensure_ascii=False) + "\n" for t in texts)
    )
    assert main(["data", "check", "--compare", str(real)]) == 0
    out = capsys.readouterr().out
    table = out[out.index("length and register") :].splitlines()
    assert table[1].split() == ["seed", "corpus", "real.jsonl"]
    # label, corpus, file: columns are at least two spaces apart
    cells = {label: values for label, *values in (re.split(r"\s{2,}", line.strip()) for line in table[2:])}
    assert cells["rows"][1] == "3"
    assert cells["median"][1] == "14"  # lengths 137, 14, 6
    assert cells["over 200 characters"][1] == "0.0%"
    assert cells["letter form (尊敬的/领导/此致)"][1] == "33.3%"
    assert cells["spoken transcript (喂/嗯/那个…)"][1] == "33.3%"
    assert float(cells["median"][0]) > 0  # the corpus column is filled too


def test_compare_reads_another_text_column_of_a_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "real.csv"
    real.write_text(
        '留言详情,label\n"【主题】噪音\n【详情】楼上装修",环境保护\n来电人称其楼上装修,城乡建设\n',
        encoding="utf-8",
    )
    assert main(["data", "check", "--compare", str(real), "--compare-text-column", "留言详情"]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("  call-taker summary"))
    assert line.split()[-1] == "50.0%"
    assert main(["data", "check", "--compare", str(real)]) == 2  # no column "text": an error, not a table
    assert "text" in capsys.readouterr().err


def test_a_resource_that_is_not_valid_is_not_recorded(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import jiesu.data.check as check
    import jiesu.data.manifest as manifest
    from jiesu.errors import ReferenceDataError

    def broken(_path: Path | None = None) -> None:
        raise ReferenceDataError("disposition.json: cue '(' is not a valid regular expression")

    recorded: list[bool] = []

    def record() -> list[str]:
        recorded.append(True)
        return []

    monkeypatch.setattr(check, "load_disposition_rules", broken)
    monkeypatch.setattr(manifest, "update_manifest", record)
    assert main(["data", "check", "--update-manifest"]) == 2
    assert recorded == []
    assert "not a valid regular expression" in capsys.readouterr().err
