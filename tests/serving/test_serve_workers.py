"""`jiesu serve --workers N` as an operator runs it (a real server in a subprocess), and
`scripts/walkthrough.sh` against it on a port that is not 8000."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.serving.conftest import BACKENDS, PostgresServer

ROOT = Path(__file__).resolve().parents[2]
WALKTHROUGH = ROOT / "scripts" / "walkthrough.sh"
JIESU_BIN = Path(sys.executable).parent / "jiesu"
PHONE = "13812345678"  # in the walkthrough's request body and in a query string below: never in the log
needs_bash_and_curl = pytest.mark.skipif(
    not (shutil.which("bash") and shutil.which("curl")), reason="the walkthrough needs bash and curl"
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _workers(pid: int) -> list[int]:
    """The processes `pid` spawned as workers (not multiprocessing's resource tracker)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == pid and b"spawn_main" in (stat.parent / "cmdline").read_bytes():
            children.append(int(stat.parent.name))  # fields: state, ppid, …
    return children


@contextmanager
def _serve(env: dict[str, str], log_path: Path, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "jiesu", "serve", *args], env=env, stdout=log_file, stderr=log_file
        )
        try:
            yield process
        finally:
            process.send_signal(signal.SIGINT)  # Ctrl-C: the parent stops its workers
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_health(process: subprocess.Popen[bytes], base: str, log_path: Path) -> None:
    deadline = time.monotonic() + 180  # two workers load the model side by side on a loaded machine
    while time.monotonic() < deadline:
        assert process.poll() is None, log_path.read_text(errors="replace")[-3000:]
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"no answer from {base}/health: {log_path.read_text(errors='replace')[-3000:]}")


@pytest.mark.slow  # two workers each load the model, then the whole walkthrough runs (~25 s per backend)
@needs_bash_and_curl
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="counts the workers in /proc")
@pytest.mark.parametrize("backend", BACKENDS)
def test_two_workers_serve_with_jiesus_request_log_and_the_walkthrough_follows_jiesu_port(
    backend: str, seed_model_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if not JIESU_BIN.exists():
        pytest.skip(f"the walkthrough runs the jiesu command, not installed at {JIESU_BIN}")
    port = _free_port()
    env = os.environ | {
        "JIESU_DATA_DIR": str(tmp_path / "var"),
        "JIESU_MODEL_DIR": str(seed_model_dir),
        "JIESU_PORT": str(port),
        "JIESU_BIN": str(JIESU_BIN),
        "PYTHON": sys.executable,
    }
    env.pop("JIESU_DATABASE_URL", None)
    env.pop("JIESU_URL", None)
    if backend == "postgres":  # a migrated database (only the embedded SQLite is migrated on start)
        postgres: PostgresServer = request.getfixturevalue("postgres")
        env["JIESU_DATABASE_URL"] = postgres.fresh()
    log_path = tmp_path / "serve.log"
    with _serve(env, log_path, "--workers", "2") as server:
        _wait_for_health(server, f"http://127.0.0.1:{port}", log_path)
        assert len(_workers(server.pid)) == 2
        walk = subprocess.run(
            ["bash", str(WALKTHROUGH)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert walk.returncode == 0, walk.stdout[-2000:] + walk.stderr[-2000:]
        assert "walkthrough OK" in walk.stdout
        assert "caller 138****5678" in walk.stdout  # the auditor's view is masked by every worker
        key = subprocess.run(
            [str(JIESU_BIN), "keys", "create", "--role", "auditor"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for _ in range(8):
            listing = urllib.request.Request(
                f"http://127.0.0.1:{port}/v1/tickets?caller_phone={PHONE}", headers={"X-API-Key": key}
            )
            with urllib.request.urlopen(listing, timeout=10) as response:
                assert response.status == 200
    log = log_path.read_text(errors="replace")
    assert log.count("INFO jiesu.serving.app: serving model ") == 2  # each worker set up jiesu's logging
    assert ("WARNING jiesu.serving.commands: 2 workers on SQLite" in log) == (backend == "sqlite")
    assert log.count("method=GET path=/v1/tickets status=200") >= 8  # jiesu's request line, no query
    assert "method=POST path=/v1/tickets status=201" in log
    assert PHONE not in log
    assert '"GET /' not in log  # no uvicorn access line
    assert "Traceback" not in log


@needs_bash_and_curl
def test_the_walkthrough_fails_at_once_when_nothing_listens(tmp_path: Path) -> None:
    port = _free_port()
    env = os.environ | {"JIESU_PORT": str(port), "JIESU_DATA_DIR": str(tmp_path)}
    env.pop("JIESU_URL", None)
    begun = time.monotonic()
    walk = subprocess.run(["bash", str(WALKTHROUGH)], env=env, capture_output=True, text=True, timeout=60)
    assert walk.returncode == 1
    assert time.monotonic() - begun < 10
    assert f"no jiesu server answers at http://127.0.0.1:{port}" in walk.stderr
    assert "same JIESU_PORT" in walk.stderr
    # JIESU_URL still wins over JIESU_PORT
    env["JIESU_URL"] = f"http://127.0.0.1:{_free_port()}/"
    walk = subprocess.run(["bash", str(WALKTHROUGH)], env=env, capture_output=True, text=True, timeout=60)
    assert f"at {env['JIESU_URL'].rstrip('/')} " in walk.stderr
