"""Progress in real Chromium: burn-up and heatmaps render, and a sidebar filter changes them and the URL."""

from tests.browser.helpers import assert_no_exception, open_app, wait_for_app

CHART = "[data-testid='stVegaLiteChart']"


def open_progress(page, base_url: str, query: str = ""):
    open_app(page, base_url, "progress", query)
    return page


def metric_values(page) -> list[str]:
    # The five KPI cards arrive one after another; a first render on a fresh server can be read mid-way.
    page.locator("[data-testid='stMetricValue']").nth(4).wait_for(timeout=30000)
    return page.locator("[data-testid='stMetricValue']").all_inner_texts()


def test_burnup_and_heatmap_render(app_server, page):
    open_progress(page, app_server)
    assert_no_exception(page)
    assert page.locator("h1").first.inner_text() == "Progress"
    assert len(metric_values(page)) == 5
    charts = page.locator(CHART)
    charts.nth(2).wait_for(timeout=30000)
    heatmap = charts.nth(2)  # after the burn-up and the trend over quarters
    heatmap.scroll_into_view_if_needed()
    heatmap.locator("canvas, svg").first.wait_for(timeout=30000)
    assert heatmap.bounding_box()["height"] > 150
    page.get_by_role("tab", name="By team").click()
    wait_for_app(page)
    assert_no_exception(page)
    page.get_by_text("The ten teams with the most goals").wait_for(timeout=30000)
    # the burn-up, the quarters' trend, the open tab's heatmap and the forecast's intervals
    assert page.locator(CHART).count() == 4
    page.get_by_role("tab", name="What changed since the last review").click()
    wait_for_app(page)
    assert_no_exception(page)
    page.get_by_text("Objectives on 01 Oct 2026 and on 25 Nov 2026").wait_for(timeout=30000)
    page.get_by_role("tab", name="How far to trust it").click()
    wait_for_app(page)
    assert_no_exception(page)
    judged = page.get_by_text("finished quarters").or_(page.get_by_text("to check the forecasts against"))
    judged.first.wait_for(timeout=30000)


def test_a_region_filter_changes_numbers_and_url(app_server, page):
    open_progress(page, app_server)
    before = metric_values(page)
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
    page.get_by_role("option", name="India").click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    assert_no_exception(page)
    assert "region=" in page.url
    assert metric_values(page) != before
