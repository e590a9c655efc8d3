"""`jiesu bench serving`: the HTTP API under load, on the embedded SQLite and on PostgreSQL side by side.

For each database the benchmark starts its own server (a uvicorn subprocess on 127.0.0.1 and a free port,
one worker, over a fresh database: a temporary SQLite file, or a new PostgreSQL database that is dropped
afterwards) and measures:

1. intake under retries: `creates` ticket creates sent by `create_clients` concurrent clients, each
   sent twice with the same Idempotency-Key (every fourth pair races: both at once), then the tickets
   are counted in the database: none lost, none duplicated, every retry answered with the same ticket;
2. latency: POST /v1/suggest with `suggest_clients` concurrent clients (target p99 ≤ 50 ms), and the
   first attempt of each ticket create (target p99 ≤ 100 ms).

Both phases start after a warm-up under the same load (`warmup_creates` creates with retries, 200
suggestions), which is not timed: the first seconds of a fresh process (statement compilation for each
batch size, the connection pool filling up) are not the steady state that the targets are about. The
warm-up tickets are checked like the others (no errors), but counted apart.

Loops are bounded and only 127.0.0.1 is contacted. Latencies are measured by the client, which runs
on the same machine as the server.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, create_engine, text

TARGETS = {"suggest_p99_ms": 50.0, "create_p99_ms": 100.0, "lost": 0, "duplicated": 0}
DEFAULT_POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
STARTUP_TIMEOUT_S = 180.0


def run_benchmark(
    output: Path | None = None,
    *,
    model_dir: Path | None = None,
    postgres_url: str | None = DEFAULT_POSTGRES,
    creates: int = 1000,
    create_clients: int = 32,
    suggest_requests: int = 2000,
    suggest_clients: int = 16,
    workers: int = 1,
    warmup_creates: int = 200,
) -> dict[str, Any]:
    """Run the load benchmark on SQLite and (unless `postgres_url` is None or unreachable) PostgreSQL;
    `postgres_url` names an existing database used only to create and drop the benchmark's own."""
    from jiesu.training.default_model import ensure_default_model

    model_dir = model_dir or ensure_default_model()
    texts = _texts()
    report: dict[str, Any] = {
        "model_dir": str(model_dir),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "settings": {
            "creates": creates,
            "warmup_creates": warmup_creates,
            "create_clients": create_clients,
            "suggest_requests": suggest_requests,
            "suggest_clients": suggest_clients,
            "server": f"uvicorn, {workers} worker(s), 127.0.0.1",
            "workers": workers,
        },
        "targets": TARGETS,
        "backends": {},
    }
    with tempfile.TemporaryDirectory(prefix="jiesu-bench-") as tmp:
        sqlite_url = f"sqlite:///{Path(tmp) / 'jiesu.db'}"
        report["backends"]["sqlite"] = _run_backend(sqlite_url, model_dir, texts, report["settings"])
    if postgres_url:
        try:
            with _postgres_database(postgres_url) as url:
                report["backends"]["postgresql"] = _run_backend(url, model_dir, texts, report["settings"])
        except _Unavailable as exc:
            report["backends"]["postgresql"] = {"skipped": str(exc)}
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def format_report(report: dict[str, Any]) -> str:
    backends = report["backends"]
    names = list(backends)
    settings = report["settings"]
    lines = [
        f"serving benchmark ({settings['server']}; {report['machine']['cpus']} CPUs; client on the same machine;"
        f" timed after a warm-up of {settings.get('warmup_creates', 0)} creates and 200 suggestions)",
        f"{'':46}" + "".join(f"{name:>14}" for name in names) + f"{'target':>12}",
    ]

    def row(label: str, key: Callable[[dict[str, Any]], str], target: str = "") -> None:
        cells = [("skipped" if "skipped" in backends[name] else key(backends[name])) for name in names]
        lines.append(f"{label:46}" + "".join(f"{cell:>14}" for cell in cells) + f"{target:>12}")

    row(f"creates x2 (same key), {settings['create_clients']} clients", lambda b: f"{b['creates']['sent']}")
    row("tickets in the database", lambda b: f"{b['creates']['tickets_in_db']}", f"{settings['creates']}")
    row("(and warm-up tickets, not timed)", lambda b: f"{b['creates']['warmup_tickets_in_db']}")
    row("lost / duplicated", lambda b: f"{b['creates']['lost']} / {b['creates']['duplicated']}", "0 / 0")
    row("retries answered with the same ticket", lambda b: f"{b['creates']['same_ticket_on_retry']}")
    row("create (first attempt) p50 ms", lambda b: f"{b['creates']['p50_ms']:.1f}")
    row("create (first attempt) p99 ms", lambda b: f"{b['creates']['p99_ms']:.1f}", "≤ 100")
    row("create + retry throughput /s", lambda b: f"{b['creates']['requests_per_s']:.0f}")
    row(f"suggest p50 ms, {settings['suggest_clients']} clients", lambda b: f"{b['suggest']['p50_ms']:.1f}")
    row(
        f"suggest p99 ms, {settings['suggest_clients']} clients",
        lambda b: f"{b['suggest']['p99_ms']:.1f}",
        "≤ 50",
    )
    row("suggest throughput /s", lambda b: f"{b['suggest']['requests_per_s']:.0f}")
    row("errors (non-2xx)", lambda b: f"{b['creates']['errors'] + b['suggest']['errors']}", "0")
    for name in names:
        if "skipped" in backends[name]:
            lines.append(f"{name}: skipped ({backends[name]['skipped']})")
        else:
            verdict = "meets" if backends[name]["meets_targets"] else "MISSES"
            lines.append(f"{name}: {verdict} the targets")
    return "\n".join(lines)


