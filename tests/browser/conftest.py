"""Browser tests: every test under tests/browser/ drives the real app in Chromium.

Fixtures (`app_server`, `browser`, `page`) come from tests/browser/fixtures.py; helpers to wait,
open, check and capture come from tests/browser/helpers.py:

    from tests.browser.helpers import assert_no_exception, open_app, screenshot, wait_for_app

    def test_overview_loads(app_server, page):
        open_app(page, app_server, "overview")
        assert_no_exception(page)
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items, so mark only those that live in this folder.
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
