"""Overview in real Chromium: it loads, draws its chart, and the sidebar filters live in the URL."""

from tests.browser.helpers import assert_no_exception, open_app, wait_for_app


def metric_values(page) -> list[str]:
    """The KPI values once all 10 cards are drawn (painting can finish after the script run)."""
    page.locator("[data-testid='stMetricValue']").nth(9).wait_for(timeout=30000)
    return page.locator("[data-testid='stMetricValue']").all_inner_texts()


def test_overview_loads_with_kpis_and_chart(app_server, page):
    open_app(page, app_server)
    assert_no_exception(page)
    assert page.locator("h1").first.inner_text() == "Overview"
    assert len(metric_values(page)) == 10
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.wait_for(timeout=30000)
    assert chart.bounding_box()["height"] > 100
    assert "period=2026-Q4" in page.url


def test_region_filter_changes_numbers_and_url(app_server, page):
    open_app(page, app_server)
    before = metric_values(page)
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
    page.get_by_role("option", name="India").click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    assert_no_exception(page)
    assert "region=" in page.url
    assert metric_values(page) != before


def test_a_shared_link_reproduces_the_view(app_server, page):
    open_app(page, app_server, query="period=2026-Q3&region=IN")
    assert_no_exception(page)
    assert "India" in page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.inner_text()
    assert "2026-Q3 · India" in page.locator("[data-testid='stMain']").inner_text()


def test_a_bad_link_value_is_dropped_with_a_notice(app_server, page):
    open_app(page, app_server, query="region=NOWHERE&period=1999-Q1")
    assert_no_exception(page)
    alerts = " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())
    assert "NOWHERE" in alerts and "1999-Q1" in alerts
    assert len(metric_values(page)) == 10


def test_the_forecast_draws_its_intervals(app_server, page):
    open_app(page, app_server)
    assert_no_exception(page)
    heading = page.get_by_text("Will we make it?", exact=True)
    heading.wait_for(timeout=30000)
    heading.scroll_into_view_if_needed()
    forecast = page.locator("[data-testid='stVegaLiteChart']").nth(1)
    forecast.locator("canvas, svg").first.wait_for(timeout=30000)
    assert forecast.bounding_box()["height"] > 60
    page.get_by_text("have too little history").wait_for(timeout=30000)
