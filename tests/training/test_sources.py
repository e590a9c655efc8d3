"""`jiesu train --data A --data B`: several sources, each with its own columns and label map."""

import json
from pathlib import Path

import pytest

from jiesu.cli import build_parser, main
from jiesu.data.corpus import load_seed_corpus
from jiesu.errors import DataValidationError
from jiesu.training.datasets import SourceSpec, load_training_sources
from jiesu.training.label_map import load_label_map

CATEGORIES = ("供暖", "餐饮油烟", "欠薪", "停车管理")
# An older taxonomy's names, as another hotline's history would carry them.
FOREIGN = {"供暖": "市政-供热", "餐饮油烟": "环保-油烟", "欠薪": "劳动-工资", "停车管理": "交通"}
LABEL_MAP = (
    "label,category_l1,category_l2\n"
    "市政-供热,城乡建设,供暖\n"
    "环保-油烟,环境保护,餐饮油烟\n"
    "劳动-工资,劳动和社会保障,欠薪\n"
    "交通,交通运输,\n"  # first level only: these rows teach the first level
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    corpus = load_seed_corpus()
    folder = tmp_path_factory.mktemp("sources")
    rows = [(t, l2) for t, l2 in zip(corpus["text"], corpus["category_l2"], strict=True) if l2 in CATEGORIES]
    second = folder / "second.jsonl"  # a jiesu-shaped history: second level
    second.write_text(
        "".join(json.dumps({"text": t, "category_l2": l2}, ensure_ascii=False) + "\n" for t, l2 in rows[::2]),
        encoding="utf-8",
    )
    foreign = folder / "foreign.csv"  # another taxonomy, other column names
    foreign.write_text(
        "内容,分类\n" + "".join(f'"{t}",{FOREIGN[l2]}\n' for t, l2 in rows[1::2]), encoding="utf-8"
    )
    label_map = folder / "map.csv"
    label_map.write_text(LABEL_MAP, encoding="utf-8")
    return {"second": second, "foreign": foreign, "map": label_map}


def test_options_belong_to_the_data_before_them() -> None:
    args = build_parser().parse_args(
        ["train", "--out", "m", "--data", "a.csv", "--text-column", "内容", "--column", "x=request_type",
         "--data", "b.csv", "--label-map", "map.csv", "--label-column", "分类"]
    )  # fmt: skip
    assert args.sources == [
        {"path": "a.csv", "text_column": "内容", "columns": ["x=request_type"]},
        {"path": "b.csv", "label_map": "map.csv", "label_column": "分类"},
    ]


def test_a_label_map_is_checked() -> None:
    with pytest.raises(DataValidationError, match="not a second-level category under 城乡建设"):
        load_label_map(_written("label,category_l1,category_l2\n旧,城乡建设,欠薪\n"))
    with pytest.raises(DataValidationError, match="header"):
        load_label_map(_written("old,new\n"))
    assert load_label_map(_written(LABEL_MAP))["交通"].l2 is None


def _written(content: str, name: str = "map.csv") -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / name
    path.write_text(content, encoding="utf-8")
    return path


def test_sources_merge_with_none_where_a_source_lacks_a_level(files: dict[str, Path]) -> None:
    data = load_training_sources(
        [
            SourceSpec(str(files["second"])),
            SourceSpec(
                str(files["foreign"]), text_column="内容", label_column="分类", label_map=files["map"]
            ),
        ]
    )
    n_second = len(files["second"].read_text(encoding="utf-8").splitlines())
    assert data.origin is not None
    assert data.origin.count(0) == n_second
    assert all(label is not None for label in data.targets["category_l1"])
    foreign_l2 = [
        label for label, origin in zip(data.targets["category"], data.origin, strict=True) if origin
    ]
    assert None in foreign_l2  # 交通 rows have no second level
    assert "供暖" in foreign_l2


def test_an_unmapped_label_is_named(files: dict[str, Path], tmp_path: Path) -> None:
    partial = tmp_path / "partial.csv"
    partial.write_text("label,category_l1,category_l2\n市政-供热,城乡建设,供暖\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="not in"):
        load_training_sources(
            [SourceSpec(str(files["foreign"]), text_column="内容", label_column="分类", label_map=partial)]
        )


def test_train_on_two_sources_cross_validated_on_one(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "model"
    argv = ["train", "--data", str(files["second"]), "--data", str(files["foreign"]), "--text-column", "内容",
            "--label-column", "分类", "--label-map", str(files["map"]), "--cv", "2", "--cv-source", "2",
            "--out", str(out), "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "scored on the rows of --data #2" in printed
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert set(metadata["heads"]) == {"category", "category_l1"}
    assert " + " in metadata["training_data"]["source"]
    assert main([*argv[:-5], "--cv-source", "3", "--out", str(out)]) == 2
    assert "there are 2 --data sources" in capsys.readouterr().err


def test_a_text_in_two_sources_never_trains_the_fold_that_scores_it() -> None:
    from jiesu.training.pipeline import _folds_over

    texts = [f"第{i}号楼暖气不热" for i in range(12)] + [f"第{i}号楼暖气不热 " for i in range(6)]
    labels = {"category_l1": ["城乡建设", "环境保护"] * 6 + ["城乡建设", "环境保护"] * 3}
    scored = [True] * 12 + [False] * 6  # the second source repeats six of the scored texts
    for train, test in _folds_over(texts, labels, scored, 3, seed=0):
        repeated_in_test = {i + 12 for i in test.tolist() if i < 6}
        assert not repeated_in_test & set(train.tolist())
        assert set(test.tolist()) <= set(range(12))
