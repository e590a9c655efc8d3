"""The request guard and the request log at the edge: path and query strings that cannot be stored, body
size and time limits before authentication, and log lines that no client text can forge (issue 12)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from jiesu.errors import SettingsError
from jiesu.logformat import JsonFormatter, configure_logging, log_format
from jiesu.serving.console.headers import ConsoleHeaders
from jiesu.serving.middleware import RequestGuardMiddleware, RequestLogMiddleware, install_error_handlers
from jiesu.serving.settings import ServingSettings, load_settings
from jiesu.workflow.states import Role
from tests.serving.conftest import Api, ApiFactory

ANY_ID = "00000000-0000-4000-8000-000000000000"


def assert_envelope(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code
    return error


def _path_routes(api: Api) -> Iterator[tuple[str, str]]:
    """(method, path with every path parameter filled with NUL) for every route with a path parameter."""
    for path, operations in api.app.openapi()["paths"].items():
        if "{" not in path:
            continue
        filled = path.replace("{ticket_id}", "%00").replace("{key_id}", "%00").replace("{unit}", "%00")
        assert "{" not in filled, path
        for method in sorted(operations):
            yield method.upper(), filled


# --- 1. path and query strings -----------------------------------------------------------------------


def test_nul_in_any_path_parameter_is_404_on_every_route(make_api: ApiFactory) -> None:
    api = make_api()
    admin = api.key(Role.ADMIN)
    routes = list(_path_routes(api))
    assert ("POST", "/v1/keys/%00/revoke") in routes
    assert ("GET", "/v1/units/%00/inbox") in routes
    for method, path in routes:
        response = api.client.request(method, path, headers=admin, json={} if method == "POST" else None)
        assert_envelope(response, 404, "not_found")
    # Ids that cannot exist but can be stored are simply not found; a lone surrogate (%ED%A0%80) is
    # decoded by the server as U+FFFD, which is storable.
    for key_id in ("x'--", "%ED%A0%80", "a" * 300, "%E2%80%A8"):
        assert_envelope(api.client.post(f"/v1/keys/{key_id}/revoke", headers=admin), 404, "not_found")
    assert_envelope(api.client.get("/v1/units/%ED%A0%80/inbox", headers=admin), 404, "not_found")
    error = assert_envelope(api.client.get(f"/v1/tickets/{ANY_ID}%00", headers=admin), 404, "not_found")
    assert error["message"] == "ticket not found"
    error = assert_envelope(api.client.post("/v1/keys/%00/revoke", headers=admin), 404, "not_found")
    assert error["message"] == "API key not found"


@pytest.mark.parametrize(
    "query",
    ["unit=%00", "district=a%00b", "category=%00", "cursor=%00", "state=%00", "%00=1", "from=%00"],
)
def test_nul_in_a_query_string_is_422(make_api: ApiFactory, query: str) -> None:
    api = make_api()
    auditor = api.key(Role.AUDITOR)
    for path in ("/v1/tickets", "/v1/tickets/overdue", "/v1/metrics/rates", "/v1/metrics/dispatch"):
        error = assert_envelope(api.client.get(f"{path}?{query}", headers=auditor), 422, "validation_error")
        assert error["details"][0]["loc"][0] == "query"
    # Storable strings that match nothing are an empty page, not an error.
    page = api.client.get("/v1/tickets?unit=%E2%80%A8x&district=%ED%A0%80&cursor=", headers=auditor)
    assert page.status_code in (200, 422), page.text


def test_nul_in_a_header_is_422(api: Api) -> None:
    headers = api.key(Role.OPERATOR) | {"Idempotency-Key": "k\x00"}
    response = api.client.post("/v1/tickets", json={"text": "x", "intake_channel": "phone"}, headers=headers)
    error = assert_envelope(response, 422, "validation_error")
    assert error["details"][0]["loc"] == ["header", "idempotency-key"]


# --- 2. body size and time ---------------------------------------------------------------------------


def test_legal_largest_bodies_fit_the_limits() -> None:
    settings = ServingSettings(database_url="sqlite://", max_batch=3, max_text_chars=50)
    astral = "\U0001f600" * 50  # 12 bytes each once escaped: the most a character can take
    batch = {"requests": [{"id": astral[:200], "text": astral, "caller_district": "朝" * 32}] * 3}
    assert len(json.dumps(batch).encode()) <= settings.suggest_body_bytes
    ticket = {
        "text": astral,
        "intake_channel": "wechat_miniprogram",
        "caller_phone": "+8" + "9" * 24,
        "caller_name": "\U0001f600" * 64,
        "caller_district": "\U0001f600" * 32,
    }
    assert len(json.dumps(ticket).encode()) <= settings.max_body_bytes
    defaults = ServingSettings(database_url="sqlite://")
    assert defaults.max_body_bytes == 1024 * 1024
    assert defaults.suggest_body_bytes >= 500 * 20000 * 12


def test_a_body_limit_too_small_for_a_legal_ticket_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIESU_MAX_BODY_BYTES", "2000")
    with pytest.raises(SettingsError, match="JIESU_MAX_BODY_BYTES"):
        load_settings(database_url="sqlite://")


def test_bodies_over_the_limit_are_413(make_api: ApiFactory) -> None:
    limit = 80_000
    api = make_api(max_text_chars=1000, max_body_bytes=limit, max_batch=20)
    op = api.key(Role.OPERATOR)
    # By Content-Length.
    big = b'{"text": "' + b"x" * limit + b'"}'
    for path in ("/v1/tickets", f"/v1/tickets/{ANY_ID}/dispatch", "/v1/keys"):
        error = assert_envelope(api.client.post(path, content=big, headers=op), 413, "body_too_large")
        assert str(limit) in error["message"]
    # /v1/suggest takes the largest legal batch: more than max_body_bytes, but not without bound.
    suggest_limit = api.app.state.settings.suggest_body_bytes
    assert suggest_limit > limit
    assert api.client.post("/v1/suggest", content=big, headers=op).status_code == 422  # read, too long a text
    huge = b" " * (suggest_limit + 1)
    assert_envelope(api.client.post("/v1/suggest", content=huge, headers=op), 413, "body_too_large")

    # Chunked (no Content-Length): counted as it arrives.
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(20):
            yield b"x" * 10_000
        yield b'"}'

    response = api.client.post("/v1/tickets", content=chunks(), headers=op | {"Idempotency-Key": "c1"})
    assert_envelope(response, 413, "body_too_large")
    assert response.headers["connection"] == "close"
    # Under the limit, chunked or not, all is as before.
    small = json.dumps({"text": "小区暖气不热", "intake_channel": "phone"}).encode()
    as_json = op | {"Content-Type": "application/json"}
    ok = api.client.post("/v1/tickets", content=small, headers=as_json | {"Idempotency-Key": "c2"})
    assert ok.status_code == 201, ok.text
    ok = api.client.post("/v1/tickets", content=iter([small]), headers=as_json | {"Idempotency-Key": "c3"})
    assert ok.status_code == 201, ok.text


def test_a_body_without_a_key_is_401(api: Api) -> None:
    for path in ("/v1/tickets", "/v1/suggest", "/v1/keys/x/revoke", "/v1/nowhere"):
        response = api.client.post(path, content=b"x" * 5_000_000)
        error = assert_envelope(response, 401, "unauthorized")
        assert "X-API-Key" in error["message"]
    assert_envelope(api.client.post("/v1/tickets", json={}), 401, "unauthorized")
    assert api.client.get("/health").status_code == 200


def _guarded_app(**settings: Any) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/v1/echo")
    async def echo(body: dict[str, Any]) -> dict[str, Any]:
        return body

    app.add_middleware(RequestGuardMiddleware, settings=ServingSettings(database_url="sqlite://", **settings))
    return app


def _call(app: FastAPI, headers: list[tuple[bytes, bytes]], receive: Any) -> tuple[list[Any], int]:
    """Runs one request through the app at the ASGI level; the messages sent and how often the body
    was asked for."""
    sent: list[Any] = []
    asked = 0

    async def counting_receive() -> Any:
        nonlocal asked
        asked += 1
        return await receive()

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/echo",
        "raw_path": b"/v1/echo",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(app(scope, counting_receive, send))
    return sent, asked


async def _never() -> Any:
    await asyncio.sleep(3600)


def test_refused_before_a_byte_of_the_body_is_read() -> None:
    app = _guarded_app()
    key = (b"x-api-key", b"jsk_whatever")
    sent, asked = _call(app, [(b"content-length", b"600000000"), key], _never)
    assert sent[0]["status"] == 413
    assert asked == 0
    sent, asked = _call(app, [(b"content-length", b"10")], _never)
    assert sent[0]["status"] == 401
    assert asked == 0
    sent, asked = _call(app, [(b"transfer-encoding", b"chunked")], _never)
    assert sent[0]["status"] == 401
    assert asked == 0


def test_a_body_that_stops_arriving_is_408() -> None:
    app = _guarded_app(body_timeout_s=0.2)
    sent, asked = _call(app, [(b"content-length", b"10"), (b"x-api-key", b"k")], _never)
    assert sent[0]["status"] == 408
    assert asked == 1
    assert json.loads(sent[1]["body"])["error"]["code"] == "body_timeout"
    assert (b"connection", b"close") in sent[0]["headers"]


# --- 3. the request log --------------------------------------------------------------------------------


def _request_log(api: Api, path: str, formatter: logging.Formatter) -> list[str]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("jiesu.serving.app")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        api.client.get(path, headers=api.key(Role.OPERATOR))
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return stream.getvalue().splitlines()


@pytest.mark.parametrize(
    ("path", "escaped"),
    [
        ("/v1/tickets/x%0AFORGED-LINE", "/v1/tickets/x\\nFORGED-LINE"),
        ("/v1/tickets/x%0D%0A2026-01-01 INFO FORGED", "/v1/tickets/x\\r\\n2026-01-01\\x20INFO\\x20FORGED"),
        ("/v1/tickets/x%00FORGED", "/v1/tickets/x\\x00FORGED"),
        ("/v1/tickets/x%E2%80%A8FORGED%5Cn", "/v1/tickets/x\\u2028FORGED\\\\n"),
        ("/v1/tickets/x status=200 FORGED", "/v1/tickets/x\\x20status=200\\x20FORGED"),
    ],
)
def test_a_forged_path_is_one_escaped_log_line(api: Api, path: str, escaped: str) -> None:
    lines = _request_log(api, path, logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    assert len(lines) == 1, lines
    assert f" path={escaped} status=" in lines[0]
    assert "\x00" not in lines[0]
    (record,) = _request_log(api, path, JsonFormatter())
    entry = json.loads(record)
    assert entry["path"] == escaped
    assert entry["logger"] == "jiesu.serving.app"
    assert entry["level"] == "INFO"
    assert set(entry) >= {"time", "message", "request_id", "method", "status", "latency_ms", "role"}


def test_log_format_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JIESU_LOG_FORMAT", raising=False)
    assert log_format() == "text"
    monkeypatch.setenv("JIESU_LOG_FORMAT", "JSON")
    assert log_format() == "json"
    monkeypatch.setenv("JIESU_LOG_FORMAT", "xml")
    with pytest.raises(SettingsError, match="JIESU_LOG_FORMAT"):
        configure_logging(logging.INFO)


def test_json_lines_carry_exceptions_on_one_line() -> None:
    try:
        raise RuntimeError("boom\nsecond line")
    except RuntimeError:
        record = logging.LogRecord("jiesu", logging.ERROR, __file__, 1, "failed: %s", ("a\nb",), None)
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed: a\nb"
    assert "RuntimeError" in entry["exception"]


def test_request_log_middleware_is_outermost(api: Api) -> None:
    middleware: list[Any] = [item.cls for item in api.app.user_middleware]
    assert middleware == [RequestLogMiddleware, RequestGuardMiddleware, ConsoleHeaders]