# --- one backend ---------------------------------------------------------------------------------------


def _run_backend(url: str, model_dir: Path, texts: list[str], settings: dict[str, Any]) -> dict[str, Any]:
    # The serving layer is driven from outside, as an operator would: `jiesu db upgrade` and `jiesu keys
    # create` set it up, HTTP measures it, and the count reads the database it wrote. (evaluation/ sits
    # below serving/ and does not import it.)
    _jiesu(url, "db", "upgrade")
    key = _jiesu(url, "keys", "create", "--role", "operator", "--name", "bench").strip()
    engine = create_engine(url)
    try:
        with _server(url, model_dir, settings["workers"]) as base:
            creates = asyncio.run(
                _creates(
                    base,
                    key,
                    texts,
                    settings["creates"],
                    settings["create_clients"],
                    settings["warmup_creates"],
                )
            )
            suggest = asyncio.run(
                _suggest(base, key, texts, settings["suggest_requests"], settings["suggest_clients"])
            )
        creates |= _count_tickets(engine, creates.pop("keys_to_ids"), creates["key_prefix"])
    finally:
        engine.dispose()
    meets = (
        suggest["p99_ms"] <= TARGETS["suggest_p99_ms"]
        and creates["p99_ms"] <= TARGETS["create_p99_ms"]
        and creates["lost"] == 0
        and creates["duplicated"] == 0
        and creates["errors"] == 0
        and suggest["errors"] == 0
    )
    return {"creates": creates, "suggest": suggest, "meets_targets": meets}


def _jiesu(database_url: str, *args: str) -> str:
    """Run a `jiesu` command against `database_url`; its standard output."""
    env = os.environ | {"JIESU_DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-m", "jiesu", *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"jiesu {' '.join(args)} failed ({done.returncode}): {done.stderr[-1000:]}")
    return done.stdout


