"""Ratings in real Chromium: it loads and draws, a cycle change and a sidebar filter change change the numbers
(the filter lands in the URL), and the bias tab shows the planted work-mode gap."""

from tests.browser.helpers import assert_no_exception, open_app, wait_for_app

CHART = "[data-testid='stVegaLiteChart']"


def metric_values(page) -> list[str]:
    # The four KPI cards arrive one after another; a first render on a fresh server can be read mid-way.
    page.locator("[data-testid='stMetricValue']").nth(3).wait_for(timeout=30000)
    return page.locator("[data-testid='stMetricValue']").all_inner_texts()


def chosen(page, key: str) -> str:
    """What a selectbox shows: its label and the chosen option."""
    box = page.locator(f".st-key-{key}")
    return box.inner_text() + " " + " ".join(i.input_value() for i in box.locator("input").all())


def open_ratings(page, app_server, query: str = ""):
    open_app(page, app_server, "ratings", query)
    page.locator(CHART).first.wait_for(timeout=30000)
    return page


def test_ratings_loads_with_kpis_and_charts(app_server, page):
    open_ratings(page, app_server)
    assert_no_exception(page)
    assert page.locator("h1").first.inner_text() == "Ratings"
    assert len(metric_values(page)) == 4
    assert page.locator(CHART).first.bounding_box()["height"] > 150
    assert "mid-year review" in chosen(page, "ratings_cycle")
    assert "period=2026-Q4" in page.url


def test_cycle_change_changes_the_numbers(app_server, page):
    open_ratings(page, app_server)
    before = metric_values(page)
    page.locator(".st-key-ratings_cycle [data-testid='stSelectbox']").click()
    page.get_by_role("option", name="annual review").click()
    wait_for_app(page)
    assert_no_exception(page)
    assert "annual review" in chosen(page, "ratings_cycle")
    assert metric_values(page) != before
    assert page.locator(CHART).count() >= 2


def test_region_filter_changes_numbers_and_url(app_server, page):
    open_ratings(page, app_server)
    before = metric_values(page)
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
    page.get_by_role("option", name="India").click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    assert_no_exception(page)
    assert "region=IN" in page.url
    assert metric_values(page) != before
    assert "2026-Q4 · India" in page.locator("[data-testid='stMain']").inner_text()


def test_bias_tab_shows_the_work_mode_gap(app_server, page):
    open_ratings(page, app_server)
    page.get_by_role("tab", name="Bias tests").click()
    wait_for_app(page)
    assert_no_exception(page)
    page.locator(".st-key-ratings_attribute").wait_for(timeout=30000)
    assert "Work mode" in chosen(page, "ratings_attribute")
    alerts = " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())
    assert "remote" in alerts and "four-fifths" in alerts
