"""`jiesu bench rescore`: issue 14's targets for re-scoring, side by side in one run.

The raw Teddy Cup messages (texts of realistic length) are repeated to `rows` rows of JSON Lines, each
with its own id; `jiesu rescore` runs on them in a subprocess, as an analyst runs it, with 1 worker and
with 2, and the run's whole process tree is sampled for its resident memory. Then the same with
`memory_rows` rows (2 workers), to see whether the peak grows with the input; and the Ray engine against
the local one on a small part of the same input (equal output rows?). Throughput is rows over the whole
run's wall time, model loading included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from jiesu.evaluation.real_text import json_lines

TARGETS = {"speedup_2_vs_1": 1.8, "rows_per_s": 2500.0, "memory_growth": 0.10}
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def write_input(raw_file: Path, rows: int, path: Path) -> Path:
    """`rows` JSON Lines of the raw texts, repeated in order, with ids r1, r2 …"""
    texts = [row["text"] for _, row in json_lines(raw_file) if isinstance(row, dict)]
    with path.open("w", encoding="utf-8") as out:
        for number in range(rows):
            record = {"id": f"r{number + 1}", "text": texts[number % len(texts)]}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and every process below it (from /proc; 0 where /proc is missing)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
        except (OSError, ValueError, IndexError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    total = 0
    for pid in tree:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            continue
    return total


def run_rescore(
    model_dir: Path, source: Path, output: Path, workers: int, engine: str = "local"
) -> dict[str, Any]:
    """One `jiesu rescore` in a subprocess: wall time, rows/s, peak resident memory of its tree."""
    command = [
        sys.executable,
        "-m",
        "jiesu.cli",
        "rescore",
        "--model",
        str(model_dir),
        "--input",
        str(source),
    ]
    command += ["--output", str(output), "--workers", str(workers), "--engine", engine, "--no-progress"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(process.pid))
            stop.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    stop.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"jiesu rescore failed ({process.returncode}): {err[-2000:]}")
    summary = json.loads((output / "summary.json").read_text(encoding="utf-8"))
    return {
        "workers": workers,
        "engine": engine,
        "rows": summary["rows"],
        "errors": summary["errors"],
        "seconds": round(seconds, 2),
        "rows_per_s": round(summary["rows"] / seconds, 1),
        "peak_rss_mb": round(peak / 2**20, 1),
        "printed": out.strip().splitlines()[-2:],
    }


def same_output(first: Path, second: Path) -> bool:
    import pyarrow.parquet as pq

    tables = [pq.read_table(path / "shards").sort_by("id") for path in (first, second)]
    errors = [(path / "errors.jsonl").read_text(encoding="utf-8") for path in (first, second)]
    return bool(tables[0].equals(tables[1])) and errors[0] == errors[1]


def run_benchmark(
    model_dir: Path,
    raw_file: Path,
    output: Path,
    *,
    rows: int = 200_000,
    memory_rows: int = 1_000_000,
    ray_rows: int | None = 2_000,
) -> dict[str, Any]:
    report: dict[str, Any] = {"model": str(model_dir), "source": str(raw_file), "targets": TARGETS}
    with tempfile.TemporaryDirectory(prefix="jiesu-bench-rescore-") as scratch:
        work = Path(scratch)
        small = write_input(raw_file, rows, work / f"rows-{rows}.jsonl")
        one = run_rescore(model_dir, small, work / "one", 1)
        two = run_rescore(model_dir, small, work / "two", 2)
        (work / f"rows-{rows}.jsonl").unlink()
        large = write_input(raw_file, memory_rows, work / f"rows-{memory_rows}.jsonl")
        big = run_rescore(model_dir, large, work / "big", 2)
        report["runs"] = {"1 worker": one, "2 workers": two, f"2 workers, {memory_rows:,} rows": big}
        report["speedup_2_vs_1"] = round(two["rows_per_s"] / one["rows_per_s"], 3)
        report["rows_per_s"] = two["rows_per_s"]
        report["memory_growth"] = round(big["peak_rss_mb"] / two["peak_rss_mb"] - 1, 3)
        if ray_rows:
            part = write_input(raw_file, ray_rows, work / "ray.jsonl")
            local = run_rescore(model_dir, part, work / "ray-local", 2)
            on_ray = run_rescore(model_dir, part, work / "ray-ray", 2, engine="ray")
            report["ray"] = {
                "rows": ray_rows,
                "equal_output": same_output(work / "ray-local", work / "ray-ray"),
                "local": local,
                "ray": on_ray,
            }
    report["met"] = {
        "speedup_2_vs_1": report["speedup_2_vs_1"] >= TARGETS["speedup_2_vs_1"],
        "rows_per_s": report["rows_per_s"] >= TARGETS["rows_per_s"],
        "memory_growth": abs(report["memory_growth"]) <= TARGETS["memory_growth"],
        "ray_equal": report.get("ray", {}).get("equal_output"),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def format_report(report: dict[str, Any]) -> str:
    runs = report["runs"]
    lines = [f"{'run':<28} {'rows':>10} {'seconds':>9} {'rows/s':>9} {'peak RSS MB':>12}"]
    for name, run in runs.items():
        lines.append(
            f"{name:<28} {run['rows']:>10,} {run['seconds']:>9.1f} {run['rows_per_s']:>9,.0f} "
            f"{run['peak_rss_mb']:>12,.0f}"
        )
    if "ray" in report:
        ray = report["ray"]
        for name in ("local", "ray"):
            run = ray[name]
            lines.append(
                f"{name + ' engine (equality)':<28} {run['rows']:>10,} {run['seconds']:>9.1f} "
                f"{run['rows_per_s']:>9,.0f} {run['peak_rss_mb']:>12,.0f}"
            )
    met = report["met"]
    targets = report["targets"]

    def verdict(ok: bool | None) -> str:
        return "-" if ok is None else ("met" if ok else "MISSED")

    lines += [
        "",
        f"{'target':<34} {'measured':>10} {'target':>10}  verdict",
        f"{'2 workers / 1 worker':<34} {report['speedup_2_vs_1']:>9.2f}× {targets['speedup_2_vs_1']:>9.1f}×  "
        f"{verdict(met['speedup_2_vs_1'])}",
        f"{'rows/s with 2 workers':<34} {report['rows_per_s']:>10,.0f} {targets['rows_per_s']:>10,.0f}  "
        f"{verdict(met['rows_per_s'])}",
        f"{'peak memory growth, larger input':<34} {report['memory_growth']:>+10.1%} "
        f"{'±' + format(targets['memory_growth'], '.0%'):>10}  {verdict(met['memory_growth'])}",
        f"{'Ray output equals local':<34} {report.get('ray', {}).get('equal_output', '-')!s:>10} "
        f"{'True':>10}  {verdict(met['ray_equal'])}",
    ]
    return "\n".join(lines)