def _count_tickets(engine: Engine, keys_to_ids: dict[str, set[str]], key_prefix: str) -> dict[str, Any]:
    """Lost, duplicated and repeated tickets among the measured creates (keys starting `key_prefix`;
    the warm-up's tickets have keys of their own), read straight from the tickets table."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT idempotency_key, id FROM tickets")).all()
    stored: dict[str, list[str]] = {}
    warmup = 0
    for key, ticket_id in rows:
        if key.startswith(key_prefix):
            stored.setdefault(key, []).append(ticket_id)
        else:
            warmup += 1
    total = sum(len(ids) for ids in stored.values())
    lost = sum(1 for key in keys_to_ids if key not in stored)
    duplicated = sum(len(ids) - 1 for ids in stored.values())
    answered_ids = {ticket_id for ids in keys_to_ids.values() for ticket_id in ids}
    return {
        "tickets_in_db": total,
        "warmup_tickets_in_db": warmup,
        "lost": lost,
        "duplicated": duplicated,
        "ids_answered": len(answered_ids),
        "same_ticket_on_retry": f"{sum(1 for ids in keys_to_ids.values() if len(ids) == 1)}/{len(keys_to_ids)}",
    }


class _Client:
    """A minimal HTTP/1.1 keep-alive client, one connection per simulated client. The load generator
    shares the machine with the server; a full client library spends several times more CPU per
    request than this, and that CPU is taken from the server it measures."""

    def __init__(self, base: str) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, payload: Any, headers: dict[str, str]) -> tuple[int, bytes]:
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        head = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Content-Type: application/json"]
        head += [f"Content-Length: {len(body)}", *(f"{name}: {value}" for name, value in headers.items())]
        self._writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        status = int((await self._reader.readline()).split()[1])
        length, chunked = 0, False
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding":
                chunked = "chunked" in value.lower()
        if not chunked:
            return status, await self._reader.readexactly(length)
        data = b""
        while size := int((await self._reader.readline()).strip(), 16):
            data += await self._reader.readexactly(size)
            await self._reader.readline()
        await self._reader.readline()
        return status, data

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()


async def _run_clients(
    base: str, clients: int, jobs: int, job: Callable[[_Client, int], Awaitable[None]]
) -> float:
    """Run `jobs` numbered jobs over `clients` concurrent clients; returns the wall time."""
    queue = iter(range(jobs))
    connections = [_Client(base) for _ in range(clients)]

    async def worker(client: _Client) -> None:
        for number in queue:
            await job(client, number)

    started = time.perf_counter()
    try:
        await asyncio.gather(*(worker(client) for client in connections))
    finally:
        await asyncio.gather(*(client.close() for client in connections))
    return time.perf_counter() - started


async def _creates(
    base: str, key: str, texts: list[str], creates: int, clients: int, warmup: int
) -> dict[str, Any]:
    first: list[float] = []
    retry: list[float] = []
    keys_to_ids: dict[str, set[str]] = {}
    errors = 0
    run = uuid.uuid4().hex[:8]
    prefix = f"bench-{run}-"  # the measured creates; the warm-up's keys start "warmup-"

    async def post(client: _Client, idempotency_key: str, text: str, sink: list[float]) -> None:
        nonlocal errors
        body = {"text": text, "intake_channel": "web", "caller_phone": "13800000000"}
        headers = {"X-API-Key": key, "Idempotency-Key": idempotency_key}
        started = time.perf_counter()
        status, content = await client.post("/v1/tickets", body, headers)
        if not idempotency_key.startswith(prefix):  # warm-up: must succeed, is neither timed nor counted
            errors += status not in (200, 201)
            return
        sink.append((time.perf_counter() - started) * 1000)
        if status in (200, 201):
            keys_to_ids.setdefault(idempotency_key, set()).add(json.loads(content)["id"])
        else:
            errors += 1

    def jobs(key_prefix: str) -> Callable[[_Client, int], Awaitable[None]]:
        async def job(client: _Client, number: int) -> None:
            idempotency_key = f"{key_prefix}{number}"
            text = texts[number % len(texts)]
            if number % 4 == 0:  # the retry races the first attempt, on a second connection
                racer = _Client(base)
                try:
                    await asyncio.gather(
                        post(client, idempotency_key, text, first), post(racer, idempotency_key, text, retry)
                    )
                finally:
                    await racer.close()
            else:  # the client timed out and sends the same request again
                await post(client, idempotency_key, text, first)
                await post(client, idempotency_key, text, retry)

        return job

    if warmup:
        await _run_clients(base, clients, warmup, jobs(f"warmup-{run}-"))
    wall = await _run_clients(base, clients, creates, jobs(prefix))
    return {
        "key_prefix": prefix,
        "sent": creates * 2,
        "warmup_sent": warmup * 2,
        "errors": errors,
        "keys_to_ids": keys_to_ids,
        "requests_per_s": creates * 2 / wall,
        **_percentiles(first),
        "retry": _percentiles(retry),
    }


async def _suggest(base: str, key: str, texts: list[str], requests: int, clients: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    headers = {"X-API-Key": key}

    async def job(client: _Client, number: int) -> None:
        nonlocal errors
        started = time.perf_counter()
        status, _ = await client.post("/v1/suggest", {"text": texts[number % len(texts)]}, headers)
        latencies.append((time.perf_counter() - started) * 1000)
        errors += status != 200

    async def warm(client: _Client, number: int) -> None:
        await client.post("/v1/suggest", {"text": texts[number % len(texts)]}, headers)

    await _run_clients(base, clients, min(200, requests), warm)
    wall = await _run_clients(base, clients, requests, job)
    return {
        "requests": requests,
        "errors": errors,
        "requests_per_s": requests / wall,
        **_percentiles(latencies),
    }


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50_ms": float("nan"), "p99_ms": float("nan"), "max_ms": float("nan")}
    array = np.asarray(values)
    return {
        "p50_ms": float(np.percentile(array, 50)),
        "p99_ms": float(np.percentile(array, 99)),
        "max_ms": float(array.max()),
    }


def _texts() -> list[str]:
    """Realistic request texts: the seed corpus test split."""
    from jiesu.data.corpus import load_seed_corpus

    return [row["text"] for row in load_seed_corpus(split="test").to_list()]


# --- server and databases ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _server(database_url: str, model_dir: Path, workers: int) -> Iterator[str]:
    port = _free_port()
    env = os.environ | {"JIESU_DATABASE_URL": database_url, "JIESU_MODEL_DIR": str(model_dir)}
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "jiesu.serving.app:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
        "--workers", str(workers),
    ]  # fmt: skip
    # The server's output goes to a file, not a pipe: an unread pipe that fills up would stall it.
    with tempfile.TemporaryFile() as log_file:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log_file)
        try:
            yield _wait_for(process, log_file, f"http://127.0.0.1:{port}")
        finally:
            stop_server(process)


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a clean shutdown), then SIGKILL after 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_for(process: subprocess.Popen[bytes], log_file: Any, base: str) -> str:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        if process.poll() is not None:
            log_file.seek(0)
            error = log_file.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"the server exited with {process.returncode}: {error}")
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=1.0) as response:
                if response.status == 200:
                    return base
        except OSError:  # not listening yet
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server did not answer /health within {STARTUP_TIMEOUT_S:.0f} s")
        time.sleep(0.2)


class _Unavailable(Exception):
    pass


@contextmanager
def _postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh database beside `admin_url`'s, dropped afterwards."""
    from sqlalchemy import create_engine, make_url
    from sqlalchemy.exc import OperationalError

    name = f"jiesu_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as exc:
        admin.dispose()
        raise _Unavailable(f"PostgreSQL not reachable at {make_url(admin_url).host}") from exc
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
