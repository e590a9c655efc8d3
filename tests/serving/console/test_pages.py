"""Console pages over HTTP (no browser): each role reaches only its pages, a unit only its tickets, bad
input gets the API's errors with everything typed kept, and a ticket's whole life through the forms."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from jiesu.workflow.states import BEIJING_TZ, Role, cycle_of
from tests.serving.conftest import HEATING_TEXT, HEATING_UNIT, OTHER_UNIT
from tests.serving.console.conftest import Browser, Console

PAGES = {
    "/console/intake": {Role.OPERATOR, Role.ADMIN},
    "/console/inbox": {Role.UNIT},
    "/console/review": {Role.REVIEWER},
    "/console/tickets": {Role.OPERATOR, Role.REVIEWER, Role.AUDITOR, Role.ADMIN},
    "/console/dashboard": {Role.AUDITOR, Role.REVIEWER, Role.ADMIN},
    "/console/audit": {Role.AUDITOR, Role.REVIEWER, Role.ADMIN},
    "/console/units?q=cyq": {Role.OPERATOR, Role.REVIEWER, Role.ADMIN},
}
TICKET = re.compile(r"/console/tickets/([0-9a-f-]{36})")


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_its_pages_and_no_others(console: Console, role: Role) -> None:
    browser = console.browser(role, HEATING_UNIT if role is Role.UNIT else None)
    for path, roles in PAGES.items():
        status = browser.get(path).status_code
        assert status == (200 if role in roles else 403), (path, status)


def _take(operator: Browser, text: str = HEATING_TEXT, **fields: str) -> str:
    done = operator.post("/console/intake", {"text": text, "do": "confirm", **fields})
    assert done.status_code == 303, done.text
    found = TICKET.search(operator.get(done.headers["location"]).text)
    assert found is not None
    return found.group(1)


def test_a_unit_sees_only_its_own_tickets(console: Console) -> None:
    ticket_id = _take(console.browser(Role.OPERATOR))
    lead = console.browser(Role.UNIT, HEATING_UNIT)
    other = console.browser(Role.UNIT, OTHER_UNIT)
    assert ticket_id in lead.get("/console/inbox").text
    assert ticket_id not in other.get("/console/inbox").text
    assert lead.get(f"/console/tickets/{ticket_id}").status_code == 200
    assert other.get(f"/console/tickets/{ticket_id}").status_code == 404
    refused = other.post(f"/console/tickets/{ticket_id}/act/accept", {"version": "2"})
    assert refused.status_code == 404


def test_bad_intake_input_gets_the_apis_error_and_keeps_what_was_typed(console: Console) -> None:
    operator = console.browser(Role.OPERATOR)
    typed = {"text": HEATING_TEXT, "caller_phone": "not a phone", "caller_name": "李四", "do": "confirm"}
    page = operator.post("/console/intake", typed)
    assert page.status_code == 422
    assert "填写有误，请检查以下各项" in page.text
    assert "来电号码（caller_phone）：格式不对" in page.text
    assert f">{HEATING_TEXT}</textarea>" in page.text
    assert 'value="not a phone"' in page.text
    assert 'value="李四"' in page.text
    assert operator.get("/console/tickets").text.count("/console/tickets/") == 0  # nothing was created


def test_an_override_without_a_reason_is_refused_after_creation_and_finishes_on_the_same_ticket(
    console: Console,
) -> None:
    operator = console.browser(Role.OPERATOR)
    fields = {"text": HEATING_TEXT, "unit": OTHER_UNIT, "intake_id": "call-1", "do": "confirm"}
    page = operator.post("/console/intake", fields)
    assert page.status_code == 422
    assert "改派到建议以外的单位须填写理由" in page.text
    ticket_id = re.search(r'name="ticket_id" value="([0-9a-f-]{36})"', page.text)
    assert ticket_id is not None
    assert f'value="{OTHER_UNIT}"' in page.text
    done = operator.post("/console/intake", {**fields, "ticket_id": ticket_id.group(1), "reason": "片区划分"})
    assert done.headers["location"] == f"/console/intake?done={ticket_id.group(1)}"
    assert OTHER_UNIT in operator.get(done.headers["location"]).text


def test_a_return_without_a_reason_code_keeps_the_form_as_typed(console: Console) -> None:
    ticket_id = _take(console.browser(Role.OPERATOR))
    unit = console.browser(Role.UNIT, HEATING_UNIT)
    page = unit.post(f"/console/tickets/{ticket_id}/act/return", {"version": "2", "reason": "不是供热问题"})
    assert page.status_code == 422
    assert "退单原因（reason_code）：必填" in page.text
    assert "不是供热问题</textarea>" in page.text


def test_a_ticket_through_the_forms_from_intake_to_the_dashboard(console: Console) -> None:
    operator = console.browser(Role.OPERATOR)
    ticket_id = _take(operator)
    lead = console.browser(Role.UNIT, HEATING_UNIT)
    returned = lead.post(
        f"/console/tickets/{ticket_id}/act/return",
        {"version": "2", "reason_code": "not_our_duty", "reason": "小区自管锅炉"},
    )
    assert returned.status_code == 303
    reviewer = console.browser(Role.REVIEWER)
    queue = reviewer.get("/console/review").text
    assert "不属本单位职责" in queue
    assert "小区自管锅炉" in queue
    upheld = reviewer.post(
        f"/console/tickets/{ticket_id}/act/review-return",
        {"version": "3", "decision": "uphold", "unit": OTHER_UNIT, "next": "/console/review"},
    )
    assert upheld.headers["location"] == "/console/review"
    new_unit = console.browser(Role.UNIT, OTHER_UNIT)
    assert new_unit.post(f"/console/tickets/{ticket_id}/act/accept", {"version": "4"}).status_code == 303
    assert (
        new_unit.post(f"/console/tickets/{ticket_id}/act/reply", {"result": "已协调供热"}).status_code == 303
    )
    assert ticket_id in operator.get("/console/tickets?state=replied").text
    followup = {"contacted": "true", "resolved": "true", "satisfaction": "满意", "valid": "true"}
    assert operator.post(f"/console/tickets/{ticket_id}/act/followup", followup).status_code == 303
    page = operator.get(f"/console/tickets/{ticket_id}").text
    assert "已关闭" in page
    assert page.count('class="timeline"') == 1
    assert "回访" in page
    auditor = console.browser(Role.AUDITOR)
    dashboard = auditor.get("/console/dashboard").text
    assert OTHER_UNIT in dashboard
    assert "100.0%" in dashboard
    assert "<svg" in dashboard
    # The mis-dispatch audit (GET /v1/audit/misdispatch): the first unit, with intervals, for auditors only.
    audit = auditor.get("/console/audit").text
    assert "首派准确率" in audit
    assert HEATING_UNIT in audit.split('id="misdispatch-report"')[1].split("</div>")[0]
    assert "n=1" in audit
    assert "首派准确率" not in reviewer.get("/console/audit").text  # reviewers get the return figures only


def test_a_co_handler_named_at_dispatch_reports_from_its_ticket_page(console: Console) -> None:
    operator = console.browser(Role.OPERATOR)
    created = operator.post("/console/intake", {"text": HEATING_TEXT, "do": "consult", "units": HEATING_UNIT})
    ticket_id = TICKET.search(operator.get(created.headers["location"]).text)
    assert ticket_id is not None
    path = f"/console/tickets/{ticket_id.group(1)}"
    assert operator.post(f"{path}/act/consult", {"outcome": "热力集团主办，城管委协办"}).status_code == 303
    dispatched = operator.post(f"{path}/act/dispatch", {"co_handlers": OTHER_UNIT})
    assert dispatched.status_code == 303
    co = console.browser(Role.UNIT, OTHER_UNIT)
    page = co.get(path).text
    assert 'id="act-report"' in page
    assert 'id="act-accept"' not in page
    assert co.post(f"{path}/act/report", {"report": "已督促物业检修"}).status_code == 303
    assert "已督促物业检修" in operator.get(path).text


def test_console_responses_carry_security_headers_and_pages_are_not_cached(console: Console) -> None:
    operator = console.browser(Role.OPERATOR)
    page = operator.get("/console/intake")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"  # pages show caller names and numbers
    static = operator.get("/console/static/htmx.min.js")
    assert static.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in static.headers or static.headers["cache-control"] != "no-store"


def test_a_version_field_that_only_looks_numeric_gets_the_apis_error_not_a_500(console: Console) -> None:
    operator = console.browser(Role.OPERATOR)
    ticket_id = _take(operator)
    lead = console.browser(Role.UNIT, HEATING_UNIT)
    for odd in ("²", "9" * 5000):
        answer = lead.post(f"/console/tickets/{ticket_id}/act/accept", {"version": odd})
        assert answer.status_code in (409, 422), odd


ICON_LINK = re.compile(r'<link rel="icon" href="([^"]+)"')


def test_every_page_links_an_icon_that_is_served_and_favicon_ico_is_not_a_404(console: Console) -> None:
    # Browsers ask for /favicon.ico on every page they show (the request log listed a 404 for each).
    anonymous = console.api.client
    icon = anonymous.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    pages = [anonymous.get("/console/login").text]
    auditor = console.browser(Role.AUDITOR)
    pages += [auditor.get(path).text for path in ("/console/dashboard", "/console/audit")]
    pages.append(console.browser(Role.UNIT, HEATING_UNIT).get("/console/dashboard").text)  # refused page
    for page in pages:
        links = ICON_LINK.findall(page)
        assert links == ["/console/static/favicon.svg", "/favicon.ico"], links
    svg = anonymous.get("/console/static/favicon.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")


def _date_inputs(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="date" id="(from|to)" name="[a-z]+" value="([^"]*)">', page))


@pytest.mark.parametrize("path", ["/console/dashboard", "/console/audit"])
def test_the_period_form_shows_the_period_the_figures_are_for(console: Console, path: str) -> None:
    auditor = console.browser(Role.AUDITOR)
    today = datetime.now(UTC).astimezone(BEIJING_TZ).date()
    cycle = console.api.app.state.runtime.tickets.workflow.rates.cycle
    start = cycle_of(today, cycle.start_day)[0]  # the default: the current assessment period up to today
    default = auditor.get(path).text
    assert _date_inputs(default) == {"from": start.isoformat(), "to": today.isoformat()}
    assert f"{start.isoformat()} 至 {today.isoformat()}" in default
    given = auditor.get(f"{path}?from=2026-01-05&to=2026-02-04").text
    assert _date_inputs(given) == {"from": "2026-01-05", "to": "2026-02-04"}
    only_start = auditor.get(f"{path}?from=2026-01-05").text
    assert _date_inputs(only_start) == {"from": "2026-01-05", "to": today.isoformat()}
    wrong = auditor.get(f"{path}?from=2026-13-01")
    assert wrong.status_code == 422
    assert _date_inputs(wrong.text) == {"from": "2026-13-01", "to": ""}  # as typed, with the error


def test_dispatch_counts_say_whether_they_count_dispatches_or_tickets(console: Console) -> None:
    # One ticket, dispatched twice (a return upheld and re-dispatched): 2 dispatches, 1 dispatched ticket.
    ticket_id = _take(console.browser(Role.OPERATOR))
    lead = console.browser(Role.UNIT, HEATING_UNIT)
    returned = {"version": "2", "reason_code": "not_our_duty", "reason": "小区自管锅炉"}
    assert lead.post(f"/console/tickets/{ticket_id}/act/return", returned).status_code == 303
    upheld = {"version": "3", "decision": "uphold", "unit": OTHER_UNIT}
    reviewer = console.browser(Role.REVIEWER)
    assert reviewer.post(f"/console/tickets/{ticket_id}/act/review-return", upheld).status_code == 303
    auditor = console.browser(Role.AUDITOR)
    dashboard = auditor.get("/console/dashboard").text
    assert "<dt>派单次数</dt>" in dashboard
    assert '<dd id="dispatch-count">2 次（首次派单 1，退单后改派 1，升级 0）</dd>' in dashboard
    assert "<dt>派单</dt>" not in dashboard
    audit = auditor.get("/console/audit").text
    assert "本期受理工单 1 件，其中派单工单 1 件" in audit
    report, events = audit.split('id="misdispatch-report"')[1].split('id="units"')
    assert "<th>派单工单数</th>" in report
    assert "<th>派单次数</th>" in events
    assert "<th>派单</th>" not in audit
    for unit in (HEATING_UNIT, OTHER_UNIT):  # each unit received the ticket once
        assert f"<tr><td>{unit}</td><td>1</td>" in events
    # Reviewers get the per-dispatch figures only, without a reference to the report they cannot see.
    assert "上表" not in reviewer.get("/console/audit").text


ENGLISH_PHRASE = re.compile(r"[A-Za-z]{2,}(?:[ /;,]+[A-Za-z]{2,}){2,}")


def _visible_text(page: str) -> str:
    """What a reader sees: no tags, scripts, styles or code (commands, API paths and keys stay as typed)."""
    for element in ("script", "style", "code", "kbd", "head"):
        page = re.sub(rf"<{element}\b.*?</{element}>", " ", page, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", page)


def test_the_pages_operators_and_auditors_read_have_no_english_sentences(console: Console) -> None:
    operator = console.browser(Role.OPERATOR)
    ticket_id = _take(operator)
    bad_phone = {"text": HEATING_TEXT, "caller_phone": "电话不详", "do": "confirm"}
    override = {"text": HEATING_TEXT, "unit": OTHER_UNIT, "intake_id": "call-9", "do": "confirm"}
    lead = console.browser(Role.UNIT, HEATING_UNIT)
    auditor = console.browser(Role.AUDITOR)
    pages = {
        "intake, bad phone": operator.post("/console/intake", bad_phone).text,
        "intake, override without a reason": operator.post("/console/intake", override).text,
        "return without a reason code": lead.post(
            f"/console/tickets/{ticket_id}/act/return", {"version": "2"}
        ).text,
        "stale version": lead.post(f"/console/tickets/{ticket_id}/act/accept", {"version": "1"}).text,
        "no such ticket": operator.get("/console/tickets/00000000-0000-0000-0000-000000000000").text,
        "tickets, bad date": operator.get("/console/tickets?created_from=yesterday").text,
        "dashboard": auditor.get("/console/dashboard").text,
        "dashboard, bad date": auditor.get("/console/dashboard?from=2026-13-01").text,
        "audit": auditor.get("/console/audit").text,
    }
    for name, page in pages.items():
        found = ENGLISH_PHRASE.findall(_visible_text(page))
        assert not found, (name, found)
    assert "公式：响应率 = 联系上 ÷ 有效回访" in pages["dashboard"]
    assert "综合 = 0.1 × 响应率 + 0.5 × 解决率 + 0.4 × 满意率" in pages["dashboard"]
    assert "工单在您打开之后已被修改" in pages["stale version"]
    assert "工单不存在" in pages["no such ticket"]
    assert "Holm–Bonferroni 法校正" in pages["audit"]


def test_the_suggestion_panel_shows_the_danger_that_gave_the_2_hour_tier(console: Console) -> None:
    """A danger there now gives a dispatch the emergency tier: the panel says which words, and marks them."""
    operator = console.browser(Role.OPERATOR)
    text = HEATING_TEXT + "，楼道里的电线耷拉下来了"
    panel = operator.post("/console/intake/suggest", {"text": text}).text
    assert "险情「电线耷拉」" in panel
    assert '<mark class="emergency">电线耷拉</mark>' in panel
    quiet = operator.post("/console/intake/suggest", {"text": HEATING_TEXT}).text
    assert "险情" not in quiet


def test_an_emergency_transfer_gets_one_alert_and_a_risk_word_its_own_line(console: Console) -> None:
    """An emergency's kind (emergency:119 in risk.cues) is the transfer's own alert, not a second line;
    a self-harm word beside it still gets the risk line."""
    operator = console.browser(Role.OPERATOR)
    fire = operator.post(
        "/console/intake/suggest", {"text": "快来人啊，我们楼道里着火了，现在浓烟特别大"}
    ).text
    assert "风险提示" not in fire
    assert "emergency" not in _visible_text(fire)
    self_harm = operator.post(
        "/console/intake/suggest", {"text": "我不想活了，我现在就在楼顶上，朝阳区望京西园三区。"}
    ).text
    assert "风险提示：自伤风险" in self_harm
