"""Links in real Chromium: crafted parameters on every screen, the team picker over a deep organisation, and
filters that survive a server restart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.helpers import (
    APP_CONNECTED,
    assert_no_exception,
    free_port,
    open_app,
    running_app,
    wait_for_app,
)
from tests.conftest import DEMO_TODAY
from tests.org_shapes import BOOT_PATH, DEEP_PEOPLE, DEEP_UNITS, TODAY, write_org

SCREENS = ["", "strategy_map", "progress", "ratings", "checkins", "alignment", "my_team", "access_log", "data"]
CRAFTED = {
    "superscripts and a 1,000-item region list": "team=%C2%B2&root=%C2%B2&depth=%C2%B3&region="
    + ",".join(["IN"] * 1000),
    "40-digit ids and a date out of range": "team={0}&root={0}&depth={0}&as_of=1900-01-01".format("7" * 40),
}


def alerts(page) -> str:
    return " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())


@pytest.mark.parametrize("screen", SCREENS, ids=[s or "overview" for s in SCREENS])
@pytest.mark.parametrize("query", list(CRAFTED.values()), ids=list(CRAFTED))
def test_a_crafted_link_shows_a_notice_and_no_exception_on_every_screen(app_server, page, screen, query):
    open_app(page, app_server, screen, query)
    assert_no_exception(page)
    assert "No team has the id" in alerts(page)
    if screen == "strategy_map":
        assert "is not a goal id" in alerts(page) and "is not a whole number" in alerts(page)


def _period_and_scope(page) -> str:
    return page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()


def test_filters_survive_a_server_restart(demo_database_url, page):
    """The page stays open while the server restarts; a click in the navigation then sends no query string, and
    the filters must still be the ones the URL held (2026-Q2, India), not the defaults (2026-Q4, all regions)."""
    port = free_port()
    with running_app(demo_database_url, DEMO_TODAY, port) as base_url:
        open_app(page, base_url, query="period=2026-Q2&region=IN")
        assert _period_and_scope(page).startswith("2026-Q2 · India")
    with running_app(demo_database_url, DEMO_TODAY, port):
        page.wait_for_selector(APP_CONNECTED, timeout=60000)
        page.locator("[data-testid='stSidebarNav'] a", has_text="Progress").click()
        page.wait_for_url("**/progress**")
        wait_for_app(page)
        assert_no_exception(page)
        assert _period_and_scope(page).startswith("2026-Q2 · India")
        assert "period=2026-Q2" in page.url and "region=IN" in page.url

        # A click on a filter sends the query string along: the URL names the period, and it is kept.
        page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
        page.get_by_role("option").first.click()
        page.keyboard.press("Escape")
        wait_for_app(page)
        assert _period_and_scope(page).startswith("2026-Q2 · ")
        assert "period=2026-Q2" in page.url


@pytest.fixture(scope="module")
def deep_app(tmp_path_factory) -> Iterator[str]:
    url = write_org(f"sqlite:///{tmp_path_factory.mktemp('deep') / 'deep.db'}", DEEP_UNITS, DEEP_PEOPLE)
    with running_app(url, TODAY) as base_url:
        yield base_url


def test_the_team_picker_finds_a_unit_eight_levels_down_by_its_path(deep_app, page):
    """Boot (12), eight levels down: Bea covered, Bo never -> check-in coverage 1/2 = 50% (tests/org_shapes.py)."""
    open_app(page, deep_app, "checkins")
    picker = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="Team")
    picker.click()
    page.keyboard.type("Firmware › Boot")
    options = page.get_by_role("option").all_inner_texts()
    assert options == [BOOT_PATH]
    page.get_by_role("option", name=BOOT_PATH).click()
    wait_for_app(page)
    assert_no_exception(page)
    assert "team=12" in page.url
    coverage = page.locator("[data-testid='stMetric']").filter(has_text="Check-in coverage")
    assert coverage.locator("[data-testid='stMetricValue']").inner_text() == "50%"
