"""The re-scoring job over files: chunks not yet done are scored (here in a process pool, or on Ray), each
written as its shard; then errors.jsonl and summary.json are built from every shard, so that a resumed
run's summary covers the whole input."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from jiesu.batch.inputs import InputFile, estimate_rows
from jiesu.batch.output import (
    SUMMARY,
    done_records,
    gather_errors,
    input_identity,
    locked,
    open_output,
    shard_path,
    write_atomically,
    write_chunk,
)
from jiesu.batch.readers import CHUNK_ROWS, Chunk, Columns, check_sources, read_chunks
from jiesu.batch.records import to_table
from jiesu.batch.scoring import map_in_processes, score_rows, worker_suggester
from jiesu.batch.summary import RescoreSummary, SummaryBuilder, Timing
from jiesu.errors import JiesuError
from jiesu.model.model_dir import METADATA_FILE
from jiesu.model.suggestion import Suggester

Engine = Literal["local", "ray"]


@dataclass(frozen=True)
class RescoreJob:
    model_dir: Path
    sources: list[InputFile]
    output: Path
    columns: Columns = field(default_factory=Columns)
    chunk_rows: int = CHUNK_ROWS
    with_json: bool = False

    def arguments(self) -> dict[str, Any]:
        """What the output depends on (the manifest's fingerprint): not the engine or the workers."""
        return {
            "inputs": input_identity(self.sources),
            "formats": [[source.format, source.delimiter, source.encoding] for source in self.sources],
            "columns": [
                self.columns.text,
                self.columns.id,
                self.columns.historical_unit,
                self.columns.historical_category,
            ],
            "chunk_rows": self.chunk_rows,
            "with_json": self.with_json,
        }

    def pending(self) -> Iterator[Chunk]:
        """The chunks whose shard is not written yet, in input order."""
        for source in self.sources:
            for chunk in read_chunks(source, self.columns, self.chunk_rows):
                if not shard_path(self.output, source, chunk.index).exists():
                    yield chunk

    def shards(self) -> list[Path]:
        """Every shard written, in input order."""
        found = []
        for source in self.sources:
            found += sorted((self.output / "shards").glob(f"{source.key}-[0-9]*.parquet"))
        return found


def model_id_of(model_dir: Path) -> str:
    """The model's id from its metadata, without loading it (the workers load it)."""
    try:
        metadata = json.loads((model_dir / METADATA_FILE).read_text(encoding="utf-8"))
        return str(metadata["model_id"])
    except (OSError, ValueError, KeyError):
        raise JiesuError(f"{model_dir} is not a model directory (no readable {METADATA_FILE})") from None


def process_chunk(suggester: Suggester, chunk: Chunk, output: Path, with_json: bool) -> tuple[int, int]:
    """Score one chunk and write its shard and errors. Returns (records, rows scored)."""
    rows, refused = score_rows(suggester, chunk.rows, chunk.source.display, with_json=with_json)
    errors = sorted([*chunk.errors, *refused], key=lambda error: error.number)
    write_chunk(shard_path(output, chunk.source, chunk.index), to_table(rows), errors)
    return chunk.records, len(rows)


def _chunk_task(task: tuple[Chunk, Path, bool]) -> tuple[int, int]:
    chunk, output, with_json = task
    return process_chunk(worker_suggester(), chunk, output, with_json)


def run_job(
    job: RescoreJob,
    *,
    engine: Engine = "local",
    workers: int | None = None,
    progress: bool = True,
    ray_address: str | None = None,
    ray_gpus_per_worker: float = 0.0,
) -> RescoreSummary:
    """Score whatever is not done yet, then write errors.jsonl and summary.json; returns the summary."""
    from tqdm import tqdm

    workers = workers or os.cpu_count() or 1
    started, clock = datetime.now(UTC), time.perf_counter()
    check_sources(job.sources, job.columns)
    model_id = model_id_of(job.model_dir)
    with locked(job.output):
        resumed = open_output(job.output, job.arguments(), model_id)
        done = sum(done_records(shard) for shard in job.shards())
        total = max(sum(estimate_rows(source) for source in job.sources), done)
        with tqdm(
            total=total, initial=done, unit=" rows", file=sys.stderr, disable=not progress, smoothing=0.1
        ) as bar:
            scored = 0
            if engine == "ray":
                from jiesu.batch.ray_engine import run_on_ray

                counts = run_on_ray(job, workers, ray_address, ray_gpus_per_worker)
            else:
                tasks = ((chunk, job.output, job.with_json) for chunk in job.pending())
                counts = map_in_processes(job.model_dir, _chunk_task, tasks, workers)
            for records, rows in counts:
                bar.update(records)
                scored += rows
            # The total was estimated from the files' lines (blank lines and quoted line breaks count there,
            # not as records): the bar ends at the records actually read, at 100%.
            bar.total = bar.n
            bar.refresh()
        shards = job.shards()
        errors = gather_errors(job.output, shards)
        builder = SummaryBuilder()
        builder.add_shards(shards)
        timing = Timing.since(
            started, clock, engine=engine, workers=workers, rows_scored=scored, resumed=resumed
        )
        summary = builder.build(model_id, [source.display for source in job.sources], errors, timing)
        write_atomically(job.output / SUMMARY, summary.model_dump_json(indent=1).encode("utf-8"))
    return summary
