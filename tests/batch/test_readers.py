"""Reading inputs in chunks: every format, globs, encodings, and each unreadable row as an error with its
file, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiesu.batch.inputs import detect_encoding, estimate_rows, expand_inputs
from jiesu.batch.readers import Chunk, Columns, InputRow, RowError, read_chunks
from jiesu.errors import JiesuError
from tests.batch.conftest import write_history


def _read(path: Path, chunk_rows: int = 1000, **options: str) -> list[Chunk]:
    [source] = expand_inputs([str(path)])
    return list(read_chunks(source, Columns(**options), chunk_rows))


def _rows(chunks: list[Chunk]) -> list[InputRow]:
    return [row for chunk in chunks for row in chunk.rows]


def _errors(chunks: list[Chunk]) -> list[RowError]:
    return [error for chunk in chunks for error in chunk.errors]


def test_every_format_reads_every_good_row_and_names_each_bad_one(tmp_path: Path) -> None:
    history = write_history(tmp_path, rows_per_file=12)
    csv_chunks = _read(history.files[0], historical_unit="unit")
    rows = _rows(csv_chunks)
    assert [row.id for row in rows] == [f"c{n}" for n in range(12)]
    assert rows[0].text.startswith("朝阳区")  # the byte-order mark is not part of the header
    assert "\n" in rows[3].text  # a quoted line break stays in its field
    assert rows[4].number == 7  # the line where the record starts, after the two-line record (5–6)
    assert rows[0].historical_unit == "北京市热力集团"
    assert [(error.number, error.id, error.reason.split(" (")[0]) for error in _errors(csv_chunks)] == [
        (15, "bad1", "the text is not utf-8 text"),
        (16, "empty1", "the text is empty"),
        (17, None, "broken quoting: ',' expected after '\"'"),
    ]
    json_chunks = _read(history.files[1])
    assert len(_rows(json_chunks)) == 12
    assert [(error.number, error.reason.split(":")[0]) for error in _errors(json_chunks)] == [
        (7, "not valid JSON"),
        (8, "no text column 'text'"),
    ]
    parquet_rows = _rows(_read(history.files[2]))
    assert [row.number for row in parquet_rows] == list(range(1, 13))
    assert all(error.source == str(history.files[0]) for error in _errors(csv_chunks))


def test_chunks_have_a_fixed_number_of_records_errors_included(tmp_path: Path) -> None:
    history = write_history(tmp_path, rows_per_file=12)
    chunks = _read(history.files[0], chunk_rows=5)
    assert [chunk.records for chunk in chunks] == [5, 5, 5]
    assert [chunk.index for chunk in chunks] == [0, 1, 2]
    assert _read(history.files[0], chunk_rows=5)[2].errors == chunks[2].errors  # the same cut every time


def test_tsv_gb18030_and_ids_from_a_column_or_the_line(tmp_path: Path) -> None:
    path = tmp_path / "old.tsv"
    path.write_bytes("编号\t内容\n0012\t朝阳区暖气不热\n\t海淀区噪音扰民\n".encode("gb18030"))
    assert detect_encoding(path) == "gb18030"
    rows = _rows(_read(path, text="内容", id="编号"))
    assert [row.text for row in rows] == ["朝阳区暖气不热"]
    chunks = _read(path, text="内容")
    assert [row.id for row in _rows(chunks)] == [f"{path}:2", f"{path}:3"]
    assert _errors(_read(path, text="内容", id="编号"))[0].reason == "no id in column '编号'"


def test_globs_and_bad_arguments(tmp_path: Path) -> None:
    history = write_history(tmp_path, rows_per_file=3)
    found = expand_inputs([str(tmp_path / "history.*"), str(history.files[0])])
    assert [source.path for source in found] == sorted(history.files)
    assert len({source.key for source in found}) == 3
    assert estimate_rows(found[2]) == 3  # parquet: exact
    with pytest.raises(JiesuError, match="no such file"):
        expand_inputs([str(tmp_path / "missing-*.csv")])
    (tmp_path / "sheet.xlsx").write_bytes(b"PK")
    with pytest.raises(JiesuError, match="save it as CSV"):
        expand_inputs([str(tmp_path / "sheet.xlsx")])
    with pytest.raises(JiesuError, match="has no column '内容'"):
        _read(history.files[0], text="内容")
    with pytest.raises(JiesuError, match="--historical-unit-column"):
        _read(history.files[2], historical_unit="承办单位")
