"""Sign-in (an API key for a session cookie), sign-out, each role's home page, and the unit picker."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from jiesu.serving.console.sessions import COOKIE, SignedIn
from jiesu.serving.console.web import (
    UserDep,
    first,
    page_for,
    posted_form,
    read_form,
    render,
    sessions,
    unit_index,
)
from jiesu.workflow.errors import Unauthorized
from jiesu.workflow.states import Role

router = APIRouter()
LOGIN_COOKIE = "jiesu_console_login"  # the sign-in form's CSRF token (double submit), before a session
HOMES = {
    Role.OPERATOR: "/console/intake",
    Role.UNIT: "/console/inbox",
    Role.REVIEWER: "/console/review",
    Role.AUDITOR: "/console/dashboard",
    Role.ADMIN: "/console/tickets",
}


@router.get("/")
async def root() -> RedirectResponse:
    return RedirectResponse("/console/", status_code=303)


@router.get("/console/")
async def home(user: UserDep) -> RedirectResponse:
    return RedirectResponse(HOMES[user.principal.role], status_code=303)


def _login_page(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", None, status, csrf=token, error=error)
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=600,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/console/login",
    )
    return response


@router.get("/console/login")
async def login_page(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/console/login", response_model=None)
async def login(request: Request) -> Response:
    form = await read_form(request)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, first(form, "csrf")):
        return _login_page(request, "登录表单已过期，请重新输入密钥。", 403)
    try:
        token, user = await run_in_threadpool(sessions(request).open, first(form, "api_key"))
    except Unauthorized as exc:
        return _login_page(request, f"密钥无效、已过期或已吊销（{exc.message}）。", 401)
    response = RedirectResponse(HOMES[user.principal.role], status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=max(int((user.expires_at - sessions(request).clock()).total_seconds()), 1),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/console/login")
    return response


@router.post("/console/logout")
async def logout(request: Request, user: UserDep) -> RedirectResponse:
    await posted_form(request, user)
    await run_in_threadpool(sessions(request).close, request.cookies.get(COOKIE))
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


PickerDep = Annotated[SignedIn, Depends(page_for(Role.OPERATOR, Role.REVIEWER, Role.ADMIN))]


@router.get("/console/units")
async def units(
    request: Request, user: PickerDep, q: Annotated[str, Query(max_length=64)] = ""
) -> HTMLResponse:
    """The unit picker's results (an htmx fragment)."""
    found = unit_index(request).search(q)
    return render(request, "_units.html", user, units=found, query=q)
