"""Faults found in review (issue 14): a column missing from the last of several inputs is refused before
anything is scored; a folder killed between its creation and its manifest resumes; a refused resume names
the inputs that changed; a quote never closed names the lines it swallowed."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jiesu.batch.inputs import expand_inputs
from jiesu.batch.job import RescoreJob, run_job
from jiesu.batch.output import CHUNK_ERRORS, SHARDS, input_identity, open_output
from jiesu.batch.readers import Columns, check_sources, read_chunks
from jiesu.batch.scoring import _start_worker
from jiesu.cli import main
from jiesu.errors import JiesuError

TEXT = "朝阳区望京街道小区暖气不热，家里只有十五度"


def test_a_column_missing_from_a_later_input_is_refused_before_anything_is_scored(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(f"id,text\n1,{TEXT}\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text(f"id,body\n2,{TEXT}\n", encoding="utf-8")
    sources = expand_inputs([str(tmp_path / "*.csv")])
    output = tmp_path / "out"
    # No model is needed to find the mistake: the check comes before the model is read.
    job = RescoreJob(tmp_path / "no-model", sources, output)
    with pytest.raises(JiesuError, match=r"b\.csv has no column 'text'"):
        run_job(job, workers=1, progress=False)
    assert not output.exists()


def test_a_parquet_text_column_that_holds_no_text_is_refused(tmp_path: Path) -> None:
    pq.write_table(pa.table({"id": ["1"], "text": pa.array([7], pa.int64())}), tmp_path / "n.parquet")
    pq.write_table(pa.table({"id": ["2"], "text": pa.array([None], pa.string())}), tmp_path / "s.parquet")
    job = RescoreJob(tmp_path / "no-model", expand_inputs([str(tmp_path / "*.parquet")]), tmp_path / "out")
    with pytest.raises(JiesuError, match=r"n\.parquet: column 'text' holds int64, not text"):
        run_job(job, workers=1, progress=False)


def test_a_folder_killed_before_its_manifest_was_written_is_resumed(tmp_path: Path) -> None:
    output = tmp_path / "out"
    (output / SHARDS).mkdir(parents=True)
    (output / CHUNK_ERRORS).mkdir()
    assert open_output(output, {"chunk_rows": 3}, "model-a") is False
    assert open_output(output, {"chunk_rows": 3}, "model-a") is True


def test_a_refused_resume_names_the_inputs_that_changed(tmp_path: Path) -> None:
    first, second, third = (tmp_path / f"{name}.csv" for name in ("first", "second", "third"))
    for path in (first, second):
        path.write_text(f"id,text\n1,{TEXT}\n", encoding="utf-8")
    output = tmp_path / "out"
    output.mkdir()
    open_output(output, {"inputs": input_identity(expand_inputs([str(tmp_path / "*.csv")]))}, "m")
    with first.open("a", encoding="utf-8") as handle:
        handle.write(f"2,{TEXT}\n")
    third.write_text(f"id,text\n1,{TEXT}\n", encoding="utf-8")
    arguments = {"inputs": input_identity(expand_inputs([str(tmp_path / "*.csv")]))}
    with pytest.raises(JiesuError) as refused:
        open_output(output, arguments, "m")
    message = str(refused.value)
    assert "differing: inputs" in message
    assert f"changed since: {first.resolve()}" in message
    assert f"new: {third.resolve()}" in message
    assert str(second.resolve()) not in message


def test_a_quote_never_closed_names_the_lines_it_swallowed(tmp_path: Path) -> None:
    lines = ["id,text", f"1,{TEXT}", f'2,"{TEXT}', *(f"{n},{TEXT}" for n in range(3, 10))]
    path = tmp_path / "q.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [source] = expand_inputs([str(path)])
    [chunk] = read_chunks(source, Columns(), 100)
    [error] = chunk.errors
    assert error.number == 3
    assert "lines 3 to 10" in error.reason
    assert [row.id for row in chunk.rows] == ["1"]


def test_options_that_from_db_would_ignore_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rescore", "--from-db", "--engine", "ray"]) == 2
    assert "--from-db runs on the local engine" in capsys.readouterr().err
    assert main(["rescore", "--from-db", "--input", "history.csv"]) == 2
    assert "--from-db reads the serving database, not --input" in capsys.readouterr().err
    assert main(["rescore", "--input", "history.csv", "--database-url", "sqlite://"]) == 2
    assert "--database-url goes with --from-db" in capsys.readouterr().err


def test_a_byte_order_mark_read_as_utf_8_does_not_hide_the_id_column(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(f"\ufeffid,text\nA-7,{TEXT}\n".encode())
    [source] = expand_inputs([str(path)], encoding="utf-8")  # --encoding utf-8 on a file with a BOM
    check_sources([source], Columns(id="id"))
    [chunk] = read_chunks(source, Columns(), 100)
    assert [row.id for row in chunk.rows] == ["A-7"]


def test_a_worker_whose_run_died_while_it_started_exits_before_loading_the_model(tmp_path: Path) -> None:
    """The kernel's signal on the parent's death is only asked for once the worker runs its initializer,
    seconds after it was spawned: a run killed in between must not leave it scoring queued chunks."""
    with pytest.raises(SystemExit):
        _start_worker(str(tmp_path / "no-model"), parent=-1)
    with pytest.raises(JiesuError, match="no-model"):  # its parent alive: it goes on to load the model
        _start_worker(str(tmp_path / "no-model"), parent=os.getppid())
