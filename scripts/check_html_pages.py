"""Open self-contained HTML reports (jiesu evaluate --report, jiesu audit … --format html) in headless
Chromium, screenshot each, and check that every image on the page loaded.

    .venv/bin/python scripts/check_html_pages.py PAGE.html [PAGE.html …] --out DIR

Exit 1 if a page has an image that did not load (naturalWidth 0) or no image at all. Chromium: Debian's
package (/usr/bin/chromium, or $CHROMIUM); Playwright's own browser download is not used."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="folder for the screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    failed = False
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for path in args.pages:
            page.goto(path.resolve().as_uri())
            page.wait_for_load_state("load")
            images = page.eval_on_selector_all(
                "img", "all => all.map(i => [i.alt, i.complete && i.naturalWidth > 0])"
            )
            broken = [alt for alt, loaded in images if not loaded]
            shot = args.out / f"{path.parent.name}-{path.stem}.png"
            page.screenshot(path=str(shot), full_page=True)
            status = "ok" if images and not broken else "FAILED"
            failed |= status == "FAILED"
            print(f"{status}: {path}: {len(images)} images, {len(broken)} not loaded {broken}; screenshot {shot}")
        browser.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
