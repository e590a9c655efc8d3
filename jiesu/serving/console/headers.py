"""Security headers of the console's responses, added by a thin ASGI wrapper (no per-request Python
middleware on the API's hot path: other paths pass through untouched).

- The console must not be framed, even by a same-site page on another port (clickjacking of one-click
  forms): CSP frame-ancestors 'none' and X-Frame-Options DENY.
- Scripts only from the package's static files (htmx, console.js); inline style attributes stay allowed.
- Pages show caller names and numbers: never cached, no referrer sent onwards."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)
ALWAYS = [
    (b"content-security-policy", POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
PAGES = [(b"cache-control", b"no-store")]  # not the static files: those may be cached


class ConsoleHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == "/" or path.startswith("/console")):
            await self.app(scope, receive, send)
            return
        extra = ALWAYS if path.startswith("/console/static/") else ALWAYS + PAGES

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
