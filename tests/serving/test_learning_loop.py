"""The learning loop in the service: settled tickets read back as weighted labels, GET /v1/metrics/model
(auditor and admin only, no caller data), and a promoted model picked up by the running app."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from jiesu.model.classifier import RequestClassifier
from jiesu.serving.app import create_app
from jiesu.serving.served_model import RegistryWatcher
from jiesu.serving.settings import ServingSettings
from jiesu.serving.settled import load_settled
from jiesu.training.registry import ModelRegistry
from jiesu.workflow.states import Action, Role, State
from tests.model.conftest import CATEGORIES, DISPOSITIONS, REQUEST_TYPES, TEXTS
from tests.serving.conftest import HEATING_TEXT, OTHER_UNIT, Api, Services
from tests.serving.flows import Actors

PHONE = "13812345678"


def test_settled_tickets_come_back_most_recent_first_with_their_weights(
    services: Services, clock: object
) -> None:
    actors = Actors(services)
    confirmed = actors.drive(State.REPLIED)
    clock.advance(hours=1)  # type: ignore[attr-defined]
    overridden = actors.create()
    actors.act(actors.operator, overridden.id, Action.DISPATCH, unit=OTHER_UNIT, reason="属地管理")
    unit = actors.unit(OTHER_UNIT)
    actors.act(unit, overridden.id, Action.ACCEPT)
    actors.act(unit, overridden.id, Action.REPLY, result="已处理")
    actors.drive(State.ACCEPTED)  # not settled
    examples = load_settled(services.database)
    assert [(e.ticket_id, e.kind, e.weight, e.unit) for e in examples] == [
        (overridden.id, "override", 0.8, OTHER_UNIT),
        (confirmed.id, "confirmed", 0.5, confirmed.lead_unit),
    ]
    assert examples[0].text == HEATING_TEXT
    assert examples[0].category_l2 == "供暖"
    assert load_settled(services.database, exclude={overridden.id}, limit=5)[0].ticket_id == confirmed.id


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN])
def test_model_metrics_for_auditors_and_admins_without_caller_data(api: Api, role: Role) -> None:
    operator = api.key(Role.OPERATOR)
    created = api.client.post(
        "/v1/tickets",
        json={"text": HEATING_TEXT, "intake_channel": "phone", "caller_phone": PHONE},
        headers=operator | {"Idempotency-Key": "k1"},
    ).json()
    api.client.post(f"/v1/tickets/{created['id']}/dispatch", json={}, headers=operator)
    response = api.client.get("/v1/metrics/model", params={"period": "day"}, headers=api.key(role))
    assert response.status_code == 200
    body = response.json()
    assert [row["model_id"] for row in body["rows"]] == ["keyword-test-model"]
    assert body["rows"][0]["tickets"] == 1
    assert PHONE not in response.text
    assert "暖气" not in response.text


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.REVIEWER])
def test_model_metrics_refuse_other_roles(api: Api, role: Role) -> None:
    assert api.client.get("/v1/metrics/model", headers=api.key(role)).status_code == 403
    unit = api.key(Role.UNIT, "北京市热力集团")
    assert api.client.get("/v1/metrics/model", headers=unit).status_code == 403


def test_model_metrics_is_documented(api: Api) -> None:
    operation = api.client.get("/openapi.json").json()["paths"]["/v1/metrics/model"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/ModelMetricsOut")


# --- hot reload -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry folder with two tiny trained models, `one` and `two`."""
    root = tmp_path_factory.mktemp("registry") / "models"
    targets = {"category": CATEGORIES, "request_type": REQUEST_TYPES, "disposition": DISPOSITIONS}
    for name in ("one", "two"):
        model = RequestClassifier().fit(TEXTS, targets)
        model.model_id_ = f"tiny-{name}"
        model.save(root / name)
    return root


