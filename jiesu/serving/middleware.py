"""What wraps every request: the JSON error envelope for every error, one log line per request (never
its body or query), and the offline /docs page."""

from __future__ import annotations

import logging
import re
import time
import traceback
import uuid
from http import HTTPStatus
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


def _envelope(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": jsonable_encoder(details)}}
    return JSONResponse(body, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
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
            log.info(
                "request_id=%s method=%s path=%s status=%d latency_ms=%.1f role=%s model_id=%s",
                request_id,
                scope.get("method"),
                scope.get("path"),
                status,
                (time.perf_counter() - begun) * 1000,
                scope["state"].get("role", "-"),
                runtime.model.model_id_ if runtime else "-",
            )
