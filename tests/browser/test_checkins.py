"""Check-ins in real Chromium: KPIs, charts and tables render, and a sidebar filter changes them and the URL."""

from tests.browser.helpers import assert_no_exception, open_app, wait_for_app

CHART = "[data-testid='stVegaLiteChart']"


def open_checkins(page, base_url: str, query: str = ""):
    open_app(page, base_url, "checkins", query)
    return page


def metric_values(page) -> list[str]:
    """The KPI values, once all 4 cards are drawn (a run can still be painting after the app turns idle)."""
    page.locator("[data-testid='stMetricValue']").nth(3).wait_for(timeout=30000)
    return page.locator("[data-testid='stMetricValue']").all_inner_texts()


def test_checkins_loads_with_kpis_charts_and_tables(app_server, page):
    open_checkins(page, app_server)
    assert_no_exception(page)
    assert page.locator("h1").first.inner_text() == "Check-ins"
    assert len(metric_values(page)) == 4
    charts = page.locator(CHART)
    charts.nth(2).wait_for(timeout=30000)  # distribution, weekly heatmap, cadence vs progress
    assert all(charts.nth(i).bounding_box()["height"] > 100 for i in range(3))
    page.locator("[data-testid='stDataFrame']").nth(1).wait_for(timeout=30000)  # managers, lapsed people
    assert page.locator("[data-testid='stDataFrame']").count() == 2
    assert "association, not a cause" in page.locator("[data-testid='stMain']").inner_text()
    assert "period=2026-Q4" in page.url


def test_region_filter_changes_numbers_and_url(app_server, page):
    open_checkins(page, app_server)
    before = metric_values(page)
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
    page.get_by_role("option", name="India").click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    assert_no_exception(page)
    assert "region=" in page.url
    assert metric_values(page) != before
    assert "India" in page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()
