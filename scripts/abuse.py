"""Abuse a real jiesu server, as an attacker without a key and a careless client with one would (issue 12).

For each backend (SQLite; PostgreSQL in a fresh database beside --postgres-url, dropped afterwards) it
starts `jiesu serve` on 127.0.0.1 and a free port, and sends malformed HTTP, injected paths, query
strings and headers, malformed and oversized bodies, unauthenticated requests and stalled bodies, all
bounded and to 127.0.0.1 only. It reports, per backend:

- server errors: answers >= 500 and ERROR lines in the server log (target 0);
- RSS growth of the server process over the run, sampled every 50 ms (target < 200 MB);
- forged log lines: lines that are not one whole log record (text: the record prefix; json: one JSON
  object), and NUL bytes (target 0);
- numbers unmasked for an auditor anywhere in a ticket: text, caller fields, decision, events (target 0);
- stalled bodies still open after the body timeout + 2 s (target 0).

Usage: python scripts/abuse.py [--model DIR] [--no-postgres]; exit status 1 if a target is missed.
The SQLite server logs text, the PostgreSQL one JSON (JIESU_LOG_FORMAT), so both formats are checked.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jiesu.evaluation.bench_serving import stop_server

BODY_TIMEOUT_S = 2.0
RSS_LIMIT_MB = 200.0
PHONE = "13912345678"
ID_NUMBER = "110101199003074518"
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) \S+: ")


@dataclass
class Tally:
    sent: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    server_errors: int = 0
    unanswered_expected: int = 0
    unmasked: int = 0
    slow_open: int = 0
    slow_seconds: float = 0.0

    def count(self, status: int | None, expect_answer: bool = True) -> None:
        self.sent += 1
        label = str(status) if status is not None else "closed"
        self.statuses[label] = self.statuses.get(label, 0) + 1
        if status is not None and status >= 500:
            self.server_errors += 1
        if status is None and expect_answer:
            self.unanswered_expected += 1


# --- raw HTTP ------------------------------------------------------------------------------------------


def exchange(
    port: int, head: bytes, body: Iterable[bytes] = (), timeout: float = 10.0
) -> tuple[int | None, bytes]:
    """Send `head` then `body` on a fresh connection (the server may close it early: fine) and read the
    answer until the server closes; its status (None: no answer) and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(head)
            for chunk in body:
                sock.sendall(chunk)
        except OSError:
            pass
        received = b""
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                received += data
                if len(received) > 4 * 1024 * 1024:
                    break
        except OSError:
            pass
    match = re.match(rb"HTTP/1\.[01] (\d{3})", received)
    status = int(match.group(1)) if match else None
    _, _, payload = received.partition(b"\r\n\r\n")
    return status, payload


def request(
    method: str,
    target: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    raw_headers: bytes = b"",
) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n").encode("utf-8") + raw_headers + b"\r\n"
    return head + (body or b"")


def call(tally: Tally, port: int, raw: bytes, expect_answer: bool = True) -> tuple[int | None, bytes]:
    status, payload = exchange(port, raw)
    tally.count(status, expect_answer)
    return status, payload


def json_call(
    tally: Tally, port: int, method: str, target: str, key: str | None, payload: Any = None, **headers: str
) -> tuple[int | None, Any]:
    sent = {"Content-Type": "application/json", **headers} | ({"X-API-Key": key} if key else {})
    body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    status, answer = call(tally, port, request(method, target, sent, body))
    try:
        return status, json.loads(answer) if answer else None
    except ValueError:
        return status, None


# --- the cases -----------------------------------------------------------------------------------------