@pytest.fixture
def registry(two_models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModelRegistry:
    shutil.copytree(two_models, tmp_path / "models")
    monkeypatch.setenv("JIESU_DATA_DIR", str(tmp_path))
    registry = ModelRegistry(tmp_path / "models")
    registry.promote("one")
    return registry


def _client(tmp_path: Path, reload_s: float) -> TestClient:
    settings = ServingSettings(database_url=f"sqlite:///{tmp_path / 'jiesu.db'}", model_reload_s=reload_s)
    return TestClient(create_app(settings))


@pytest.fixture
def app_client(registry: ModelRegistry) -> Iterator[TestClient]:
    with _client(registry.root.parent, 3600) as client:  # the test calls the watcher itself
        yield client


def _ticket_model(client: TestClient, key: str) -> str:
    operator = client.app.state.runtime.keys.create  # type: ignore[attr-defined]
    from jiesu.serving.schemas import KeyCreate

    headers = {"X-API-Key": operator(KeyCreate(role=Role.OPERATOR)).key, "Idempotency-Key": key}
    response = client.post("/v1/tickets", json={"text": TEXTS[0], "intake_channel": "web"}, headers=headers)
    assert response.status_code == 201
    model_id: str = response.json()["model_id"]
    assert response.json()["suggestion"]["versions"]["model_id"] == model_id
    return model_id


@pytest.mark.slow
def test_a_promoted_model_serves_the_next_suggestion(registry: ModelRegistry, app_client: TestClient) -> None:
    runtime = app_client.app.state.runtime  # type: ignore[attr-defined]
    assert _ticket_model(app_client, "before") == "tiny-one"
    assert runtime.watcher.check() is False  # nothing changed
    registry.promote("two")
    assert runtime.watcher.check() is True
    assert _ticket_model(app_client, "after") == "tiny-two"
    assert app_client.get("/health").json()["model_id"] == "tiny-two"
    registry.rollback()
    assert runtime.watcher.check() is True
    assert _ticket_model(app_client, "rolled back") == "tiny-one"


def _stopped_clock(watcher: RegistryWatcher) -> list[float]:
    """The watcher's clock stands still until the test moves `now[0]` on."""
    now = [1000.0]
    watcher.clock = lambda: now[0]
    return now


@pytest.mark.slow
def test_a_model_that_fails_to_load_keeps_the_old_one(
    registry: ModelRegistry, app_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = app_client.app.state.runtime  # type: ignore[attr-defined]
    registry.promote("two")  # promote refuses a damaged model: this one is damaged after promotion
    broken = registry.root / "two" / "heads.safetensors"
    weights = broken.read_bytes()
    broken.write_bytes(b"not the saved weights")
    now = _stopped_clock(runtime.watcher)
    with caplog.at_level(logging.ERROR):
        assert runtime.watcher.check() is False
        now[0] += runtime.watcher.interval_s * 2  # the first wait is over: tried again, not logged again
        assert runtime.watcher.check() is False
    assert "model reload failed (ModelLoadError); still serving tiny-one" in caplog.text
    assert caplog.text.count("model reload failed") == 1
    assert _ticket_model(app_client, "still one") == "tiny-one"
    broken.write_bytes(weights)  # repaired in place: the pointer did not change, a later try loads it
    assert runtime.watcher.check() is False  # the second wait (twice as long) is not over
    now[0] += runtime.watcher.interval_s * 4
    assert runtime.watcher.check() is True
    assert _ticket_model(app_client, "now two") == "tiny-two"


@pytest.mark.slow
def test_an_unexpected_load_error_also_waits_before_the_next_try(
    registry: ModelRegistry, app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = app_client.app.state.runtime  # type: ignore[attr-defined]
    tries: list[Path] = []

    def load(directory: Path) -> RequestClassifier:
        tries.append(directory)
        raise AttributeError("heads")

    monkeypatch.setattr("jiesu.serving.served_model.RequestClassifier.load", load)
    now = _stopped_clock(runtime.watcher)
    registry.promote("two")
    assert runtime.watcher.check() is False
    assert runtime.watcher.check() is False  # within the wait: not tried
    assert len(tries) == 1
    now[0] += runtime.watcher.interval_s * 2
    assert runtime.watcher.check() is False
    assert len(tries) == 2
    assert _ticket_model(app_client, "still one") == "tiny-one"


@pytest.mark.slow
def test_the_running_app_notices_a_promotion_by_itself(registry: ModelRegistry, tmp_path: Path) -> None:
    with _client(tmp_path, 0.05) as client:
        registry.promote("two")
        deadline = time.monotonic() + 20
        while client.get("/health").json()["model_id"] != "tiny-two" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get("/health").json()["model_id"] == "tiny-two"
