"""My team in real Chromium: a non-manager is told what to do; a manager sees their team, and filters apply."""

from tests.browser.helpers import assert_no_exception, open_app, wait_for_app


def open_my_team(page, base_url: str, query: str = ""):
    open_app(page, base_url, "my_team", query)
    return page


def people(page) -> int:
    """The People card, once all five cards are drawn (a run can still be painting after the app turns idle)."""
    page.locator("[data-testid='stMetricValue']").nth(4).wait_for(timeout=30000)
    return int(page.locator("[data-testid='stMetricValue']").first.inner_text().replace(",", ""))


def view_as_manager(page) -> None:
    page.locator("[data-testid='stMain'] button", has_text="View as a manager").click()
    wait_for_app(page)


def test_a_non_manager_gets_a_hint_and_a_way_in(app_server, page):
    open_my_team(page, app_server)
    assert_no_exception(page)
    assert page.locator("h1").first.inner_text() == "My team"
    hint = page.locator("[data-testid='stMain'] [data-testid='stAlert']").filter(has_text="Manager").first
    hint.wait_for(timeout=30000)
    assert "Viewing as" in hint.inner_text()
    assert page.locator("[data-testid='stMetricValue']").count() == 0
    view_as_manager(page)
    assert_no_exception(page)
    assert people(page) > 0
    assert page.locator("[data-testid='stMetricValue']").count() == 5
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=30000)
    assert page.locator("[data-testid='stDataFrame']").count() == 1
    assert "direct reports" in page.locator("[data-testid='stMain']").inner_text()


def test_the_subtree_toggle_and_a_region_filter_change_the_team(app_server, page):
    open_my_team(page, app_server)
    view_as_manager(page)
    direct = people(page)
    page.locator("[data-testid='stMain'] [data-testid='stCheckbox']", has_text="Everyone below me").click()
    wait_for_app(page)
    assert_no_exception(page)
    everyone = people(page)
    assert everyone > direct
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
    page.get_by_role("option", name="India").click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    assert_no_exception(page)
    assert "region=" in page.url
    assert people(page) < everyone
