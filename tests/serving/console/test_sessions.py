"""Console sign-in: an API key for a session cookie (HttpOnly, SameSite=Strict, Secure over https,
expiring), CSRF on every POST, sign-out, and a session that ends with its key."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from jiesu.serving.clock import utcnow
from jiesu.serving.console.sessions import COOKIE
from jiesu.workflow.states import Role
from tests.serving.conftest import HEATING_TEXT
from tests.serving.console.conftest import Console, login_csrf


def _cookie_header(response_headers: list[tuple[str, str]]) -> str:
    return next(
        value for name, value in response_headers if name == "set-cookie" and value.startswith(COOKIE)
    )


def test_a_key_signs_in_with_a_strict_http_only_expiring_cookie(console: Console) -> None:
    secret, _ = console.key(Role.OPERATOR)
    client = TestClient(console.api.app)
    response = client.post(
        "/console/login", data={"csrf": login_csrf(client), "api_key": secret}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/console/intake"
    cookie = _cookie_header(response.headers.multi_items())
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Max-Age=43199" in cookie or "Max-Age=43200" in cookie  # 12 hours, the default
    assert "Secure" not in cookie  # plain http: a Secure cookie would never come back
    assert secret not in cookie


def test_over_https_the_cookie_is_secure(console: Console) -> None:
    secret, _ = console.key(Role.AUDITOR)
    client = TestClient(console.api.app, base_url="https://testserver")
    response = client.post(
        "/console/login", data={"csrf": login_csrf(client), "api_key": secret}, follow_redirects=False
    )
    assert "Secure" in _cookie_header(response.headers.multi_items())


def test_a_bad_key_gets_the_apis_message_and_no_session(console: Console) -> None:
    client = TestClient(console.api.app)
    response = client.post("/console/login", data={"csrf": login_csrf(client), "api_key": "jsk_wrong"})
    assert response.status_code == 401
    assert "invalid, expired or revoked API key" in response.text
    assert COOKIE not in client.cookies


def test_the_sign_in_form_needs_its_csrf_token(console: Console) -> None:
    secret, _ = console.key(Role.OPERATOR)
    client = TestClient(console.api.app)
    login_csrf(client)
    response = client.post("/console/login", data={"csrf": "forged", "api_key": secret})
    assert response.status_code == 403
    assert COOKIE not in client.cookies


def test_without_a_session_pages_go_to_the_sign_in_page(console: Console) -> None:
    client = TestClient(console.api.app)
    assert client.get("/", follow_redirects=False).headers["location"] == "/console/"
    page = client.get("/console/intake", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/console/login")
    fragment = client.post("/console/intake/suggest", headers={"HX-Request": "true"}, data={"text": "x"})
    assert fragment.headers["HX-Redirect"] == "/console/login"


def test_a_post_without_the_csrf_token_is_refused(console: Console) -> None:
    operator = console.browser(Role.OPERATOR)
    refused = operator.client.post("/console/intake", data={"text": HEATING_TEXT, "do": "confirm"})
    assert refused.status_code == 403
    assert "CSRF" in refused.text
    forged = operator.client.post("/console/intake/suggest", headers={"X-CSRF-Token": "forged"}, data={})
    assert forged.status_code == 403
    by_header = operator.client.post(
        "/console/intake/suggest", headers={"X-CSRF-Token": operator.csrf}, data={"text": HEATING_TEXT}
    )
    assert by_header.status_code == 200
    assert "北京市热力集团" in by_header.text


def test_revoking_the_key_ends_the_session(console: Console) -> None:
    auditor = console.browser(Role.AUDITOR)
    assert auditor.get("/console/dashboard").status_code == 200
    console.api.keys.revoke(auditor.key_id)
    assert auditor.get("/console/dashboard").headers["location"] == "/console/login"


def test_a_session_expires(console: Console) -> None:
    auditor = console.browser(Role.AUDITOR)
    sessions = console.api.app.state.console_sessions
    later = utcnow() + timedelta(hours=12, seconds=1)
    sessions.clock = lambda: later
    assert auditor.get("/console/dashboard").headers["location"] == "/console/login"


def test_signing_out_ends_the_session_on_the_server(console: Console) -> None:
    reviewer = console.browser(Role.REVIEWER)
    token = reviewer.client.cookies[COOKIE]
    out = reviewer.post("/console/logout", {})
    assert out.headers["location"] == "/console/login"
    replay = TestClient(console.api.app, cookies={COOKIE: token})  # the old cookie, kept by someone
    assert replay.get("/console/review", follow_redirects=False).headers["location"] == "/console/login"
