"""Reading back what a re-scoring wrote."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq


def output_ids(output: Path) -> Counter[str]:
    """How many times each id is in the shards (every one once, after a finished run)."""
    table = pq.read_table(output / "shards", columns=["id"])
    return Counter(table.column("id").to_pylist())


def error_keys(output: Path) -> Counter[tuple[str, int]]:
    lines = (output / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    return Counter((error["source"], error["number"]) for error in map(json.loads, lines))
