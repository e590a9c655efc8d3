"""Settings from the environment and from the command line go through the same validation: an invalid
value is one error line naming the option or variable, and exit status 2, never a traceback."""

from __future__ import annotations

import socket

import pytest

from jiesu.cli import main
from jiesu.errors import SettingsError
from jiesu.serving.settings import load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JIESU_PORT", "JIESU_HOST", "JIESU_PAGE_SIZE", "JIESU_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_overrides_are_validated_like_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(port=8123, host=None).port == 8123
    with pytest.raises(SettingsError, match=r"^invalid setting --port=99999: .*less than or equal to 65535$"):
        load_settings(port=99999)
    with pytest.raises(SettingsError, match=r"--port=0: .*greater than or equal to 1"):
        load_settings(port=0)
    with pytest.raises(SettingsError, match=r"--host='': .*at least 1 character"):
        load_settings(host="")
    monkeypatch.setenv("JIESU_PORT", "99999")
    with pytest.raises(SettingsError, match=r"^invalid setting JIESU_PORT='99999': .*65535$"):
        load_settings()
    assert load_settings(port=8000).port == 8000  # the command line wins over the environment
    monkeypatch.setenv("JIESU_PAGE_SIZE", "many")
    with pytest.raises(SettingsError, match=r"JIESU_PORT='99999'.*; invalid setting JIESU_PAGE_SIZE='many'"):
        load_settings()


def test_serve_refuses_a_bad_port_with_status_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_server(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the server must not start")

    monkeypatch.setattr("uvicorn.run", no_server)
    assert main(["serve", "--port", "99999"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: invalid setting --port=99999: ")
    assert error.count("\n") == 1
    monkeypatch.setenv("JIESU_PORT", "99999")
    assert main(["serve"]) == 2
    assert "invalid setting JIESU_PORT='99999'" in capsys.readouterr().err
    assert main(["db", "upgrade"]) == 2  # every command reads the same settings
    assert "JIESU_PORT" in capsys.readouterr().err


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0", "::1", "localhost", "api.internal-1.example"])
def test_addresses_and_host_names_are_hosts(host: str) -> None:
    assert load_settings(host=host).host == host


@pytest.mark.parametrize("host", ["999.1.1.1", "not a host", "http://127.0.0.1", "-bad.example", "a..b"])
def test_what_no_server_can_bind_is_not_a_host(host: str) -> None:
    with pytest.raises(SettingsError, match=r"--host=.*must be an IP address or a host name"):
        load_settings(host=host)


def test_a_database_url_must_parse_and_have_its_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIESU_DATABASE_URL", "garbage")
    with pytest.raises(SettingsError, match=r"JIESU_DATABASE_URL='garbage': .*not a database URL"):
        load_settings()
    # postgresql:// means psycopg 3 to SQLAlchemy 2.1, which jiesu does not install.
    monkeypatch.setenv("JIESU_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/x")
    with pytest.raises(SettingsError, match=r"needs the postgresql driver.*postgresql\+psycopg2"):
        load_settings()
    monkeypatch.setenv("JIESU_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/x")
    assert load_settings().database_url.startswith("postgresql+psycopg2://")


def test_serve_refuses_a_port_in_use_before_loading_anything(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert error.count("\n") == 1
