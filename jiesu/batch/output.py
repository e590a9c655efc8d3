"""The output folder of a re-scoring: the manifest (what the run was asked, so that a resumed run is the
same run), one Parquet shard and one errors file per input chunk, each written under a temporary name and
renamed into place (the shard last: a chunk is done exactly when its shard exists), and the final
errors.jsonl gathered from the chunks' errors in input order."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, Field

from jiesu.batch.inputs import InputFile
from jiesu.batch.readers import RowError
from jiesu.errors import JiesuError

MANIFEST = "manifest.json"
SUMMARY = "summary.json"
ERRORS = "errors.jsonl"
SHARDS = "shards"
CHUNK_ERRORS = "chunk_errors"
LOCK = ".lock"
TEMP_MARK = ".tmp-"
MANIFEST_FORMAT = 1


class Manifest(BaseModel):
    format: int = Field(description="the manifest's own format")
    fingerprint: str = Field(description="sha256 of the arguments and the inputs' sizes and times")
    model_id: str = Field(description="the model that scores this output")
    arguments: dict[str, Any] = Field(description="what the fingerprint was computed from")
    created_at: str


def fingerprint(arguments: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(arguments, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def input_identity(sources: Sequence[InputFile]) -> list[dict[str, Any]]:
    """What a resumed run must find unchanged: each input's path, size and modification time."""
    out = []
    for source in sources:
        stat = source.path.stat()
        out.append({"path": str(source.path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns})
    return out


def open_output(directory: Path, arguments: dict[str, Any], model_id: str) -> bool:
    """Create the output folder or check that it holds this run. True when resuming. A folder holding
    another run's output (other arguments, inputs changed since, another model) or other files is a
    JiesuError: re-scoring never mixes two runs in one output."""
    print_ = fingerprint(arguments)
    path = directory / MANIFEST
    if path.exists():
        manifest = Manifest.model_validate_json(path.read_text(encoding="utf-8"))
        if manifest.model_id != model_id:
            raise JiesuError(
                f"{directory} holds a re-scoring by model {manifest.model_id}, not {model_id}: "
                "give another --output to score with this model"
            )
        if manifest.fingerprint != print_:
            changed = sorted(
                key
                for key in {*manifest.arguments, *arguments}
                if manifest.arguments.get(key) != arguments.get(key)
            )
            raise JiesuError(
                f"{directory} holds a re-scoring with other arguments or inputs (differing: "
                f"{', '.join(changed)}{_inputs_changed(manifest.arguments, arguments)}); "
                "resume with the same ones, or give another --output"
            )
        return True
    if any(not _left_by_a_start(entry) for entry in directory.iterdir()):
        raise JiesuError(f"{directory} is not empty and holds no re-scoring ({MANIFEST}); give a new folder")
    (directory / SHARDS).mkdir(parents=True, exist_ok=True)
    (directory / CHUNK_ERRORS).mkdir(exist_ok=True)
    manifest = Manifest(
        format=MANIFEST_FORMAT,
        fingerprint=print_,
        model_id=model_id,
        arguments=arguments,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    write_atomically(path, manifest.model_dump_json(indent=1).encode("utf-8"))
    return False


def _left_by_a_start(entry: Path) -> bool:
    """The lock, and the empty folders a run killed before it wrote its manifest leaves behind."""
    if entry.name == LOCK:
        return True
    return entry.name in (SHARDS, CHUNK_ERRORS) and entry.is_dir() and not any(entry.iterdir())


def _inputs_changed(before: dict[str, Any], now: dict[str, Any]) -> str:
    """Which inputs a resumed run finds new, gone or changed since (size or time), for the message."""
    if before.get("inputs") == now.get("inputs"):
        return ""
    old = {entry["path"]: entry for entry in before.get("inputs", [])}
    new = {entry["path"]: entry for entry in now.get("inputs", [])}
    parts = [
        ("new", [path for path in new if path not in old]),
        ("gone", [path for path in old if path not in new]),
        ("changed since", [path for path in new if path in old and new[path] != old[path]]),
    ]
    return "".join(f"; {what}: {_some(paths)}" for what, paths in parts if paths)


def _some(paths: list[str], shown: int = 5) -> str:
    more = f" and {len(paths) - shown} more" if len(paths) > shown else ""
    return ", ".join(paths[:shown]) + more


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """One run at a time per output folder (the lock dies with its process, even on SIGKILL); leftover
    temporary files of a killed run are removed first."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise JiesuError(f"{directory} is being written by another re-scoring run") from None
        for leftover in directory.rglob(f".*{TEMP_MARK}*"):
            leftover.unlink(missing_ok=True)
        yield


def shard_path(directory: Path, source: InputFile, index: int) -> Path:
    return directory / SHARDS / f"{source.key}-{index:06d}.parquet"


def errors_path(shard: Path) -> Path:
    """A chunk's errors, beside the shards' folder (which holds Parquet files only: it reads as one
    dataset, `pyarrow.parquet.read_table(DIR / "shards")`)."""
    return shard.parent.parent / CHUNK_ERRORS / f"{shard.stem}.jsonl"


def _temporary(path: Path) -> Path:
    # A leading dot: Parquet readers skip it when they read the folder while a run writes.
    return path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}")


def write_atomically(path: Path, data: bytes) -> None:
    temporary = _temporary(path)
    temporary.write_bytes(data)
    temporary.replace(path)


def write_chunk(shard: Path, table: pa.Table, errors: Sequence[RowError]) -> None:
    """The chunk's errors, then its shard (an empty shard for a chunk of errors only): once the shard is
    in place, both are."""
    lines = "".join(error.model_dump_json() + "\n" for error in errors)
    write_atomically(errors_path(shard), lines.encode("utf-8"))
    temporary = _temporary(shard)
    pq.write_table(table, temporary, compression="zstd")
    temporary.replace(shard)


def done_records(shard: Path) -> int:
    """Records a finished chunk accounted for (scored and refused), from its files' metadata."""
    rows = int(pq.ParquetFile(shard).metadata.num_rows)
    with errors_path(shard).open("rb") as handle:
        return rows + sum(1 for _ in handle)


def gather_errors(directory: Path, shards: Sequence[Path]) -> int:
    """errors.jsonl: every chunk's errors, in input order. Returns how many."""
    count = 0
    temporary = _temporary(directory / ERRORS)
    with temporary.open("wb") as out:
        for shard in shards:
            with errors_path(shard).open("rb") as handle:
                for line in handle:
                    out.write(line)
                    count += 1
    temporary.replace(directory / ERRORS)
    return count
