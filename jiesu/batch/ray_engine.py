"""`jiesu rescore --engine ray`: the same job on Ray Data, so that it can run on a cluster.

The dataset's rows are the input files; a first `map_batches` reads each file with the same chunk reader
as the local engine and yields one row per chunk not yet done; a second one, a callable class run by
`workers` actors, loads the model once per actor and scores chunk after chunk, writing each chunk's shard
and errors exactly as the local engine does (same names, same bytes), so a run may be resumed by either
engine. On a cluster, the inputs, the model directory and the output folder must be at the same path on
every node (a shared file system)."""

from __future__ import annotations

import functools
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jiesu.batch.output import shard_path
from jiesu.batch.readers import Chunk, Columns, read_chunks
from jiesu.batch.scoring import load_suggester
from jiesu.extras import require_extra

if TYPE_CHECKING:  # the job module imports this one lazily
    from jiesu.batch.job import RescoreJob


def run_on_ray(
    job: RescoreJob, workers: int, address: str | None, gpus_per_worker: float = 0.0
) -> Iterator[tuple[int, int]]:
    """(records, rows scored) per chunk scored, in the order Ray finishes them. `gpus_per_worker`: what
    each actor asks Ray for (a transformer model whose configuration says `device: cuda`)."""
    require_extra("ray", "jiesu rescore --engine ray")
    import logging

    import ray
    from ray.data import ActorPoolStrategy, DataContext

    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    context = DataContext.get_current()
    context.enable_progress_bars = False  # jiesu draws its own
    context.execution_options.preserve_order = False
    context.target_max_block_size = 1  # one block per chunk, so that chunks spread over the actors
    files = [{"source": pickle.dumps(source)} for source in job.sources]
    reader = functools.partial(
        _read_chunks, columns=job.columns, output=str(job.output), chunk_rows=job.chunk_rows
    )
    chunks = ray.data.from_items(files, override_num_blocks=max(len(files), 1)).map_batches(
        reader,
        batch_size=1,
        num_cpus=0,  # reading is light, and the actors hold every CPU: a reader needing one would wait forever
    )
    scored = chunks.map_batches(
        _ChunkScorer,
        fn_constructor_kwargs={
            "model_dir": str(job.model_dir),
            "output": str(job.output),
            "with_json": job.with_json,
        },
        batch_size=1,
        compute=ActorPoolStrategy(size=workers),
        num_cpus=1,
        num_gpus=gpus_per_worker,
    )
    for row in scored.iter_rows():
        yield int(row["records"]), int(row["rows"])


def _read_chunks(
    batch: dict[str, Any], columns: Columns, output: str, chunk_rows: int
) -> Iterator[dict[str, list[bytes]]]:
    """Reads the input files of `batch` and yields each chunk without a shard, pickled, one per batch."""
    for raw_source in batch["source"]:
        source = pickle.loads(raw_source)
        for chunk in read_chunks(source, columns, chunk_rows):
            if not shard_path(Path(output), source, chunk.index).exists():
                yield {"chunk": [pickle.dumps(chunk)]}


class _ChunkScorer:
    """One per actor: loads the model once, then scores the chunks it is given and writes their shards."""

    def __init__(self, model_dir: str, output: str, with_json: bool) -> None:
        self.suggester = load_suggester(model_dir)
        self.output = Path(output)
        self.with_json = with_json

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[int]]:
        from jiesu.batch.job import process_chunk

        records, rows = [], []
        for raw in batch["chunk"]:
            chunk: Chunk = pickle.loads(raw)
            done = process_chunk(self.suggester, chunk, self.output, self.with_json)
            records.append(done[0])
            rows.append(done[1])
        return {"records": records, "rows": rows}
