"""A real server and a real Chromium for the console's browser tests: uvicorn in a thread on a free port
over a temporary SQLite database (keyword model), and Debian's Chromium driven by Playwright (no browser
download). Without Chromium the tests skip with the reason, except in CI (CI=true), where they fail."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn
from fastapi import FastAPI

from jiesu.serving.app import create_app
from jiesu.serving.db import upgrade
from jiesu.serving.runtime import Runtime
from jiesu.serving.schemas import KeyCreate
from jiesu.serving.settings import ServingSettings
from jiesu.workflow.states import Role
from tests.keyword_classifier import keyword_classifier

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "/usr/bin/chromium")


def chromium_path() -> str | None:
    given = os.environ.get("JIESU_CHROMIUM")
    if given:
        return given if Path(given).exists() else None
    return next((found for name in CHROMIUM_CANDIDATES if (found := shutil.which(name))), None)


def require_chromium() -> str:
    path = chromium_path()
    if path is None:
        reason = "no Chromium found (apt-get install chromium, or set JIESU_CHROMIUM); .ci/run installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser tests must run in CI: {reason}")
        pytest.skip(reason)
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class LiveServer:
    app: FastAPI
    url: str

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime

    def key(self, role: Role, unit: str | None = None) -> str:
        return self.runtime.keys.create(KeyCreate(role=role, unit=unit)).key


def serve(database: Path) -> Iterator[LiveServer]:
    """Start the app under uvicorn in a thread; stop it when the generator closes."""
    url = f"sqlite:///{database}"
    upgrade(url)
    app = create_app(ServingSettings(database_url=url), classifier=keyword_classifier())
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the console test server did not start")
        time.sleep(0.05)
    yield LiveServer(app, f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)


def launch(executable: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


def sign_in(browser: Browser, server: LiveServer, role: Role, unit: str | None = None) -> Page:
    """A new browser context (its own cookies) signed in through the sign-in form."""
    context = browser.new_context(
        base_url=server.url, locale="zh-CN", viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    page.goto("/console/login")
    page.fill("#api_key", server.key(role, unit))
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/console/login" not in url)
    return page


def refused(page: Page, path: str) -> bool:
    """The role may not see `path`: the console answers 403 with its refusal page."""
    response = page.goto(path)
    return response is not None and response.status == 403 and "此页面不属于您的角色" in page.content()
