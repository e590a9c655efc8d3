from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jiesu.cli import main
from jiesu.evaluation.catalogue_oracle import format_oracle, run_oracle


def _row(row_id: str, split: str, l2: str, unit: str | None, **place: Any) -> dict[str, Any]:
    return {
        "id": row_id,
        "split": split,
        "text": "反映一个问题",
        "category_l2": l2,
        "disposition": place.pop("disposition", "dispatch"),
        "unit": unit,
        "region": place.get("region", "北京市"),
        "district": place.get("district"),
        "street": place.get("street"),
    }


def test_the_gold_category_is_routed_at_the_gold_place() -> None:
    rows = [
        _row("a", "train", "学校管理", "朝阳区教育委员会", district="朝阳区"),
        _row("b", "train", "学校管理", "朝阳区体育局", district="朝阳区"),  # not what the catalogue gives
        _row("c", "test", "学校管理", "海淀区教育委员会", district="朝阳区"),  # another district's unit
        _row("d", "test", "供电", "国网北京市电力公司", region=None),  # no place: a city-wide unit
        _row("e", "test", "生活垃圾", "朝阳区三里屯街道办事处", district="朝阳区", street="三里屯街道"),
        _row("f", "test", "学校管理", None, district="朝阳区"),  # no unit label: not measured
        _row("g", "test", "学校管理", "朝阳区教育委员会", district="朝阳区", disposition="legal_channel"),
        _row("h", "dev", "供电", "京津冀协同转办", region="河北省"),
    ]
    result = run_oracle(rows)
    assert (result.agree["train"], result.rows["train"]) == (1, 2)
    assert (result.agree["test"], result.rows["test"]) == (2, 3)
    assert result.agreement("dev") == 1.0
    assert [d.id for d in result.disagreements] == ["b", "c"]
    assert result.classes() == {
        ("学校管理", "{district}体育局", "{district}教育委员会"): 1,
        ("学校管理", "{district}教育委员会", "{district}教育委员会"): 1,
    }
    shown = format_oracle(result, examples=1)
    assert "train: catalogue gives the gold unit 0.500 (1/2)" in shown
    assert "b [train] 学校管理: 朝阳区体育局 ≠ 朝阳区教育委员会" in shown


def test_the_command_names_a_missing_corpus_and_refuses_a_negative_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "oracle", "--corpus", str(tmp_path / "none.jsonl")]) == 2
    assert "no *.jsonl corpus files" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["data", "oracle", "--examples", "-1"])
    assert exited.value.code == 2