INJECTED_PATHS = [
    "/v1/tickets/x%0AFORGED-LINE",
    "/v1/tickets/x%0D%0A2026-01-01%2000:00:00,000%20INFO%20jiesu:%20FORGED",
    "/v1/tickets/x%00FORGED",
    "/v1/tickets/%E2%80%A8FORGED%E2%80%A9",
    "/v1/tickets/%ED%A0%80FORGED",
    "/v1/tickets/%FF%FEFORGED",
    "/v1/tickets/x%1B%5B31mFORGED",
    "/v1/tickets/x%20status=200%20FORGED",
    "/v1/units/%0AFORGED/inbox",
    "/v1/units/%00/inbox",
    "/v1/tickets/..%2F..%2Fetc%2Fpasswd",
    "/v1/tickets/'%20OR%201=1%20--",
    "/v1/tickets?unit=%00&district=%0AFORGED",
    "/v1/tickets?cursor=%00",
    "/v1/tickets?category=%0D%0AFORGED&limit=1",
    "/v1/metrics/rates?unit=%00",
    "/%0AFORGED",
]
MALFORMED_HTTP = [
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\nConnection: close\r\n\r\n",
    b"POST /v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n",
    b"POST /v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\nConnection: close\r\n\r\n",
    b"POST /v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"
    b"Connection: close\r\n\r\n0\r\n\r\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\nConnection: close\r\n\r\n",
    b"GET /v1/tickets/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"\x00\x01\x02\x03\r\n\r\n",
]
BAD_BODIES = [
    b"{",
    b"[]",
    b"null",
    b'{"text": 5, "intake_channel": "phone"}',
    b'{"text": "\\ud800", "intake_channel": "phone"}',
    b'{"text": "a\\u0000b", "intake_channel": "phone"}',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"text": 1e999999}',
    b"\xff\xfe\xfa not utf-8",
    b'\xef\xbb\xbf{"text": "x", "intake_channel": "phone"}',
    b'{"text": "x", "intake_channel": "phone", "extra": 1}',
    b'{"requests": []}',
]
BAD_KEYS = [None, "", "jsk_", "jsk_" + "A" * 10_000, "x\tx", "' OR 1=1 --", "%00"]


def run_cases(port: int, keys: dict[str, str], tally: Tally) -> None:
    op, admin, auditor = keys["operator"], keys["admin"], keys["auditor"]
    ticket_id = str(uuid.uuid4())
    for _round in range(3):
        for path in INJECTED_PATHS:
            for key in (None, op, admin):
                headers = {"X-API-Key": key} if key else {}
                call(tally, port, request("GET", path, headers))
            call(
                tally,
                port,
                request("POST", path.replace("/tickets/", "/keys/") + "/revoke", {"X-API-Key": admin}),
            )
        for raw in MALFORMED_HTTP:
            call(tally, port, raw, expect_answer=False)
        for target in ("/v1/tickets", "/v1/suggest", f"/v1/tickets/{ticket_id}/dispatch", "/v1/keys"):
            for body in BAD_BODIES:
                key = admin if target == "/v1/keys" else op
                headers = {
                    "X-API-Key": key,
                    "Content-Type": "application/json",
                    "Idempotency-Key": uuid.uuid4().hex,
                }
                call(tally, port, request("POST", target, headers, body))
        for key in BAD_KEYS:
            for method, target in (("GET", "/v1/tickets"), ("POST", "/v1/tickets"), ("POST", "/v1/keys")):
                headers = {"X-API-Key": key} if key is not None else {}
                call(tally, port, request(method, target, headers, b"{}" if method == "POST" else None))
        # Idempotency-Key and X-Request-ID with what must not be logged or stored.
        for value in ("k\x01", "k\x7f", "k" * 5000, "k\u2028"):
            headers = {"X-API-Key": op, "Idempotency-Key": value, "X-Request-ID": value}
            body = json.dumps({"text": "小区暖气不热", "intake_channel": "phone"}).encode()
            call(tally, port, request("POST", "/v1/tickets", headers, body))
        oversized(port, op, tally)
    masking(port, op, auditor, tally)
    stalled(port, op, tally)


def oversized(port: int, key: str, tally: Tally) -> None:
    """600 MB declared (64 KB sent) with and without a key; 3 MB chunked with a key; 600 MB chunked
    without one."""
    declared = b"Content-Length: 600000000\r\nContent-Type: application/json\r\n"
    for target in ("/v1/tickets", "/v1/suggest", "/v1/keys"):
        for headers in ({}, {"X-API-Key": key}):
            head = request("POST", target, headers, raw_headers=declared)
            status, _ = exchange(port, head, [b"[" * 65536])
            tally.count(status)
        chunked = request("POST", target, {"X-API-Key": key, "Transfer-Encoding": "chunked"})
        chunks = (b"%x\r\n%s\r\n" % (65536, b"x" * 65536) for _ in range(48))
        status, _ = exchange(port, chunked, chunks)
        tally.count(status)
        chunked = request("POST", target, {"Transfer-Encoding": "chunked"})
        status, _ = exchange(port, chunked, (b"%x\r\n%s\r\n" % (65536, b"x" * 65536) for _ in range(9000)))
        tally.count(status)


