"""The pieces of `jiesu bench rescore` that need no model: its input, the memory sampler, the report."""

from __future__ import annotations

import json
import os
from pathlib import Path

from jiesu.batch.bench import format_report, tree_rss, write_input


def test_the_input_repeats_the_texts_with_distinct_ids(tmp_path: Path) -> None:
    raw = tmp_path / "raw.jsonl"
    raw.write_text(
        "".join(json.dumps({"label": "x", "text": t}) + "\n" for t in ("甲", "乙")), encoding="utf-8"
    )
    rows = [json.loads(line) for line in write_input(raw, 5, tmp_path / "in.jsonl").read_text().splitlines()]
    assert [row["text"] for row in rows] == ["甲", "乙", "甲", "乙", "甲"]
    assert len({row["id"] for row in rows}) == 5


def test_the_memory_of_this_process_tree_is_sampled() -> None:
    assert tree_rss(os.getpid()) > 10 * 2**20


def test_the_report_prints_the_targets_side_by_side() -> None:
    run = {"rows": 1000, "seconds": 2.0, "rows_per_s": 500.0, "peak_rss_mb": 700.0}
    report = {
        "runs": {"1 worker": run, "2 workers": run | {"rows_per_s": 950.0}},
        "speedup_2_vs_1": 1.9,
        "rows_per_s": 950.0,
        "memory_growth": 0.02,
        "targets": {"speedup_2_vs_1": 1.8, "rows_per_s": 2500.0, "memory_growth": 0.1},
        "met": {"speedup_2_vs_1": True, "rows_per_s": False, "memory_growth": True, "ray_equal": None},
    }
    printed = format_report(report)
    assert "1.90×" in printed
    assert "MISSED" in printed
    assert printed.count("met") >= 2
