"""What every console handler uses: the templates, the signed-in user of a request (cookie → session),
page roles, the CSRF check of posted forms, and the API's errors as form errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl

import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from jiesu.serving.console import labels, present
from jiesu.serving.console.messages import INVALID_FORM, detail_lines, field_error, in_chinese
from jiesu.serving.console.sessions import COOKIE, SessionService, SignedIn
from jiesu.serving.console.unit_index import UnitIndex
from jiesu.serving.runtime import Runtime
from jiesu.workflow.errors import ServiceError
from jiesu.workflow.states import Role

HERE = Path(__file__).parent
CSRF_HEADER = "x-csrf-token"
FormData = dict[str, list[str]]


class SignInRequired(Exception):
    """No live session: the browser goes to the sign-in page."""


class WrongRole(Exception):
    """A page of another role (403)."""


class CsrfRefused(Exception):
    """A POST without the session's CSRF token (403)."""


@cache
def templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(L=labels, check_sentence=labels.check_sentence)
    env.filters.update(
        bj=present.beijing_time, countdown=present.countdown, highlight=present.highlight, pct=present.pct
    )
    return env


def render(
    request: Request, name: str, user: SignedIn | None, status: int = 200, **context: Any
) -> HTMLResponse:
    html = templates().get_template(name).render(request=request, user=user, **context)
    return HTMLResponse(html, status_code=status)


def sessions(request: Request) -> SessionService:
    """The app's session service, built on first use over the runtime that lifespan loaded."""
    state = request.app.state
    service: SessionService | None = getattr(state, "console_sessions", None)
    if service is None:
        runtime: Runtime = state.runtime
        hours = state.settings.console_session_hours
        service = SessionService(runtime.database, runtime.keys, hours=hours, clock=runtime.keys.clock)
        state.console_sessions = service
    return service


def unit_index(request: Request) -> UnitIndex:
    state = request.app.state
    index: UnitIndex | None = getattr(state, "console_units", None)
    if index is None:
        index = state.console_units = UnitIndex(state.runtime.reference)
    return index


async def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def signed_in(request: Request) -> SignedIn:
    user = await run_in_threadpool(sessions(request).find, request.cookies.get(COOKIE))
    if user is None:
        raise SignInRequired
    request.state.role = user.principal.role.value  # for the request log line
    return user


def page_for(*roles: Role) -> Callable[[SignedIn], Awaitable[SignedIn]]:
    allowed = frozenset(roles)

    async def check(user: Annotated[SignedIn, Depends(signed_in)]) -> SignedIn:
        if user.principal.role not in allowed:
            raise WrongRole
        return user

    return check


UserDep = Annotated[SignedIn, Depends(signed_in)]
RuntimeDep = Annotated[Runtime, Depends(runtime_of)]


async def read_form(request: Request) -> FormData:
    """The url-encoded body (what forms and htmx send), every value kept as typed."""
    body = (await request.body()).decode("utf-8", errors="replace")
    form: FormData = {}
    for name, value in parse_qsl(body, keep_blank_values=True):
        form.setdefault(name, []).append(value)
    return form


async def posted_form(request: Request, user: SignedIn) -> FormData:
    """The form of a POST, after checking its CSRF token (a form field, or htmx's header)."""
    form = await read_form(request)
    given = request.headers.get(CSRF_HEADER) or first(form, "csrf")
    if not user.csrf_ok(given):
        raise CsrfRefused
    return form


def first(form: FormData, name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


def error_lines(exc: ServiceError | ValidationError) -> list[str]:
    """An error as the API words it, in Chinese (jiesu.serving.console.messages): its message, and each
    invalid field by its name and the API's (never the value typed)."""
    if isinstance(exc, ValidationError):
        lines = [INVALID_FORM]
        for error in exc.errors():
            where = ".".join(str(part) for part in error.get("loc", ()))
            where = f"{labels.FIELDS[where]}（{where}）" if where in labels.FIELDS else where
            problem = field_error(error)
            lines.append(f"{where}：{problem}" if where else problem)
        return lines
    return [in_chinese(exc.message), *detail_lines(exc.details)]