def stalled(port: int, key: str, tally: Tally) -> None:
    """20 bodies declared and never sent, at once: each must be answered within the timeout + 2 s."""
    results: list[tuple[int | None, float]] = []

    def one() -> None:
        begun = time.monotonic()
        head = request("POST", "/v1/tickets", {"X-API-Key": key, "Content-Length": "100"})
        status, _ = exchange(port, head, [b'{"text"'], timeout=BODY_TIMEOUT_S + 30)
        results.append((status, time.monotonic() - begun))

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for status, seconds in results:
        tally.count(status)
        tally.slow_seconds = max(tally.slow_seconds, seconds)
        if seconds > BODY_TIMEOUT_S + 2:
            tally.slow_open += 1


def masking(port: int, operator: str, auditor: str, tally: Tally) -> None:
    """Tickets whose text and caller fields carry a phone and an ID number, two of them answered with
    both numbers in the answer, read back by an auditor: neither number may appear anywhere in what the
    auditor sees (text, caller fields, the decision, the events), nor the caller's name."""
    ids = []
    for number in range(5):
        body = {
            "text": f"朝阳区望京街道暖气不热，回电{PHONE}，身份证{ID_NUMBER}，第{number}次",
            "intake_channel": "phone",
            "caller_phone": PHONE,
            "caller_name": "李四",
        }
        status, answer = json_call(
            tally, port, "POST", "/v1/tickets", operator, body, **{"Idempotency-Key": uuid.uuid4().hex}
        )
        if status == 201 and answer:
            ids.append(answer["id"])
    for ticket_id in ids[:2]:
        answer_body = {"answer": f"已电话告知来电人（{PHONE}，证件{ID_NUMBER}）到派出所办理"}
        json_call(tally, port, "POST", f"/v1/tickets/{ticket_id}/answer", operator, answer_body)
    seen: list[dict[str, Any]] = []
    _, page = json_call(tally, port, "GET", "/v1/tickets?limit=500", auditor)
    seen += (page or {}).get("items", [])
    for ticket_id in ids:
        _, ticket = json_call(tally, port, "GET", f"/v1/tickets/{ticket_id}", auditor)
        if ticket:
            seen.append(ticket)
    if not ids or len(seen) <= len(ids):
        tally.unmasked += 1  # nothing to check is a failure of the check
    for ticket in seen:
        shown = json.dumps(ticket, ensure_ascii=False)
        tally.unmasked += sum(secret in shown for secret in (PHONE, ID_NUMBER, "李四"))


# --- the server ------------------------------------------------------------------------------------------


def jiesu(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "jiesu", *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"jiesu {' '.join(args)} failed: {done.stderr[-1000:]}")
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def server(env: dict[str, str], log_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = int(env["JIESU_PORT"])
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "jiesu", "serve"], env=env, stdout=log_file, stderr=log_file
        )
        try:
            deadline = time.monotonic() + 600
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the server exited: {log_path.read_text(errors='replace')[-2000:]}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start within 600 s")
                time.sleep(0.3)
            yield port, process
        finally:
            stop_server(process)


def forged_lines(log_path: Path, log_format: str) -> tuple[int, int, int]:
    """(lines that are not one whole record, NUL bytes, ERROR records) in the server log."""
    raw = log_path.read_bytes()
    forged = errors = 0
    for line in raw.decode("utf-8", errors="replace").splitlines():
        if log_format == "json":
            try:
                entry = json.loads(line)
                ok = isinstance(entry, dict) and {"time", "level", "message"} <= set(entry)
                errors += entry.get("level") in ("ERROR", "CRITICAL") if ok else 0
            except ValueError:
                ok = False
        else:
            match = TEXT_LINE.match(line)
            ok = match is not None
            errors += bool(match and match.group(1) in ("ERROR", "CRITICAL"))
        forged += not ok
    return forged, raw.count(b"\x00"), errors


