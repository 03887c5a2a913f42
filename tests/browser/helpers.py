"""Drive Ladder in real Chromium: start the app, launch the browser, wait the way Streamlit's e2e tests wait.

Plain functions and context managers, so that pytest fixtures (tests/browser/fixtures.py) and
scripts such as `python -m tests.browser.screenshots` share one way of doing each thing.
Find elements by `data-testid`, and call `wait_for_app` after every navigation or interaction.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bench.process import stop, wait_until_healthy

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
# Without the networking flags Chromium keeps dialling Google's hosts, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1400, "height": 1000}
SERVER_START_TIMEOUT = 60.0
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
APP_CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
EXCEPTION = "[data-testid='stException']"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(
    database_url: str, today: str, port: int | None = None, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Run `python app.py` (Streamlit, headless) against `database_url` (with `env` added to the environment);
    yield its base URL; stop it after.

    The server's output goes to a log file whose tail is shown if it fails to come up.
    """
    port = port or free_port()
    env = {**os.environ, **(env or {}), "LADDER_DATABASE_URL": database_url, "LADDER_TODAY": today}
    command = [
        sys.executable, "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with tempfile.NamedTemporaryFile("w+", prefix="ladder-streamlit-", suffix=".log") as log:
        # A session of its own, so that stopping it also stops anything Streamlit started.
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_healthy(base_url, process, log, SERVER_START_TIMEOUT)
            yield base_url
        finally:
            stop(process)


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless. Playwright never downloads a browser of its own here."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def wait_for_app(page: Page, timeout: int = 60000) -> None:
    """Wait until the app is connected and its script has finished running, then let it settle."""
    page.wait_for_selector(APP_CONNECTED, timeout=timeout)
    page.wait_for_selector(APP_IDLE, timeout=timeout)
    # A run can trigger another (st.navigation, query parameters): wait out a short quiet period.
    page.wait_for_timeout(300)
    page.wait_for_selector(APP_IDLE, timeout=timeout)


def open_app(page: Page, base_url: str, path: str = "", query: str = "", *, page_exists: bool = True) -> Page:
    """Go to `base_url/path?query` and wait for the app; `path` is a page's url path, e.g. "ratings"."""
    url = f"{base_url.rstrip('/')}/{path.lstrip('/')}"
    if query:
        url = f"{url}?{query.lstrip('?')}"
    page.goto(url)
    wait_for_app(page)
    # A screen the viewer may open never meets Streamlit's 'Page not found' dialog; one they may not, always does.
    dialogs = page.locator("[data-testid='stDialog']")
    not_found = bool(dialogs.count()) and "Page not found" in dialogs.first.inner_text()
    assert not_found != page_exists, f"{url}: 'Page not found' dialog shown: {not_found}, expected: {not page_exists}"
    return page


def assert_no_exception(page: Page) -> None:
    """Fail if the app shows a traceback box anywhere on the page."""
    boxes = page.locator(EXCEPTION)
    count = boxes.count()
    assert count == 0, f"the app shows {count} exception(s); first:\n{boxes.first.inner_text()}"


def screenshot(page: Page, path: str | Path, full_page: bool = True) -> Path:
    """Save a PNG of the page (creating folders as needed) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path
