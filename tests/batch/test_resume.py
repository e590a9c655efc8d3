"""The acceptance test of resuming: `jiesu rescore` in a subprocess, killed with SIGKILL at random points
three times, then run to the end: every input row is in the output exactly once, and so is every error."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.batch.conftest import write_history
from tests.batch.helpers import error_keys, output_ids

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # four runs of the command, each loading the model (~40 s)
def test_killed_three_times_then_finished_every_row_once(seed_model_dir: Path, tmp_path: Path) -> None:
    history = write_history(tmp_path / "in", rows_per_file=1500)
    output = tmp_path / "out"
    command = [sys.executable, "-m", "jiesu.cli", "rescore", "--model", str(seed_model_dir)]
    command += ["--input", *map(str, history.files), "--output", str(output), "--no-progress"]
    command += ["--chunk-rows", "20", "--workers", "2", "--historical-unit-column", "unit"]
    env = os.environ | {"PYTHONPATH": str(REPO_ROOT)}
    rng = random.Random(14)
    kills = 0
    for _ in range(3):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        shards_before = len(list(output.glob("shards/*.parquet")))
        deadline = time.monotonic() + 120
        # Wait for this run to write something, then kill it at a random moment after.
        while len(list(output.glob("shards/*.parquet"))) == shards_before and time.monotonic() < deadline:
            if process.poll() is not None:
                break
            time.sleep(0.05)
        # Soon after: a run scores a few thousand short rows a second, and each must leave work for the next.
        time.sleep(rng.uniform(0.0, 0.25))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        assert process.stderr is not None
        process.stderr.close()
    assert kills == 3, "the run finished before it could be killed three times: give it more rows"
    done_before = len(list(output.glob("shards/*.parquet")))
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert output_ids(output) == dict.fromkeys(history.ids, 1)
    assert done_before < len(list(output.glob("shards/*.parquet")))  # the last run had work left
    errors = error_keys(output)
    assert len(errors) == history.errors
    assert set(errors.values()) == {1}
    assert f"{len(history.ids):,} rows scored, {history.errors} refused" in finished.stdout