def run_backend(
    name: str, database_url: str, log_format: str, base_env: dict[str, str], workdir: Path
) -> dict[str, Any]:
    env = base_env | {
        "JIESU_DATABASE_URL": database_url,
        "JIESU_PORT": str(free_port()),
        "JIESU_LOG_FORMAT": log_format,
        "JIESU_BODY_TIMEOUT_S": str(BODY_TIMEOUT_S),
    }
    jiesu(env, "db", "upgrade")
    admin = jiesu(env, "keys", "create", "--role", "admin", "--name", "abuse").splitlines()[-1].strip()
    log_path = workdir / f"{name}.log"
    tally = Tally()
    with server(env, log_path) as (port, process):
        keys = {"admin": admin}
        for role in ("operator", "auditor"):
            _, created = json_call(Tally(), port, "POST", "/v1/keys", admin, {"role": role})
            keys[role] = created["key"]
        json_call(Tally(), port, "POST", "/v1/suggest", keys["operator"], {"text": "小区暖气不热"})  # warm
        baseline = rss_mb(process.pid)
        peak = baseline
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                try:
                    peak = max(peak, rss_mb(process.pid))
                except OSError:
                    return
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        begun = time.monotonic()
        try:
            run_cases(port, keys, tally)
        finally:
            done.set()
            sampler.join()
        seconds = time.monotonic() - begun
        alive = process.poll() is None
    forged, nuls, error_records = forged_lines(log_path, log_format)
    return {
        "backend": name,
        "log_format": log_format,
        "requests": tally.sent,
        "seconds": round(seconds, 1),
        "statuses": dict(sorted(tally.statuses.items())),
        "server_errors": tally.server_errors + error_records + (0 if alive else 1),
        "unanswered": tally.unanswered_expected,
        "rss_baseline_mb": round(baseline, 1),
        "rss_growth_mb": round(peak - baseline, 1),
        "forged_log_lines": forged + nuls,
        "unmasked_for_auditor": tally.unmasked,
        "stalled_over_timeout": tally.slow_open,
        "slowest_stalled_s": round(tally.slow_seconds, 1),
        "log": str(log_path),
    }


def passes(row: dict[str, Any]) -> bool:
    return (
        row["requests"] >= 500
        and row["server_errors"] == 0
        and row["unanswered"] == 0
        and row["rss_growth_mb"] < RSS_LIMIT_MB
        and row["forged_log_lines"] == 0
        and row["unmasked_for_auditor"] == 0
        and row["stalled_over_timeout"] == 0
    )


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, make_url

    name = f"jiesu_abuse_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model", type=Path, help="model directory (default: the default model, trained if missing)"
    )
    parser.add_argument("--postgres-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--output", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    base_env = dict(os.environ) | {"HF_HUB_OFFLINE": "1"}
    if args.model:
        base_env["JIESU_MODEL_DIR"] = str(args.model)
    rows = []
    with tempfile.TemporaryDirectory(prefix="jiesu-abuse-") as scratch:
        workdir = Path(scratch)
        rows.append(run_backend("sqlite", f"sqlite:///{workdir / 'abuse.db'}", "text", base_env, workdir))
        if not args.no_postgres:
            with postgres_database(args.postgres_url) as url:
                rows.append(run_backend("postgresql", url, "json", base_env, workdir))
        for row in rows:  # the logs go with the scratch folder: keep what a failure needs
            row.pop("log")
    columns = [
        ("backend", "backend"), ("log", "log_format"), ("requests", "requests"), ("s", "seconds"),
        ("5xx", "server_errors"), ("unanswered", "unanswered"), ("RSS MB", "rss_baseline_mb"),
        ("RSS +MB", "rss_growth_mb"), ("forged", "forged_log_lines"), ("unmasked", "unmasked_for_auditor"),
        ("stalled>", "stalled_over_timeout"), ("slowest stall s", "slowest_stalled_s"),
    ]  # fmt: skip
    print(" | ".join(title for title, _ in columns) + " | pass")
    for row in rows:
        print(" | ".join(str(row[key]) for _, key in columns) + f" | {'yes' if passes(row) else 'NO'}")
        print(f"  statuses: {row['statuses']}")
    print(f"targets: 0 server errors, RSS growth < {RSS_LIMIT_MB:.0f} MB, 0 forged lines, 0 unmasked, "
          f"every stalled body answered within {BODY_TIMEOUT_S:g} + 2 s, >= 500 requests")  # fmt: skip
    if args.output:
        args.output.write_text(json.dumps(rows, indent=2))
    return 0 if all(passes(row) for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
