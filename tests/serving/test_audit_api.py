"""GET /v1/audit/misdispatch: auditors and admins only, no caller data or request text in the answer."""

from __future__ import annotations

from datetime import datetime

from jiesu.workflow.states import BEIJING_TZ, Role
from tests.serving.conftest import HEATING_TEXT, HEATING_UNIT, Api

PHONE = "13912345678"


def test_audit_roles_and_no_caller_data(api: Api) -> None:
    operator = api.key(Role.OPERATOR)
    created = api.client.post(
        "/v1/tickets",
        json={"text": HEATING_TEXT, "intake_channel": "phone", "caller_phone": PHONE, "caller_name": "张三"},
        headers={**operator, "Idempotency-Key": "audit-1"},
    )
    assert created.status_code == 201
    ticket = created.json()["id"]
    assert api.client.post(f"/v1/tickets/{ticket}/dispatch", json={}, headers=operator).status_code == 200
    unit = api.key(Role.UNIT, HEATING_UNIT)
    assert api.client.post(f"/v1/tickets/{ticket}/accept", json={}, headers=unit).status_code == 200
    # The audit's days are Beijing's: from 16:00 UTC, UTC's date is a day behind and misses the ticket.
    today = datetime.now(BEIJING_TZ).date().isoformat()
    query = {"from": "2020-01-01", "to": today, "group_by": "unit"}
    for role in (Role.AUDITOR, Role.ADMIN):
        answer = api.client.get("/v1/audit/misdispatch", params=query, headers=api.key(role))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["from"] == "2020-01-01"
        assert body["overall"]["first_dispatch_accuracy"]["count"] == 1
        assert body["groups"][0]["key"] == HEATING_UNIT
        assert PHONE not in answer.text
        assert "5678" not in answer.text
        assert HEATING_TEXT not in answer.text
        assert "张三" not in answer.text
    for role in (Role.OPERATOR, Role.REVIEWER):
        assert api.client.get("/v1/audit/misdispatch", params=query, headers=api.key(role)).status_code == 403
    assert api.client.get("/v1/audit/misdispatch", params=query, headers=unit).status_code == 403
    assert api.client.get("/v1/audit/misdispatch", params=query).status_code == 401
    bad = api.client.get(
        "/v1/audit/misdispatch", params={**query, "group_by": "colour"}, headers=api.key(Role.AUDITOR)
    )
    assert bad.status_code == 422
    auditor = api.key(Role.AUDITOR)
    for dates, says in [({"from": today, "to": "2020-01-01"}, "from must not be after to"),
                        ({"from": "1900-01-01", "to": today}, "dates must lie between"),
                        ({"from": "2026-02-30", "to": today}, "day value is outside"), ({"to": today}, "required")]:  # fmt: skip
        answer = api.client.get("/v1/audit/misdispatch", params=dates, headers=auditor)
        assert answer.status_code == 422
        assert says in answer.text


def test_audit_is_documented(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/audit/misdispatch"]["get"]
    assert {"403", "200"} <= set(operation["responses"])
    assert "MisdispatchAuditOut" in spec["components"]["schemas"]
