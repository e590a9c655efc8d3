"""Screenshots of every console page, as each role sees it, on a demo database.

    .venv/bin/python scripts/console_screenshots.py --out var/console-screenshots [--model DIR]

Starts `jiesu serve`'s app under uvicorn on a free port over a new SQLite file, fills it with demo tickets
in every state (some created ten days ago, so overdue), signs in as each role through the sign-in page in
Debian's Chromium (Playwright; `apt-get install chromium fonts-noto-cjk`) and saves one PNG per page.
The model: --model DIR, else the default model (trained on first use, about a minute)."""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import uvicorn
from playwright.sync_api import Page, sync_playwright

from jiesu.serving.app import create_app
from jiesu.serving.clock import utcnow
from jiesu.serving.runtime import Runtime
from jiesu.serving.schemas import KeyCreate, TicketCreate
from jiesu.serving.settings import ServingSettings
from jiesu.workflow.bodies import ACTION_BODIES
from jiesu.workflow.states import Action, Role

HEATING = "朝阳区望京街道望京西园三区暖气不热，家里只有十五度，老人孩子都冻感冒了"
UNIT = "北京市热力集团"
OTHER = "朝阳区城市管理委员会"
DEMO = [
    ("朝阳区望京街道有家饭馆油烟太大，晚上开着窗户全是油烟味", []),
    ("海淀区中关村街道小区暖气不热，已经报修三次没人来", ["dispatch"]),
    (HEATING, ["dispatch", "accept"]),
    ("朝阳区望京街道小区暖气片漏水，楼下都泡了", ["dispatch", "return"]),
    ("西城区金融街街道小区暖气不热", ["dispatch", "accept", "reply"]),
    ("丰台区方庄地区小区暖气不热，问了物业也不管", ["dispatch", "accept", "reply", "followup"]),
    ("朝阳区望京街道望京西园三区暖气不热，物业说是自管锅炉", ["dispatch", "return", "review-return"]),
]
FIELDS: dict[str, dict[str, Any]] = {
    "return": {"reason_code": "not_our_duty", "reason": "小区为自管锅炉，不属热力集团供热范围"},
    "reply": {"result": "已联系物业恢复供热，室温22度"},
    "followup": {"contacted": True, "resolved": True, "satisfaction": "基本满意"},
    "review-return": {"decision": "uphold", "unit": "朝阳区望京街道办事处", "reason": "自管锅炉由属地街道协调"},
}


def seed(runtime: Runtime) -> dict[str, str]:
    """Demo tickets; the first three of each kind ten days old. Returns ticket ids by their last action."""
    keys = runtime.keys
    operator = keys.authenticate(keys.create(KeyCreate(role=Role.OPERATOR)).key)
    reviewer = keys.authenticate(keys.create(KeyCreate(role=Role.REVIEWER)).key)
    ids: dict[str, str] = {}
    real_clock = runtime.tickets.clock
    for number, (text, steps) in enumerate(DEMO * 2):
        past = number < len(DEMO)
        runtime.tickets.clock = (lambda: utcnow() - timedelta(days=10)) if past else real_clock
        body = TicketCreate(
            text=text, intake_channel="phone", caller_phone="13812345678", caller_name="王女士"
        )
        ticket, _ = runtime.tickets.create(operator, body, f"demo-{number}")
        for step in steps:
            who = reviewer if step == "review-return" else operator
            if step in ("accept", "return", "reply"):
                lead = ticket.lead_unit or UNIT
                who = keys.authenticate(keys.create(KeyCreate(role=Role.UNIT, unit=lead)).key)
            fields = {**FIELDS.get(step, {}), "version": ticket.version}
            ticket = runtime.tickets.act(
                who, ticket.id, Action(step), ACTION_BODIES[step].model_validate(fields)
            )
        ids[steps[-1] if steps else "received"] = ticket.id
    runtime.tickets.clock = real_clock
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("var/console-screenshots"))
    parser.add_argument(
        "--model", type=Path, default=None, help="model directory (default: the default model)"
    )
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    database = Path(tempfile.mkdtemp()) / "demo.db"
    app = create_app(ServingSettings(database_url=f"sqlite:///{database}", model_dir=args.model))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.1)
    runtime: Runtime = app.state.runtime
    ids = seed(runtime)
    shots: list[str] = []

    def as_role(
        role: Role, unit: str | None, pages: list[tuple[str, str, Callable[[Page], None] | None]]
    ) -> None:
        context = browser.new_context(
            base_url=f"http://127.0.0.1:{port}", locale="zh-CN", viewport={"width": 1440, "height": 900}
        )
        page = context.new_page()
        page.goto("/console/login")
        page.fill("#api_key", runtime.keys.create(KeyCreate(role=role, unit=unit, name="演示")).key)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/login" not in url)
        for name, path, before in pages:
            page.goto(path)
            if before is not None:
                before(page)
            target = args.out / f"{len(shots) + 1:02d}-{role.value}-{name}.png"
            page.screenshot(path=str(target), full_page=True)
            shots.append(target.name)
        context.close()

    def typed(text: str, wait: str) -> Callable[[Page], None]:
        def fill(page: Page) -> None:
            page.click("#text")
            page.keyboard.insert_text(text)
            page.wait_for_selector(wait)

        return fill

    def picker(page: Page) -> None:
        typed(HEATING, "#s-unit")(page)
        page.keyboard.press("Alt+U")
        page.keyboard.type("cyqcs")
        page.wait_for_selector("#unit-results button")

    def bad_phone(page: Page) -> None:
        typed(HEATING, "#s-unit")(page)
        page.fill("#caller_phone", "电话不详")
        page.keyboard.press("Control+Enter")
        page.wait_for_selector(".errors")

    ticket = "/console/tickets/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/console/login")
        page.screenshot(path=str(args.out / "01-login.png"), full_page=True)
        shots.append("01-login.png")
        as_role(Role.OPERATOR, None, [
            ("intake-empty", "/console/intake", None),
            ("intake-dispatch", "/console/intake", typed(HEATING, "#s-unit")),
            ("intake-emergency", "/console/intake", typed("楼道里冒烟了，好像着火了，快来人", "#emergency")),
            ("intake-legal", "/console/intake", typed("我已经申请劳动仲裁了，仲裁委已经受理，公司还是不给钱", "#notice")),
            ("intake-unit-picker", "/console/intake", picker),
            ("intake-error", "/console/intake", bad_phone),
            ("tickets", "/console/tickets", None),
            ("tickets-overdue", "/console/tickets?overdue=true", None),
            ("ticket-replied", ticket + ids["reply"], None),
            ("refused-review", "/console/review", None),
        ])  # fmt: skip
        as_role(Role.UNIT, UNIT, [
            ("inbox", "/console/inbox", None),
            ("ticket-accepted", ticket + ids["accept"], None),
        ])  # fmt: skip
        as_role(Role.REVIEWER, None, [
            ("review", "/console/review", None),
            ("ticket-returned", ticket + ids["return"], None),
        ])  # fmt: skip
        as_role(Role.AUDITOR, None, [
            ("dashboard", "/console/dashboard", None),
            ("audit", "/console/audit", None),
            ("ticket-masked", ticket + ids["followup"], None),
        ])  # fmt: skip
        browser.close()
    server.should_exit = True
    print(f"{len(shots)} screenshots in {args.out}: " + ", ".join(shots))


if __name__ == "__main__":
    main()
