"""`python -m tests.browser.screenshots`: a PNG of every screen from real Chromium into docs/screenshots/.

Generates the small demo organisation (seed 42, as of 2026-11-25) in a temporary folder, starts the app
on it, opens every screen registered in pages/<group>/<screen>.py and saves `<screen>.png`.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile

from tests.browser.helpers import ROOT, assert_no_exception, launch_chromium, open_app, running_app, screenshot

TODAY = "2026-11-25"
OUT = ROOT / "docs" / "screenshots"
DEFAULT_SCREEN = "overview"  # st.navigation's default page lives at the root URL, not at /overview


def main() -> int:
    from playwright.sync_api import sync_playwright

    screens = sorted((ROOT / "pages").glob("*/*.py"))
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/demo.db"
        subprocess.run(
            [sys.executable, "-m", "data.generate", "--profile", "small", "--seed", "42", "--today", TODAY,
             "--url", url, "--quiet"],
            cwd=ROOT, check=True,
        )  # fmt: skip
        with running_app(url, TODAY) as base_url, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for screen in screens:
                open_app(page, base_url, "" if screen.stem == DEFAULT_SCREEN else screen.stem)
                page.wait_for_timeout(1500)  # charts and frames finish drawing after the script run
                assert_no_exception(page)
                path = screenshot(page, OUT / f"{screen.stem}.png")
                print(f"{screen.relative_to(ROOT)} -> {path.relative_to(ROOT)}")
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
