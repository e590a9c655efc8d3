"""What wraps every request: the JSON error envelope for every error, one log line per request (never
its body or query, every value escaped), the guard that refuses what must not reach a handler (path and
query strings that cannot be stored, bodies too large or too slow, bodies without a key), and the offline
/docs page."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import traceback
import uuid
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jiesu.errors import Messages, message
from jiesu.serving.settings import ServingSettings
from jiesu.workflow.bodies import UNSTORABLE
from jiesu.workflow.errors import ServiceError

log = logging.getLogger("jiesu.serving.app")  # the request log keeps the logger name it always had
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


# Swagger UI's script and style, shipped by the fastapi-offline package: the default /docs page loads them
# from a CDN, which a hotline's internal network (and this project's machines) cannot reach.
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_ASSETS_URL = "/docs-assets"


def install_docs(app: FastAPI) -> None:
    app.mount(DOCS_ASSETS_URL, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url=f"{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS_URL}/favicon.png",
        )


# --- errors ------------------------------------------------------------------------------------------


def _envelope(status: int, code: str, text: str, details: Any = None) -> JSONResponse:
    body = {"error": {"code": code, "message": text, "details": jsonable_encoder(details)}}
    return JSONResponse(body, status_code=status)


def _refusal(exc: BodyRefused) -> JSONResponse:
    response = _envelope(exc.status_code, exc.code, exc.detail)
    response.headers.update(exc.headers or {})
    return response


# --- the guard -----------------------------------------------------------------------------------------

_NOT_FOUND = (
    ("/v1/tickets/", message(Messages.ticket_not_found)),
    ("/v1/keys/", message(Messages.key_not_found)),
    ("/v1/units/", message(Messages.unit_not_found)),
)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RequestGuardMiddleware:
    """Refuses, before any handler, authentication or body read:

    - a path holding a NUL or an unpaired surrogate (404: no ticket, key or unit is named so), and a
      query parameter or header holding one (422, as a body string holding one): PostgreSQL refuses NUL;
    - a body on /v1/ without an X-API-Key header (401, the body unread);
    - a body whose Content-Length is over the route's limit (413, unread): `settings.max_body_bytes`,
      or `settings.suggest_body_bytes` for /v1/suggest; a chunked body is counted as it arrives and
      refused (413) at the first byte over the limit;
    - a body that stops arriving for `settings.body_timeout_s` seconds (408).

    Refusals of a body close the connection."""

    def __init__(self, app: ASGIApp, settings: ServingSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if UNSTORABLE.search(path):
            # No ticket, key or unit has such a name (every stored string is checked as it comes in).
            what = next((text for prefix, text in _NOT_FOUND if path.startswith(prefix)), "not found")
            await _envelope(404, "not_found", what)(scope, receive, send)
            return
        problems = _unstorable(scope)
        if problems:
            text = message(Messages.unstorable_parameter)
            details = [{"loc": loc, "msg": text, "type": "value_error"} for loc in problems]
            response = _envelope(422, "validation_error", "the request is invalid; see details", details)
            await response(scope, receive, send)
            return
        headers = _headers(scope)
        length = headers.get(b"content-length")
        chunked = b"transfer-encoding" in headers
        has_body = chunked or (length is not None and length.strip() not in (b"", b"0"))
        if not has_body and scope.get("method") not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        if has_body and path.startswith("/v1/") and not headers.get(b"x-api-key", b"").strip():
            # The same answer as the handler would give, without reading a byte of the body first.
            unauthorized = _envelope(401, "unauthorized", message(Messages.missing_key))
            unauthorized.headers["connection"] = "close"
            await unauthorized(scope, receive, send)
            return
        limit = self.settings.suggest_body_bytes if path == "/v1/suggest" else self.settings.max_body_bytes
        if length is not None and (not length.strip().isdigit() or int(length) > limit):
            too_large = BodyRefused(413, "body_too_large", message(Messages.body_too_large, limit=limit))
            await _refusal(too_large)(scope, receive, send)
            return
        await self.app(scope, self._guarded(receive, limit), send)

    def _guarded(self, receive: Receive, limit: int) -> Receive:
        timeout = self.settings.body_timeout_s
        received = 0
        complete = False

        async def guarded() -> Message:
            nonlocal received, complete
            if complete:  # the body is read: what comes now is the disconnect, whenever it comes
                return await receive()
            try:
                incoming = await asyncio.wait_for(receive(), timeout)
            except TimeoutError:
                raise BodyRefused(
                    408, "body_timeout", message(Messages.body_timeout, seconds=timeout)
                ) from None
            if incoming["type"] == "http.request":
                received += len(incoming.get("body", b""))
                if received > limit:
                    raise BodyRefused(413, "body_too_large", message(Messages.body_too_large, limit=limit))
                complete = not incoming.get("more_body", False)
            else:
                complete = True
            return incoming

        return guarded


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", [])}


def _unstorable(scope: Scope) -> list[list[str]]:
    """Where the query string or a header holds what cannot be stored, as error locations."""
    problems: list[list[str]] = []
    query: bytes = scope.get("query_string", b"")
    if query:
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            if UNSTORABLE.search(name) or UNSTORABLE.search(value):
                problems.append(["query", _escape(name)])
    for name, value in scope.get("headers", []):
        if b"\x00" in value:
            problems.append(["header", _escape(name.decode("latin-1"))])
    return problems


# --- the request log -------------------------------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", " ": "\\x20"}


def _escape(value: object) -> str:
    """`value` as one log token: backslash, space, control and other non-printable characters (line and
    paragraph separators included) backslash-escaped, so that no value can end a line or forge a field."""
    text = str(value)
    if text.isprintable() and " " not in text and "\\" not in text:
        return text
    return "".join(_ESCAPES.get(ch) or (ch if ch.isprintable() else _escape_char(ch)) for ch in text)


def _escape_char(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


class BodyRefused(StarletteHTTPException):
    """A body refused while it is being read (too large, too slow). An HTTPException, so that FastAPI
    passes it on instead of turning it into a 400; the connection is closed after the answer."""

    def __init__(self, status: int, code: str, text: str) -> None:
        super().__init__(status, text, headers={"connection": "close"})
        self.code = code


def install_error_handlers(app: FastAPI) -> None:
    async def body_refused(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, BodyRefused)
        return _refusal(exc)

    async def service_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ServiceError)
        return _envelope(exc.status, exc.code, exc.message, exc.details)

    async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        # loc, msg and type only: pydantic's "input" would echo the request text back.
        details = [
            {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": error.get("type", "")}
            for error in exc.errors()
        ]
        return _envelope(422, "validation_error", "the request is invalid; see details", details)

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        phrase = HTTPStatus(exc.status_code).phrase
        code = phrase.lower().replace(" ", "_").replace("-", "_")
        response = _envelope(exc.status_code, code, phrase)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    app.add_exception_handler(BodyRefused, body_refused)
    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)


class RequestLogMiddleware:
    """One log line per request: request id, method, path, status, latency, role and model id, never
    the body or the query string (text, phone numbers). The request id is returned as X-Request-ID."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        begun = time.perf_counter()
        status = 500
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode("ascii"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # Handled here rather than re-raised to the server, whose error log would print the
            # exception's message, which can carry SQL parameters (request text, phone numbers).
            frames = " <- ".join(
                f"{frame.filename}:{frame.lineno} {frame.name}"
                for frame in reversed(traceback.extract_tb(exc.__traceback__))
            )
            log.error("unhandled %s in request %s\n%s", type(exc).__name__, request_id, frames)
            if not started:
                response = _envelope(
                    500, "internal_error", "internal error; quote the request id", {"request_id": request_id}
                )
                await response(scope, receive, send_with_id)
        finally:
            runtime = getattr(scope["app"].state, "runtime", None) if "app" in scope else None
            fields = {
                "request_id": request_id,
                "method": _escape(scope.get("method")),
                "path": _escape(scope.get("path")),
                "status": status,
                "latency_ms": round((time.perf_counter() - begun) * 1000, 1),
                "role": _escape(scope["state"].get("role", "-")),
                "model_id": _escape(runtime.model.model_id_ if runtime else "-"),
            }
            # Every value is escaped: a path is client text (x%0AFORGED-LINE must not start a line).
            log.info(
                "request_id=%s method=%s path=%s status=%d latency_ms=%.1f role=%s model_id=%s",
                *fields.values(),
                extra={"fields": fields},
            )
