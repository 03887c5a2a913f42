"""Browser fixtures, loaded for the whole suite by `pytest_plugins` in tests/conftest.py.

They live here rather than in tests/browser/conftest.py so that tests outside tests/browser
(the harness's own smoke test) can use the same single Chromium.

- ``app_server`` (session): base URL of `python app.py` (Streamlit) on a free port, serving the demo database.
- ``browser`` (session): Debian's Chromium, headless, through Playwright.
- ``page``: a fresh context and page, 1400x1000.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.helpers import CHROMIUM, VIEWPORT, launch_chromium, running_app
from tests.conftest import DEMO_TODAY, skip_or_fail


@pytest.fixture(scope="session")
def app_server(demo_database_url: str) -> Iterator[str]:
    """The base URL of Ladder running against the tiny demo organisation as of 2026-11-25."""
    try:
        with running_app(demo_database_url, DEMO_TODAY) as base_url:
            yield base_url
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing: install Debian's chromium package (never `playwright install`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
