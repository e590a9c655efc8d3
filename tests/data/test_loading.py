import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datasets import Dataset, DatasetDict

from jiesu.data.loading import load_dataset, load_teddycup_raw, load_teddycup_segmented
from jiesu.data.validation import validate_split
from jiesu.errors import DataValidationError

ROWS = [
    {"内容": "小区暖气不热", "类别": "供暖"},
    {"内容": "楼下饭馆油烟太大", "类别": "餐饮油烟"},
    {"内容": "工地夜里施工太吵", "类别": "施工扰民"},
]


def _write_jsonl(path: Path, rows: Sequence[Mapping[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    return path


def test_csv_jsonl_parquet_and_datasets_objects_load_the_same(tmp_path: Path) -> None:
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text("内容,类别\n" + "".join(f"{r['内容']},{r['类别']}\n" for r in ROWS), encoding="utf-8")
    jsonl_path = _write_jsonl(tmp_path / "rows.jsonl", ROWS)
    parquet_path = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), parquet_path)
    mapping = {"类别": "category_l2"}
    sources: list[object] = [csv_path, jsonl_path, parquet_path, Dataset.from_list(ROWS)]
    sources.append(DatasetDict({"train": Dataset.from_list(ROWS)}))
    for source in sources:
        dataset = load_dataset(source, text_column="内容", columns=mapping, label_columns=["category_l2"])
        assert dataset["text"] == [row["内容"] for row in ROWS]
        assert dataset["category_l2"] == [row["类别"] for row in ROWS]


def test_csv_keeps_numeric_looking_ids_as_text_and_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text('id,text,label\n0012,"第一行\n第二行",a\n0013,b,b\n', encoding="utf-8")
    dataset = load_dataset(path, label_columns=["label"])
    assert dataset["id"] == ["0012", "0013"]
    assert dataset["text"][0] == "第一行\n第二行"


def test_every_problem_is_reported_with_what_to_do() -> None:
    rows = [
        {"text": "暖气不热", "label": "供暖"},
        {"text": "  ", "label": "供暖"},
        {"text": "暖气不热", "label": "燃气"},
        {"text": "外星人来了", "label": "不存在"},
    ]
    with pytest.raises(DataValidationError) as caught:
        load_dataset(
            Dataset.from_list(rows),
            label_columns=["label"],
            allowed_labels={"label": {"供暖", "燃气"}},
        )
    problems = caught.value.problems
    assert any("empty or whitespace-only text" in p and "first at row 1" in p for p in problems)
    assert any("not in the allowed set: ['不存在']" in p for p in problems)
    assert any("appear more than once with different 'label' labels" in p for p in problems)


def test_missing_column_names_the_columns_that_exist() -> None:
    with pytest.raises(
        DataValidationError, match=r"column 'body' is missing; the data has \['text', 'label'\]"
    ):
        load_dataset(Dataset.from_list([{"text": "a", "label": "x"}]), text_column="body")
    with pytest.raises(DataValidationError, match="column 'category_l2' is missing"):
        load_dataset(Dataset.from_list([{"text": "a", "label": "x"}]), label_columns=["category_l2"])


def test_a_single_class_is_refused() -> None:
    rows = [{"text": "暖气不热", "label": "供暖"}, {"text": "暖气太凉", "label": "供暖"}]
    with pytest.raises(DataValidationError, match="1 distinct label"):
        load_dataset(Dataset.from_list(rows), label_columns=["label"])


def test_conflicting_duplicates_can_be_downgraded_to_a_warning() -> None:
    rows = [{"text": "暖气不热", "label": "供暖"}, {"text": "暖气不热", "label": "燃气"}]
    dataset = load_dataset(Dataset.from_list(rows), label_columns=["label"], duplicates="warn")
    assert len(dataset) == 2


def test_labels_seen_only_in_the_test_split_are_reported() -> None:
    train = Dataset.from_list([{"text": "a", "label": "x"}, {"text": "b", "label": "y"}])
    test = Dataset.from_list([{"text": "c", "label": "z"}])
    report = validate_split(train, test, ["label"])
    assert report.errors == [
        "column 'label': label(s) ['z'] appear only in the evaluation split and never in training. "
        "Move examples into training or drop those rows from evaluation."
    ]


def test_bad_files_get_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="does not exist"):
        load_dataset(tmp_path / "nope.csv")
    (tmp_path / "rows.xlsx").write_text("x", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"unsupported file type '\.xlsx'"):
        load_dataset(tmp_path / "rows.xlsx")
    (tmp_path / "bad.jsonl").write_text('{"text": "a"}\n{not json\n', encoding="utf-8")
    with pytest.raises(DataValidationError, match="line 2 is not valid JSON"):
        load_dataset(tmp_path / "bad.jsonl")
    (tmp_path / "ragged.csv").write_text("text,label\na,b,c\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="record 2 has 3 fields, the header has 2"):
        load_dataset(tmp_path / "ragged.csv")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(DataValidationError, match="has no rows"):
        load_dataset(tmp_path / "empty.csv")


def test_shared_teddy_cup_files_load_with_seven_labels(teddy_dir: Path) -> None:
    segmented = load_teddycup_segmented(teddy_dir / "messages_segmented_9210.csv")
    raw = load_teddycup_raw(teddy_dir / "messages_raw_1842.jsonl")
    assert len(segmented) == 9210
    assert len(raw) == 1842
    assert len(set(segmented["category_l1"])) == 7
    assert set(raw["category_l1"]) == set(segmented["category_l1"])
    assert " " not in segmented["text"][0]


def test_gbk_files_are_read_and_mixed_json_types_are_named(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("text,label\n暖气不热,城乡建设\n路灯坏了,城乡建设\n".encode("gbk"))
    assert load_dataset(gbk, label_columns=["label"], min_classes=1)["text"] == ["暖气不热", "路灯坏了"]
    (tmp_path / "binary.csv").write_bytes(b"text,label\n\xff\xfe\xff\xfe,x\n")
    with pytest.raises(DataValidationError, match="neither UTF-8 nor GBK"):
        load_dataset(tmp_path / "binary.csv")
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(
        '{"text": "暖气不热", "label": "城乡建设"}\n{"text": "路灯坏了", "label": NaN}\n', "utf-8"
    )
    with pytest.raises(
        DataValidationError, match="record 2: field 'label' is a number, but record 1 has text"
    ):
        load_dataset(mixed)
    numbers = tmp_path / "numbers.jsonl"
    numbers.write_text('{"text": "暖气不热"}\n{"text": 42}\n', encoding="utf-8")
    with pytest.raises(DataValidationError, match="field 'text' is a number"):
        load_dataset(numbers)
