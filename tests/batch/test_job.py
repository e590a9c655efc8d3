"""The re-scoring job in this process: every row once, errors once, the summary, resuming, and refusing
to mix two runs in one output folder."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jiesu.batch.inputs import expand_inputs
from jiesu.batch.job import RescoreJob, run_job
from jiesu.batch.readers import Columns
from jiesu.cli import main
from jiesu.errors import JiesuError
from tests.batch.conftest import write_history
from tests.batch.helpers import error_keys, output_ids

pytestmark = pytest.mark.slow  # every test loads the seed model from disk (~5 s) and scores with it


def _job(model_dir: Path, files: list[Path], output: Path, chunk_rows: int = 16) -> RescoreJob:
    columns = Columns(historical_unit="unit", historical_category="category")
    sources = expand_inputs([str(path) for path in files])
    return RescoreJob(model_dir, sources, output, columns, chunk_rows=chunk_rows)


def test_every_row_once_every_error_once_and_a_summary(seed_model_dir: Path, tmp_path: Path) -> None:
    history = write_history(tmp_path / "in", rows_per_file=20)
    output = tmp_path / "out"
    summary = run_job(_job(seed_model_dir, history.files, output), workers=1, progress=False)
    assert output_ids(output) == dict.fromkeys(history.ids, 1)
    assert sum(error_keys(output).values()) == history.errors == summary.errors
    assert summary.rows == len(history.ids) == 60
    assert summary.unit_agreement.rows == 60
    assert summary.category_agreement.rows == 60
    by_unit = summary.unit_agreement_by_unit
    assert sum(agreement.rows for agreement in by_unit.values()) == 60
    assert sum(pair.count for pair in summary.top_disagreements) <= 60 - summary.unit_agreement.agreeing
    assert summary.consultation_share is not None
    assert 0 <= summary.consultation_share <= 1
    table = pq.read_table(output / "shards")
    assert table.column("model_id").to_pylist()[0] == summary.model_id
    rows = {row["id"]: row for row in table.to_pylist()}
    assert rows["c0"]["category_l2"] == "供暖"
    assert rows["c0"]["category_agrees"] is True
    assert rows["c0"]["unit"] == "北京市热力集团"
    assert rows["c0"]["unit_agrees"] is True
    assert rows["c0"]["source"] == str(history.files[0])
    stored = json.loads((output / "summary.json").read_text(encoding="utf-8"))
    assert stored["rows"] == 60
    assert stored["timing"]["engine"] == "local"


def test_a_resumed_run_scores_only_what_is_missing(seed_model_dir: Path, tmp_path: Path) -> None:
    history = write_history(tmp_path / "in", rows_per_file=20)
    output = tmp_path / "out"
    job = _job(seed_model_dir, history.files, output)
    run_job(job, workers=1, progress=False)
    shards = job.shards()
    shards[1].unlink()  # as if killed before this chunk was renamed into place …
    (shards[2].parent / f".{shards[2].name}.tmp-999").write_bytes(b"half a file")  # … with a leftover
    summary = run_job(job, workers=1, progress=False)
    assert summary.timing is not None
    assert summary.timing.resumed
    assert 0 < summary.timing.rows_scored <= 16
    assert output_ids(output) == dict.fromkeys(history.ids, 1)
    assert sum(error_keys(output).values()) == history.errors
    assert not list(output.rglob(".*.tmp-*"))


def test_the_progress_bar_ends_at_100_percent_when_the_file_has_blank_lines(
    seed_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The bar's total is estimated from the lines (5 here, 4 records): it must still end at 4/4, 100%.
    path = tmp_path / "tiny.jsonl"
    texts = [
        "朝阳区望京街道小区暖气不热",
        "海淀区中关村街道楼下饭店油烟太大",
        "西城区施工噪音扰民",
        "请问社保怎么缴纳",
    ]
    lines = [json.dumps({"id": f"t{n}", "text": text}, ensure_ascii=False) for n, text in enumerate(texts)]
    path.write_text("\n".join([*lines[:2], "", *lines[2:]]) + "\n", encoding="utf-8")
    summary = run_job(_job(seed_model_dir, [path], tmp_path / "out"), workers=1, progress=True)
    assert summary.rows == 4
    last = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("100%"), last
    assert "| 4/4 [" in last, last


def test_another_run_is_refused_in_the_same_folder(seed_model_dir: Path, tmp_path: Path) -> None:
    history = write_history(tmp_path / "in", rows_per_file=4)
    output = tmp_path / "out"
    run_job(_job(seed_model_dir, history.files, output), workers=1, progress=False)
    with pytest.raises(JiesuError, match="other arguments or inputs \\(differing: chunk_rows\\)"):
        run_job(_job(seed_model_dir, history.files, output, chunk_rows=3), workers=1, progress=False)
    with pytest.raises(JiesuError, match="differing: formats, inputs"):
        run_job(_job(seed_model_dir, history.files[:1], output), workers=1, progress=False)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(JiesuError, match="holds no re-scoring"):
        run_job(_job(seed_model_dir, history.files, tmp_path / "other"), workers=1, progress=False)


def test_the_command_with_two_workers(
    seed_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = write_history(tmp_path / "in", rows_per_file=10)
    output = tmp_path / "out"
    argv = ["rescore", "--model", str(seed_model_dir), "--input", str(tmp_path / "in" / "history.*")]
    argv += ["--output", str(output), "--workers", "2", "--chunk-rows", "8", "--no-progress"]
    argv += ["--historical-unit-column", "unit"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "30 rows scored, 5 refused" in printed
    assert output_ids(output) == dict.fromkeys(history.ids, 1)
    assert main(["rescore", "--model", str(seed_model_dir), "--output", str(output)]) == 2
    assert "needs --input" in capsys.readouterr().err
