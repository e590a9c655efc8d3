"""The Ray engine, in Ray's local mode, writes the same output rows as the local engine on the same input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jiesu.batch.inputs import expand_inputs
from jiesu.batch.job import RescoreJob, run_job
from jiesu.batch.readers import Columns
from tests.batch.conftest import write_history

ray = pytest.importorskip("ray")


@pytest.fixture
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


@pytest.mark.slow  # starts Ray and two actors that each load the model (~30 s on 2 cores)
@pytest.mark.usefixtures("local_ray")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Ray Data warns about its own settings
def test_the_ray_engine_writes_what_the_local_engine_writes(seed_model_dir: Path, tmp_path: Path) -> None:
    history = write_history(tmp_path / "in", rows_per_file=30)
    sources = expand_inputs([str(path) for path in history.files])
    columns = Columns(historical_unit="unit", historical_category="category")
    outputs = {}
    for engine in ("local", "ray"):
        output = tmp_path / engine
        job = RescoreJob(seed_model_dir, sources, output, columns, chunk_rows=16)
        summary = run_job(job, engine="ray" if engine == "ray" else "local", workers=2, progress=False)
        assert summary.rows == len(history.ids)
        outputs[engine] = (
            pq.read_table(output / "shards").sort_by("id"),
            (output / "errors.jsonl").read_text(encoding="utf-8"),
            summary.model_dump(exclude={"timing"}),
        )
    assert outputs["ray"][0].equals(outputs["local"][0])
    assert outputs["ray"][1] == outputs["local"][1]
    assert outputs["ray"][2] == outputs["local"][2]
