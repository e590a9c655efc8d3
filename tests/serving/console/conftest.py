"""Fixtures for the console's tests: an app over a copy of the migrated SQLite file (keyword model), and
browsers signed in as one role each (a TestClient with its own cookie jar)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

from jiesu.model.classifier import RequestClassifier
from jiesu.serving.schemas import KeyCreate
from jiesu.workflow.states import Role
from tests.serving.conftest import Api, start_api

CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')
CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')


@dataclass
class Browser:
    """One signed-in browser: its client (cookies) and the session's CSRF token."""

    client: TestClient
    csrf: str
    key_id: str

    def get(self, path: str, **kwargs: Any) -> httpx2.Response:
        return self.client.get(path, follow_redirects=False, **kwargs)

    def post(self, path: str, data: dict[str, str], **kwargs: Any) -> httpx2.Response:
        return self.client.post(path, data={"csrf": self.csrf, **data}, follow_redirects=False, **kwargs)


def login_csrf(client: TestClient) -> str:
    page = client.get("/console/login")
    found = CSRF_FIELD.search(page.text)
    assert found is not None
    return found.group(1)


@dataclass
class Console:
    api: Api

    def key(self, role: Role, unit: str | None = None) -> tuple[str, str]:
        created = self.api.keys.create(KeyCreate(role=role, unit=unit))
        return created.key, created.id

    def browser(self, role: Role, unit: str | None = None, base_url: str = "http://testserver") -> Browser:
        secret, key_id = self.key(role, unit)
        client = TestClient(self.api.app, base_url=base_url)
        signed = client.post(
            "/console/login", data={"csrf": login_csrf(client), "api_key": secret}, follow_redirects=True
        )
        assert signed.status_code == 200, signed.text
        found = CSRF_META.search(signed.text)
        assert found is not None
        return Browser(client, found.group(1), key_id)


@pytest.fixture
def console(migrated_sqlite: Path, tmp_path: Path, keyword_model: RequestClassifier) -> Iterator[Console]:
    path = tmp_path / "jiesu.db"
    shutil.copyfile(migrated_sqlite, path)
    api = start_api(f"sqlite:///{path}", keyword_model)
    yield Console(api)
    api.client.__exit__(None, None, None)
