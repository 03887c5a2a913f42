"""Downloads in real Chromium: the Overview's chart as a PNG and its table as CSV and Excel, built on click."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from tests.browser.helpers import assert_no_exception, open_app, screenshot

SHOTS = Path(tempfile.gettempdir()) / "ladder-data"  # for a person to look at; nothing asserts on them


def download(page, label: str, nth: int = 0):
    with page.expect_download(timeout=60000) as caught:
        page.get_by_role("button", name=label, exact=True).nth(nth).click()
    return caught.value


def test_the_overview_chart_and_table_download_as_png_csv_and_excel(app_server, page):
    open_app(page, app_server, query="region=IN")
    assert_no_exception(page)
    screenshot(page, SHOTS / "overview-downloads.png")

    png = download(page, "PNG")
    assert png.suggested_filename == "ladder-objectives-against-pace.png"
    assert Path(png.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # The forecast's figures are the first table on the page; "Most behind pace" the second.
    forecast = download(page, "CSV")
    assert forecast.suggested_filename == "ladder-end-of-period-forecast-figures.csv"
    table = download(page, "CSV", nth=1)
    assert table.suggested_filename == "ladder-most-behind-pace.csv"
    rows = list(csv.reader(io.StringIO(Path(table.path()).read_bytes().decode("utf-8-sig"))))
    assert rows[0][:4] == ["Objective", "progress (%)", "expected (%)", "status"]

    workbook = download(page, "Excel", nth=1)
    assert workbook.suggested_filename == "ladder-most-behind-pace.xlsx"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(Path(workbook.path()).read_bytes())).active
    assert [[cell.value for cell in row][:1] for row in sheet.iter_rows(max_row=3)] == [[r[0]] for r in rows[:3]]

    # The download is what the page shows: without the region filter the figures differ.
    open_app(page, app_server)
    everyone = download(page, "CSV", nth=1)
    everyone = list(csv.reader(io.StringIO(Path(everyone.path()).read_bytes().decode("utf-8-sig"))))
    assert everyone != rows


def test_a_ratings_table_downloads_with_no_group_below_the_minimum(app_server, page):
    from components.data import SETTINGS

    open_app(page, app_server, "ratings", query="region=NA")
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for(timeout=30000)
    assert_no_exception(page)
    screenshot(page, SHOTS / "ratings-downloads.png")

    png = download(page, "PNG")
    assert png.suggested_filename == "ladder-ratings-in-scope-against-the-guideline.png"
    assert Path(png.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    by_team = download(page, "CSV", nth=1)
    assert by_team.suggested_filename == "ladder-ratings-by-team.csv"
    rows = list(csv.DictReader(io.StringIO(Path(by_team.path()).read_bytes().decode("utf-8-sig"))))
    assert rows and {"Team", "People rated", "Rated 1 (%)", "Distance from guideline (%)"} <= set(rows[0])
    assert all(int(row["People rated"]) >= SETTINGS.min_group_size for row in rows), rows
