"""The HTTP API with FastAPI's TestClient: auth, the error envelope, bad inputs, masking, logging."""

from __future__ import annotations

import base64
import json
import logging
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jiesu.model.classifier import RequestClassifier
from jiesu.serving.app import create_app
from jiesu.serving.deps import get_settings
from jiesu.serving.schemas import KeyCreate
from jiesu.serving.settings import ServingSettings
from jiesu.workflow.states import Role
from tests.keyword_classifier import MODEL_ID as KEYWORD_MODEL_ID
from tests.serving.conftest import (
    BACKENDS,
    DISTRICT_GOVERNMENT,
    HEATING_TEXT,
    HEATING_UNIT,
    OTHER_UNIT,
    Api,
    ApiFactory,
    start_api,
)

PHONE = "13912345678"
SECRET_TEXT = "朝阳区望京街道小区暖气不热，秘密标记XQ7"


def assert_envelope(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert isinstance(error["message"], str)
    assert error["message"]
    if code is not None:
        assert error["code"] == code
    assert "XQ7" not in response.text
    assert PHONE not in response.text
    return dict(error)


def create(api: Api, headers: dict[str, str], key: str = "k1", **fields: Any) -> Any:
    payload = {"text": SECRET_TEXT, "intake_channel": "phone", "caller_phone": PHONE, "caller_name": "李四"}
    return api.client.post("/v1/tickets", json=payload | fields, headers=headers | {"Idempotency-Key": key})


def test_health_model_and_docs(api: Api) -> None:
    client = api.client
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert health["model_id"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "cdn." not in docs.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/docs-assets/{asset}" in docs.text
        assert client.get(f"/docs-assets/{asset}").status_code == 200
    assert "/v1/tickets/{ticket_id}/review-return" in client.get("/openapi.json").json()["paths"]
    assert_envelope(client.get("/v1/model"), 401, "unauthorized")
    info = client.get("/v1/model", headers=api.key(Role.AUDITOR)).json()
    assert info["model_id"] == health["model_id"]
    assert {"catalogue_version", "taxonomy_version", "workflow_version", "heads"} <= set(info)
    assert all("threshold" in head for head in info["heads"].values())


def test_suggest_one_and_batch(api: Api) -> None:
    headers = api.key(Role.OPERATOR)
    one = api.client.post("/v1/suggest", json={"text": HEATING_TEXT}, headers=headers).json()
    assert one["suggestion"]["route"]["unit"] == HEATING_UNIT
    batch = api.client.post(
        "/v1/suggest",
        json={
            "requests": [
                {"id": "a", "text": HEATING_TEXT},
                {"id": "b", "text": "家里着火了快来人", "caller_district": "朝阳"},
            ]
        },
        headers=headers,
    ).json()
    assert [s["id"] for s in batch["suggestions"]] == ["a", "b"]
    assert batch["suggestions"][1]["disposition"]["emergency_number"] == "119"
    assert_envelope(api.client.post("/v1/suggest", json={"text": HEATING_TEXT}), 401)


def test_a_refused_item_of_a_batch_is_named(api: Api) -> None:
    headers = api.key(Role.OPERATOR)
    items = [{"id": "a", "text": HEATING_TEXT}, {"id": "b", "text": "😀"}, {"text": "   "}]
    refused = api.client.post("/v1/suggest", json={"requests": items}, headers=headers)
    assert_envelope(refused, 422, "invalid_input")
    assert refused.json()["error"]["details"] == {"index": 1, "id": "b"}
    blank = api.client.post("/v1/suggest", json={"requests": [items[0], items[2]]}, headers=headers)
    assert blank.json()["error"]["details"] == {"index": 1, "id": None}
    # One request alone needs no position.
    one = api.client.post("/v1/suggest", json=items[1], headers=headers)
    assert one.json()["error"]["details"] is None


def test_suggest_errors_name_the_shape_meant(api: Api) -> None:
    """A bad body's errors are those of the shape it was meant to have (a batch when it has `requests`),
    not a list of every field both shapes would want."""
    headers = api.key(Role.OPERATOR)
    one = assert_envelope(api.client.post("/v1/suggest", json={"txt": "暖气不热"}, headers=headers), 422)
    assert {tuple(d["loc"]) for d in one["details"]} == {("body", "item", "text"), ("body", "item", "txt")}
    batch = assert_envelope(
        api.client.post("/v1/suggest", json={"requests": [{"text": 5}]}, headers=headers), 422
    )
    assert [d["loc"] for d in batch["details"]] == [["body", "batch", "requests", 0, "text"]]


def test_create_is_idempotent_over_http(api: Api) -> None:
    headers = api.key(Role.OPERATOR)
    first = create(api, headers)
    assert first.status_code == 201
    again = create(api, headers)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert_envelope(create(api, headers, text="另一件事"), 409, "idempotency_key_reused")
    missing = api.client.post("/v1/tickets", json={"text": "x", "intake_channel": "web"}, headers=headers)
    assert_envelope(missing, 422, "validation_error")
    assert first.json()["caller_phone"] == PHONE  # the operator sees it
    assert first.json()["suggested_unit"] == HEATING_UNIT


def test_roles_over_http(api: Api) -> None:
    auditor = api.key(Role.AUDITOR)
    assert_envelope(create(api, auditor), 403, "forbidden")
    assert create(api, api.key(Role.ADMIN)).status_code == 201
    assert_envelope(api.client.get("/v1/keys", headers=auditor), 403)
    assert_envelope(api.client.get("/v1/tickets", headers={"X-API-Key": "jsk_wrong"}), 401)


def test_keys_over_http(api: Api) -> None:
    admin = api.key(Role.ADMIN)
    made = api.client.post(
        "/v1/keys", json={"role": "unit", "unit": HEATING_UNIT, "expires_days": 30}, headers=admin
    )
    assert made.status_code == 201
    secret, key_id = made.json()["key"], made.json()["id"]
    assert api.client.get("/v1/tickets", headers={"X-API-Key": secret}).status_code == 200
    listed = api.client.get("/v1/keys", headers=admin).json()
    assert secret not in str(listed)
    assert key_id in str(listed)
    assert api.client.post(f"/v1/keys/{key_id}/revoke", headers=admin).json()["active"] is False
    assert_envelope(api.client.get("/v1/tickets", headers={"X-API-Key": secret}), 401)
    assert_envelope(
        api.client.post("/v1/keys", json={"role": "unit", "unit": "无此单位"}, headers=admin), 422
    )
    assert_envelope(api.client.post("/v1/keys", json={"role": "root"}, headers=admin), 422)


def test_walk_and_masking_over_http(api: Api) -> None:
    op, rev, auditor = api.key(Role.OPERATOR), api.key(Role.REVIEWER), api.key(Role.AUDITOR)
    heating, other = api.key(Role.UNIT, HEATING_UNIT), api.key(Role.UNIT, OTHER_UNIT)
    district = api.key(Role.UNIT, DISTRICT_GOVERNMENT)
    tid = create(api, op).json()["id"]
    post = api.client.post
    dispatched = post(
        f"/v1/tickets/{tid}/dispatch", json={"version": 1, "copy_to": [DISTRICT_GOVERNMENT]}, headers=op
    )
    assert dispatched.json()["state"] == "dispatched"
    assert_envelope(
        post(f"/v1/tickets/{tid}/accept", json={"version": 1}, headers=heating), 409, "stale_version"
    )
    assert_envelope(api.client.get(f"/v1/tickets/{tid}", headers=other), 404, "not_found")
    illegal = assert_envelope(post(f"/v1/tickets/{tid}/reply", json={"result": "x"}, headers=heating), 409)
    assert illegal["code"] == "illegal_transition"
    assert illegal["details"]["allowed_actions"] == ["accept", "return", "extend", "report", "escalate"]
    post(
        f"/v1/tickets/{tid}/return",
        json={"reason_code": "not_our_duty", "reason": "自管锅炉"},
        headers=heating,
    )
    post(f"/v1/tickets/{tid}/review-return", json={"decision": "uphold", "unit": OTHER_UNIT}, headers=rev)
    assert_envelope(api.client.get(f"/v1/tickets/{tid}", headers=heating), 404)  # no longer its ticket
    post(f"/v1/tickets/{tid}/accept", json={}, headers=other)
    post(f"/v1/tickets/{tid}/reply", json={"result": "已恢复供暖"}, headers=other)
    done = post(
        f"/v1/tickets/{tid}/followup",
        json={"contacted": True, "resolved": True, "satisfaction": "满意"},
        headers=op,
    )
    assert done.json()["state"] == "closed"
    assert_envelope(post(f"/v1/tickets/{tid}/reopen", json={}, headers=op), 409, "illegal_transition")
    seen = {
        name: api.client.get(f"/v1/tickets/{tid}", headers=headers).json()
        for name, headers in [("op", op), ("auditor", auditor), ("rev", rev), ("other", other)]
    }
    assert (seen["op"]["caller_phone"], seen["other"]["caller_name"]) == (PHONE, "李四")
    assert (seen["auditor"]["caller_phone"], seen["auditor"]["caller_name"]) == ("139****5678", "李*")
    assert seen["rev"]["caller_phone"] == "139****5678"
    assert [e["action"] for e in seen["auditor"]["events"]][-1] == "followup"
    assert_envelope(
        api.client.get(f"/v1/tickets/{tid}", headers=district), 404
    )  # copy dropped on re-dispatch
    listed = api.client.get("/v1/tickets", headers=auditor).json()["items"]
    assert PHONE not in str(listed)
    assert listed[0]["caller_masked"]
    inbox = api.client.get(f"/v1/units/{OTHER_UNIT}/inbox", headers=other).json()["items"]
    assert [t["id"] for t in inbox] == [tid]
    assert_envelope(api.client.get(f"/v1/units/{HEATING_UNIT}/inbox", headers=other), 404)
    rates = api.client.get("/v1/metrics/rates", headers=auditor).json()
    assert rates["rows"][0]["unit"] == OTHER_UNIT
    assert rates["rows"][0]["overall"] == 1.0
    assert rates["overall_weights"] == {"response": 0.1, "resolution": 0.5, "satisfaction": 0.4}
    assert "from" in rates
    assert "formula" in rates


BAD_REQUESTS = [
    ("empty text", "/v1/tickets", {"text": "", "intake_channel": "web"}, 422),
    ("blank text", "/v1/tickets", {"text": "  \n ", "intake_channel": "web"}, 422),
    ("oversized text", "/v1/tickets", {"text": "长" * 201, "intake_channel": "web"}, 422),
    ("unknown field", "/v1/tickets", {"text": "暖气不热XQ7", "intake_channel": "web", "priority": 1}, 422),
    ("wrong channel", "/v1/tickets", {"text": "暖气不热XQ7", "intake_channel": "fax"}, 422),
    ("wrong type", "/v1/tickets", {"text": 42, "intake_channel": "web"}, 422),
    (
        "bad phone",
        "/v1/tickets",
        {"text": "暖气不热", "intake_channel": "web", "caller_phone": "call me"},
        422,
    ),
    (
        "unknown district",
        "/v1/tickets",
        {"text": "暖气不热", "intake_channel": "web", "caller_district": "火星"},
        422,
    ),
    ("batch too large", "/v1/suggest", {"requests": [{"text": "暖气不热"}] * 4}, 422),
    ("empty batch", "/v1/suggest", {"requests": []}, 422),
    ("oversized suggest", "/v1/suggest", {"text": "长" * 201}, 422),
    ("suggest unknown field", "/v1/suggest", {"text": "暖气不热", "extra": True}, 422),
    # Valid JSON that no database or encoder takes: refused up front on every backend, never a 500.
    ("NUL in text", "/v1/tickets", {"text": "暖气\u0000不热", "intake_channel": "web"}, 422),
    ("lone surrogate in text", "/v1/tickets", '{"text": "暖气\\ud800不热", "intake_channel": "web"}', 422),
    (
        "NUL in name",
        "/v1/tickets",
        {"text": "暖气不热", "intake_channel": "web", "caller_name": "张\u0000三"},
        422,
    ),
    ("lone surrogate in suggest", "/v1/suggest", '{"text": "暖气\\udc00不热"}', 422),
    # No request in the text (emoji, zero-width or punctuation characters, a few letters, a lone number):
    # refused, never a category-labelled ticket.
    ("only emoji", "/v1/tickets", {"text": "😀😀😀", "intake_channel": "web"}, 422),
    ("only zero-width", "/v1/tickets", {"text": "\u200b\u200c\u2060", "intake_channel": "app"}, 422),
    ("only punctuation", "/v1/tickets", {"text": "。。。！？", "intake_channel": "web"}, 422),
    ("a few letters", "/v1/tickets", {"text": "asdf", "intake_channel": "web"}, 422),
    ("a lone number", "/v1/tickets", {"text": "12345", "intake_channel": "phone"}, 422),
    ("suggest only emoji", "/v1/suggest", {"text": "👍🏻👍🏻"}, 422),
    (
        "suggest only punctuation in a batch",
        "/v1/suggest",
        {"requests": [{"text": "暖气不热"}, {"text": "……"}]},
        422,
    ),
]


@pytest.fixture(scope="module", params=BACKENDS)
def limited_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, keyword_model: RequestClassifier
) -> Iterator[Api]:
    """One app per backend for all the bad-input cases (one app start, not one per case): each case is
    refused before anything is stored, and checks that nothing was."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("bad-inputs") / "jiesu.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres").fresh()
    api = start_api(url, keyword_model, max_text_chars=200, max_batch=3)
    yield api
    api.client.__exit__(None, None, None)


@pytest.mark.parametrize(
    ("path", "payload", "status"), [case[1:] for case in BAD_REQUESTS], ids=[c[0] for c in BAD_REQUESTS]
)
def test_bad_inputs_get_the_envelope(limited_api: Api, path: str, payload: Any, status: int) -> None:
    api = limited_api
    headers = api.key(Role.OPERATOR) | {"Idempotency-Key": "bad"}
    if isinstance(payload, str):  # raw JSON: a lone surrogate escape cannot be encoded by the client
        sent = api.client.post(path, content=payload, headers=headers | {"content-type": "application/json"})
    else:
        sent = api.client.post(path, json=payload, headers=headers)
    assert_envelope(sent, status)
    assert api.client.get("/v1/tickets", headers=headers).json()["items"] == []  # nothing stored


@pytest.mark.parametrize("text", ["😀😀😀", "\u200b\u200b", "。。。", "asdf", "12345"])
def test_a_text_with_no_request_is_refused_with_a_clear_message(limited_api: Api, text: str) -> None:
    headers = limited_api.key(Role.OPERATOR) | {"Idempotency-Key": f"no-request-{ord(text[0]):x}"}
    for path, payload in (
        ("/v1/suggest", {"text": text}),
        ("/v1/tickets", {"text": text, "intake_channel": "web"}),
    ):
        error = assert_envelope(
            limited_api.client.post(path, json=payload, headers=headers), 422, "invalid_input"
        )
        assert "holds no request" in error["message"]
    assert limited_api.client.get("/v1/tickets", headers=headers).json()["items"] == []


def test_bad_action_bodies(api: Api) -> None:
    op, heating = api.key(Role.OPERATOR), api.key(Role.UNIT, HEATING_UNIT)
    tid = create(api, op).json()["id"]
    post = api.client.post
    malformed = post(
        f"/v1/tickets/{tid}/dispatch",
        content=b'{"version": 1,',
        headers=op | {"content-type": "application/json"},
    )
    assert_envelope(malformed, 422, "validation_error")
    assert_envelope(post(f"/v1/tickets/{tid}/dispatch", json={"version": "1"}, headers=op), 422)
    assert_envelope(
        post(f"/v1/tickets/{tid}/dispatch", json={"unit": "火星区政府", "reason": "x"}, headers=op), 422
    )
    assert_envelope(post(f"/v1/tickets/{tid}/dispatch", json={"colour": "red"}, headers=op), 422)
    assert_envelope(post(f"/v1/tickets/{tid}/fly", json={}, headers=op), 404)
    assert_envelope(post("/v1/tickets/nope/dispatch", json={}, headers=op), 404, "not_found")
    post(f"/v1/tickets/{tid}/dispatch", json={}, headers=op)
    post(f"/v1/tickets/{tid}/accept", json={}, headers=heating)
    assert_envelope(
        post(f"/v1/tickets/{tid}/extend", json={"hours": 10000, "reason": "x"}, headers=heating), 422
    )
    assert_envelope(
        post(f"/v1/tickets/{tid}/extend", json={"hours": "24", "reason": "x"}, headers=heating), 422
    )
    post(f"/v1/tickets/{tid}/reply", json={"result": "好了"}, headers=heating)
    assert_envelope(
        post(f"/v1/tickets/{tid}/followup", json={"contacted": "yes", "resolved": True}, headers=op), 422
    )
    bad_level = {"contacted": True, "resolved": True, "satisfaction": "很好"}
    assert_envelope(post(f"/v1/tickets/{tid}/followup", json=bad_level, headers=op), 422, "invalid_input")
    assert_envelope(api.client.get("/v1/tickets?cursor=zzz", headers=op), 422)
    assert_envelope(api.client.get("/v1/tickets?state=flying", headers=op), 422)
    assert_envelope(api.client.get("/v1/metrics/rates?from=2026-12-01&to=2026-11-01", headers=op), 422)
    for query in ("to=9999-12-31", "to=0001-01-05", "from=0001-01-01&to=0001-01-02"):
        assert_envelope(api.client.get(f"/v1/metrics/rates?{query}", headers=op), 422, "invalid_input")
    for query in ("unit=不存在单位", "category=不存在类", "created_from=2099-01-01&created_to=2000-01-01"):
        assert_envelope(api.client.get(f"/v1/tickets?{query}", headers=op), 422, "invalid_input")
    assert_envelope(api.client.get("/v1/tickets?created_from=0001-01-01T00:00:00", headers=op), 422)
    ancient = base64.urlsafe_b64encode(json.dumps(["0001-01-01T00:00:00+14:00", tid]).encode()).decode()
    assert_envelope(api.client.get(f"/v1/tickets?cursor={ancient}", headers=op), 422, "invalid_input")
    contradictory = {"contacted": False, "resolved": True, "satisfaction": "满意"}
    assert_envelope(post(f"/v1/tickets/{tid}/followup", json=contradictory, headers=op), 422, "invalid_input")
    assert_envelope(
        post(
            f"/v1/tickets/{tid}/followup",
            json={"contacted": True, "resolved": True, "note": "a\u0000b"},
            headers=op,
        ),
        422,
    )
    assert api.client.get(f"/v1/tickets/{tid}", headers=op).json()["version"] == 4


def test_street_offices_copy_their_district_on_every_dispatch(api: Api) -> None:
    """Art. 12 holds for an override, an upheld return and an escalation alike, not only for a
    confirmed suggestion; the unit type comes from the catalogue and escalations go up a level."""
    op, rev = api.key(Role.OPERATOR), api.key(Role.REVIEWER)
    street = "朝阳区望京街道办事处"
    post = api.client.post
    tid = create(api, op).json()["id"]
    overridden = post(
        f"/v1/tickets/{tid}/dispatch", json={"unit": street, "reason": "属地管理"}, headers=op
    ).json()
    assert (overridden["copy_to"], overridden["lead_unit_type"]) == (["朝阳区人民政府"], "street")
    wrong_type = {"unit": street, "reason": "x", "unit_type": "enterprise"}
    assert_envelope(
        post(f"/v1/tickets/{create(api, op, key='t2').json()['id']}/dispatch", json=wrong_type, headers=op),
        422,
    )

    other = create(api, op, key="t3").json()["id"]
    post(f"/v1/tickets/{other}/dispatch", json={}, headers=op)
    post(
        f"/v1/tickets/{other}/return",
        json={"reason_code": "not_our_duty", "reason": "属地"},
        headers=api.key(Role.UNIT, HEATING_UNIT),
    )
    upheld = post(
        f"/v1/tickets/{other}/review-return", json={"decision": "uphold", "unit": street}, headers=rev
    ).json()
    assert (upheld["lead_unit"], upheld["copy_to"]) == (street, ["朝阳区人民政府"])

    to_street = {"level": "city", "unit": "朝阳区酒仙桥街道办事处", "reason": "升级"}
    refused = assert_envelope(post(f"/v1/tickets/{tid}/escalate", json=to_street, headers=rev), 422)
    assert refused["details"]["unit_type"] == "street"
    to_district = {"level": "district", "unit": "朝阳区人民政府", "reason": "街道协调不了"}
    escalated = post(f"/v1/tickets/{tid}/escalate", json=to_district, headers=rev).json()
    assert (escalated["lead_unit"], escalated["lead_unit_type"]) == ("朝阳区人民政府", "district_government")


def test_a_duplicate_links_to_an_earlier_ticket_only(api: Api) -> None:
    op = api.key(Role.OPERATOR)
    first = create(api, op, key="d1").json()["id"]
    time.sleep(0.01)  # created_at is the server's clock
    second = create(api, op, key="d2").json()["id"]
    post = api.client.post
    assert_envelope(
        post(f"/v1/tickets/{first}/close-duplicate", json={"linked_ticket_id": second}, headers=op),
        422,
        "invalid_input",
    )
    closed = post(f"/v1/tickets/{second}/close-duplicate", json={"linked_ticket_id": first}, headers=op)
    assert closed.json()["linked_ticket_id"] == first
    assert_envelope(
        post(f"/v1/tickets/{first}/close-duplicate", json={"linked_ticket_id": "x\u0000"}, headers=op), 422
    )
    # Two copies created in one batch share a time: the second may not point at the first's duplicate.
    third = create(api, op, key="d3").json()["id"]
    refused = assert_envelope(
        post(f"/v1/tickets/{third}/close-duplicate", json={"linked_ticket_id": second}, headers=op), 422
    )
    assert refused["details"] == {"original_ticket_id": first}


def test_numbers_written_in_the_text_are_masked_for_auditors(api: Api) -> None:
    op, auditor = api.key(Role.OPERATOR), api.key(Role.AUDITOR)
    text = "朝阳区望京街道暖气不热，回电１３９１２３４５６７８或身份证110101199003074518"
    tid = create(api, op, text=text).json()["id"]
    assert api.client.get(f"/v1/tickets/{tid}", headers=op).json()["text"] == text
    masked = api.client.get(f"/v1/tickets/{tid}", headers=auditor).json()["text"]
    assert masked == "朝阳区望京街道暖气不热，回电〔电话号码〕或身份证〔证件号码〕"
    assert "13912345678" not in str(api.client.get("/v1/tickets", headers=auditor).json())
    for odd in ("not-a-uuid", "%00"):
        assert_envelope(api.client.get(f"/v1/tickets/{odd}", headers=op), 404, "not_found")


def test_settings_reach_handlers_through_a_dependency(api: Api) -> None:
    headers = api.key(Role.OPERATOR)
    text = "暖气不热了怎么办"
    assert api.client.post("/v1/suggest", json={"text": text}, headers=headers).status_code == 200
    app = api.app
    app.dependency_overrides[get_settings] = lambda: ServingSettings(max_text_chars=5)
    # The same request is refused once the handlers see the overriding settings (5 characters at most).
    response = api.client.post("/v1/suggest", json={"text": text}, headers=headers)
    assert_envelope(response, 422, "invalid_input")
    app.dependency_overrides.clear()
    assert api.client.post("/v1/suggest", json={"text": text}, headers=headers).status_code == 200


def test_logs_carry_no_text_or_phone(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    op = api.key(Role.OPERATOR)
    with caplog.at_level(logging.DEBUG):
        tid = create(api, op).json()["id"]
        api.client.post(f"/v1/tickets/{tid}/dispatch", json={}, headers=op)
        api.client.post("/v1/suggest", json={"text": SECRET_TEXT}, headers=op)
        api.client.get(f"/v1/tickets?district=朝阳&caller={PHONE}", headers=op)
    lines = [record.getMessage() for record in caplog.records if record.name.startswith("jiesu")]
    assert any("request_id=" in line and "status=201" in line and "model_id=" in line for line in lines)
    assert not any("XQ7" in line or PHONE in line or "5678" in line for line in lines)


def test_internal_errors_are_enveloped_and_logged_without_data(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = api.app.state.runtime

    def broken(*_: Any) -> Any:
        raise RuntimeError(f"database said: {PHONE} XQ7")

    runtime.tickets.get = broken
    with caplog.at_level(logging.INFO):
        response = api.client.get("/v1/tickets/x", headers=api.key(Role.OPERATOR) | {"X-Request-ID": "req-1"})
    error = assert_envelope(response, 500, "internal_error")
    assert error["details"] == {"request_id": "req-1"}
    assert response.headers["x-request-id"] == "req-1"
    assert "RuntimeError" in caplog.text
    assert PHONE not in caplog.text
    assert "XQ7" not in caplog.text


def test_app_loads_the_model_in_lifespan_not_at_creation(db_url: str, seed_model_dir: Path) -> None:
    app = create_app(ServingSettings(database_url=db_url, model_dir=seed_model_dir))
    assert not hasattr(app.state, "runtime")
    saved = json.loads((seed_model_dir / "metadata.json").read_text(encoding="utf-8"))
    with TestClient(app) as client:
        health = client.get("/health")
        assert health.status_code == 200
        assert health.json()["model_id"] == saved["model_id"]  # the model of model_dir, loaded
        suggestion = client.post(
            "/v1/suggest",
            json={"text": HEATING_TEXT},
            headers={"X-API-Key": app.state.runtime.keys.create(KeyCreate(role=Role.OPERATOR)).key},
        ).json()
        assert suggestion["suggestion"]["route"]["unit"] == HEATING_UNIT


# --- end to end on the trained seed model (the other tests suggest with the keyword model) -------------


@pytest.fixture
def seed_api(make_api: ApiFactory, seed_model: RequestClassifier) -> Api:
    return make_api(classifier=seed_model)


def test_suggest_on_the_seed_model(seed_api: Api, seed_model: RequestClassifier) -> None:
    headers = seed_api.key(Role.OPERATOR)
    health = seed_api.client.get("/health").json()
    assert health["model_id"] == seed_model.model_id_ != KEYWORD_MODEL_ID
    batch = seed_api.client.post(
        "/v1/suggest",
        json={
            "requests": [
                {"id": "heating", "text": HEATING_TEXT},
                {"id": "fire", "text": "家里着火了快来人", "caller_district": "朝阳"},
                {"id": "fumes", "text": "海淀区八里庄街道饭馆油烟扰民"},
            ]
        },
        headers=headers,
    ).json()
    heating, fire, fumes = batch["suggestions"]
    assert (heating["category"]["l2"], heating["route"]["unit"]) == ("供暖", HEATING_UNIT)
    assert heating["deadline"]["tier"] == "utility"
    # Whether a person looks first follows the decision's check, which the API shows.
    decision = next(check for check in heating["consult"]["checks"] if check["decision"] == "decision")
    assert decision["value"] == HEATING_UNIT
    assert ("low_confidence" in heating["consult"]["reasons"]) == (not decision["sure"])
    assert (fire["disposition"]["label"], fire["disposition"]["emergency_number"]) == ("emergency", "119")
    assert fire["risk"]["flag"]
    assert fire["route"] is None
    assert fumes["category"]["l2"] == "餐饮油烟"
    assert {s["versions"]["model_id"] for s in batch["suggestions"]} == {seed_model.model_id_}


def test_ticket_walk_on_the_seed_model(seed_api: Api, seed_model: RequestClassifier) -> None:
    op, heating = seed_api.key(Role.OPERATOR), seed_api.key(Role.UNIT, HEATING_UNIT)
    created = create(seed_api, op)
    assert created.status_code == 201
    ticket = created.json()
    assert (ticket["suggested_unit"], ticket["model_id"]) == (HEATING_UNIT, seed_model.model_id_)
    tid = ticket["id"]
    dispatched = seed_api.client.post(f"/v1/tickets/{tid}/dispatch", json={}, headers=op).json()
    assert (dispatched["state"], dispatched["lead_unit"]) == ("dispatched", HEATING_UNIT)
    accepted = seed_api.client.post(f"/v1/tickets/{tid}/accept", json={}, headers=heating).json()
    assert accepted["state"] == "accepted"


def test_dispatch_audit_for_auditors(api: Api) -> None:
    op, rev, auditor = api.key(Role.OPERATOR), api.key(Role.REVIEWER), api.key(Role.AUDITOR)
    heating, other = api.key(Role.UNIT, HEATING_UNIT), api.key(Role.UNIT, OTHER_UNIT)
    post = api.client.post
    followed = create(api, op, key="a1").json()["id"]
    post(f"/v1/tickets/{followed}/dispatch", json={}, headers=op)  # the suggestion: 北京市热力集团
    post(
        f"/v1/tickets/{followed}/return",
        json={"reason_code": "not_our_duty", "reason": "自管锅炉"},
        headers=heating,
    )
    post(
        f"/v1/tickets/{followed}/review-return", json={"decision": "uphold", "unit": OTHER_UNIT}, headers=rev
    )
    overridden = create(api, op, key="a2").json()["id"]
    post(f"/v1/tickets/{overridden}/dispatch", json={"unit": OTHER_UNIT, "reason": "自管锅炉"}, headers=op)
    post(
        f"/v1/tickets/{overridden}/return", json={"reason_code": "other", "reason": "不归我们"}, headers=other
    )
    post(f"/v1/tickets/{overridden}/review-return", json={"decision": "reject"}, headers=rev)
    # The same objection again is refused; with new facts it goes back to the reviewer, counted apart.
    again = {"reason_code": "other", "reason": "不归我们"}
    refused = post(f"/v1/tickets/{overridden}/return", json=again, headers=other)
    assert_envelope(refused, 422, "invalid_input")
    assert "new_facts" in refused.json()["error"]["message"]
    refiled = post(
        f"/v1/tickets/{overridden}/return", json={**again, "new_facts": "锅炉房属物业"}, headers=other
    )
    assert refiled.json()["state"] == "return_requested"
    audit = api.client.get("/v1/metrics/dispatch", headers=auditor).json()
    units = {row["unit"]: row for row in audit["units"]}
    assert (units[OTHER_UNIT]["returned"], units[OTHER_UNIT]["returns_refiled"]) == (1, 1)
    assert (audit["overall"]["returned"], audit["overall"]["returns_refiled"]) == (2, 1)
    assert (units[HEATING_UNIT]["returns_upheld"], units[HEATING_UNIT]["mis_dispatch_rate"]) == (1, 1.0)
    assert (units[OTHER_UNIT]["dispatched"], units[OTHER_UNIT]["returns_rejected"]) == (2, 1)
    assert audit["suggestions"]["override_rate"] == 0.5
    assert audit["suggestions"]["by_origin"]["suggestion"]["mis_dispatch_rate"] == 1.0
    assert "from" in audit
    assert "to" in audit
    assert_envelope(api.client.get("/v1/metrics/dispatch", headers=heating), 403, "forbidden")
    assert_envelope(
        api.client.get("/v1/metrics/dispatch?from=2026-12-01&to=2026-11-01", headers=auditor), 422
    )
