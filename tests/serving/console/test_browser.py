"""The console in a real Chromium (Playwright) against a real server: an operator takes three calls, a
unit returns a ticket, a reviewer upholds it and re-dispatches, the new unit replies, an operator calls
back, and an auditor reads the dashboard. Each test also checks that its role cannot reach other roles'
pages. Timings: the suggestion must follow the last keystroke within 300 ms, and a confident suggestion
is confirmed in at most 2 keystrokes once the text is in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from jiesu.serving.schemas import TicketCreate
from jiesu.workflow.bodies import DispatchBody
from jiesu.workflow.states import Action, Role
from tests.serving.conftest import HEATING_TEXT, HEATING_UNIT, OTHER_UNIT
from tests.serving.console.browser import LiveServer, launch, refused, require_chromium, serve, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

FIRE_TEXT = "楼下着火了，快来人"
ARBITRATION_TEXT = "我已经申请劳动仲裁了，仲裁委已经受理，公司还是不给钱"
SUGGESTION_WITHIN_MS = 300


# Module scope, not session: Playwright's sync API keeps an event loop running in this thread while it
# is open, and other modules' tests that call asyncio.run() on the same worker would fail.
@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    yield from launch(require_chromium())


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    require_chromium()  # no server to start where the tests skip
    yield from serve(tmp_path_factory.mktemp("console") / "jiesu.db")


def _done(page: Page) -> str:
    page.wait_for_selector("#done")
    return page.inner_text("#done")


def _type_and_time(page: Page, text: str, expect: str) -> float:
    """Type `text` key by key; milliseconds from the last keystroke to the panel showing `expect`."""
    # Characters typed through an input method arrive as input events (no keydown): time those.
    page.evaluate(
        "document.getElementById('text').addEventListener('input', () => { window.__lastKey = performance.now(); })"
    )
    page.click("#text")
    page.keyboard.type(text, delay=40)
    page.wait_for_function(
        "([expect]) => window.__suggestedAt > window.__lastKey"
        " && document.getElementById('suggestion').innerText.includes(expect)",
        arg=[expect],
        timeout=5000,
    )
    elapsed: float = page.evaluate("window.__suggestedAt - window.__lastKey")
    return elapsed


@pytest.mark.slow
def test_an_operator_takes_a_dispatch_an_emergency_and_a_legal_channel_call(
    chromium: Browser, live_server: LiveServer, record_property: Callable[[str, object], None]
) -> None:
    page = sign_in(chromium, live_server, Role.OPERATOR)
    assert page.url.endswith("/console/intake")

    # 1. A confident dispatch: the suggestion follows the typing; Ctrl+Enter confirms it (1 keystroke).
    elapsed = _type_and_time(page, HEATING_TEXT, HEATING_UNIT)
    record_property("suggestion_after_last_keystroke_ms", round(elapsed, 1))
    print(f"suggestion {elapsed:.0f} ms after the last keystroke")
    assert elapsed <= SUGGESTION_WITHIN_MS
    assert page.inner_text("#evidence mark.place") == "朝阳区"
    keystrokes = 0
    page.keyboard.press("Control+Enter")
    keystrokes += 1
    assert f"派至 {HEATING_UNIT}" in _done(page)
    assert keystrokes <= 2
    assert page.input_value("#text") == ""  # a fresh form for the next call

    # 2. An emergency: the number to transfer to, at once; Ctrl+Enter transfers.
    page.fill("#text", FIRE_TEXT)
    page.wait_for_selector("#emergency")
    assert "119" in page.inner_text("#emergency .num")
    assert "着火" in page.inner_text("#evidence mark.emergency")
    page.keyboard.press("Control+Enter")
    assert "已转接应急" in _done(page)

    # 3. A legal channel: the notice to read out; Ctrl+Enter informs, nothing is dispatched.
    page.fill("#text", ARBITRATION_TEXT)
    page.wait_for_selector("#notice")
    assert "仲裁程序" in page.inner_text("#notice")
    assert page.locator("#evidence mark.legal").count() >= 1
    page.keyboard.press("Control+Enter")
    done = _done(page)
    assert "已告知法定渠道" in done
    assert "派至" not in done

    # 4. Keyboard only: Alt+U opens the unit picker, pinyin initials find a unit, Enter picks it.
    page.fill("#text", HEATING_TEXT)
    page.wait_for_selector(f"#s-unit:has-text('{HEATING_UNIT}')")
    page.keyboard.press("Alt+U")
    page.keyboard.type("cyqcsgl")
    page.wait_for_selector(f"#unit-results button[data-unit='{OTHER_UNIT}']")
    page.keyboard.press("Enter")
    page.keyboard.type("小区供热由街道协调")
    page.keyboard.press("Control+Enter")
    assert f"派至 {OTHER_UNIT}" in _done(page)

    for path in ("/console/inbox", "/console/review", "/console/dashboard"):
        assert refused(page, path), path
    page.context.close()


@pytest.mark.slow
def test_a_return_is_upheld_redispatched_replied_and_followed_up_then_read_on_the_dashboard(
    chromium: Browser, live_server: LiveServer
) -> None:
    runtime = live_server.runtime
    operator_key = runtime.keys.authenticate(live_server.key(Role.OPERATOR))
    created, _ = runtime.tickets.create(
        operator_key, TicketCreate(text=HEATING_TEXT, intake_channel="phone"), "browser-return-story"
    )
    runtime.tickets.act(operator_key, created.id, Action.DISPATCH, DispatchBody())
    ticket = f"/console/tickets/{created.id}"

    unit = sign_in(chromium, live_server, Role.UNIT, HEATING_UNIT)
    unit.click(f"a[href='{ticket}']")
    unit.click("#act-return summary")
    unit.select_option("#return-reason_code", "not_our_duty")
    unit.fill("#return-reason", "小区为自管锅炉，不属热力集团供热范围")
    unit.click("#submit-return")
    unit.wait_for_selector("text=退单待审")
    for path in ("/console/intake", "/console/review", "/console/dashboard", "/console/tickets"):
        assert refused(unit, path), path

    reviewer = sign_in(chromium, live_server, Role.REVIEWER)
    item = reviewer.locator(f"#review-{created.id[:8]}")
    assert "不属本单位职责" in item.inner_text()
    assert "自管锅炉" in item.inner_text()
    assert item.locator("input[name=unit]").input_value() == OTHER_UNIT  # the suggestion's alternative
    item.locator("button[value=uphold]").click()
    reviewer.wait_for_selector("text=没有待审核的退单")
    for path in ("/console/intake", "/console/inbox"):
        assert refused(reviewer, path), path

    new_unit = sign_in(chromium, live_server, Role.UNIT, OTHER_UNIT)
    new_unit.locator(f"tr:has(a[href='{ticket}']) button:has-text('接单')").click()
    new_unit.goto(ticket)
    assert new_unit.locator("#act-reply").get_attribute("open") is not None  # the usual next step, open
    new_unit.fill("#reply-result", "已联系物业恢复供热，室温22度")
    new_unit.click("#submit-reply")
    new_unit.wait_for_selector("text=已办结")

    operator = sign_in(chromium, live_server, Role.OPERATOR)
    operator.goto(ticket)
    assert "已办结" in operator.inner_text("h1")
    operator.select_option("#followup-satisfaction", "满意")
    operator.click("#submit-followup")
    operator.wait_for_selector("h1:has-text('已关闭')")
    assert (
        operator.locator("#timeline li").count() == 7
    )  # create, dispatch, return, review, accept, reply, follow-up

    auditor = sign_in(chromium, live_server, Role.AUDITOR)
    assert auditor.url.endswith("/console/dashboard")
    rates = auditor.inner_text("#rates")
    assert OTHER_UNIT in rates
    assert "100.0%" in rates
    assert auditor.locator("#rates svg.chart").count() == 1
    assert HEATING_UNIT in auditor.inner_text("#dispatch")
    auditor.click("text=查看错派审计详情")
    assert "不属本单位职责 1" in auditor.inner_text("#units")
    for path in ("/console/intake", "/console/inbox", "/console/review"):
        assert refused(auditor, path), path
    for page in (unit, reviewer, new_unit, operator, auditor):
        page.context.close()
