"""The web console (issue 15): server-rendered pages (Jinja2) with htmx for partial updates, served by
`jiesu serve` at / over the same services, roles and unit scoping as the API. See the README's "The
console"."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from jiesu.serving.console import routes_auth, routes_intake, routes_metrics, routes_tickets, routes_work
from jiesu.serving.console.sessions import COOKIE
from jiesu.serving.console.web import HERE, CsrfRefused, SignInRequired, WrongRole, render, sessions

__all__ = ["install_console"]


def install_console(app: FastAPI) -> None:
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> FileResponse:
        """Browsers ask for /favicon.ico whatever a page links (and for pages that link none)."""
        return FileResponse(HERE / "static" / "favicon.ico", media_type="image/x-icon")

    for module in (routes_auth, routes_intake, routes_tickets, routes_work, routes_metrics):
        app.include_router(module.router, include_in_schema=False)

    async def sign_in_required(request: Request, _exc: Exception) -> Response:
        if request.headers.get("hx-request"):  # htmx follows HX-Redirect with a full page load
            return Response(status_code=401, headers={"HX-Redirect": "/console/login"})
        return RedirectResponse("/console/login", status_code=303)

    async def wrong_role(request: Request, _exc: Exception) -> HTMLResponse:
        user = await run_in_threadpool(sessions(request).find, request.cookies.get(COOKIE))  # for the menu
        return render(request, "refused.html", user, 403, reason="此页面不属于您的角色。")

    async def csrf_refused(request: Request, _exc: Exception) -> HTMLResponse:
        return render(
            request,
            "refused.html",
            None,
            403,
            reason="表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。",
        )

    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(WrongRole, wrong_role)
    app.add_exception_handler(CsrfRefused, csrf_refused)
