"""The Data screen in real Chromium: upload a bad file and read the report, then import a good one.

The app runs on its own copy of the demo database, since importing changes it, behind a pretend proxy that
names an HR viewer: an import ends demo mode (data/demo.py), so the screen after it is HR's, not a demo's.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.browser.helpers import VIEWPORT, assert_no_exception, open_app, running_app, screenshot, wait_for_app
from tests.conftest import DEMO_TODAY
from tests.test_page_data import count, new_update_csv

SHOTS = Path(tempfile.gettempdir()) / "ladder-data"  # for a person to look at; nothing asserts on them
UPLOAD = "[data-testid='stFileUploader'] input[type='file']"
HEADER = "X-Forwarded-Email"


@pytest.fixture(scope="module")
def data_app(demo_database_url, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    path = tmp_path_factory.mktemp("data-screen") / "ladder.db"
    shutil.copy(make_url(demo_database_url).database, path)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LADDER_TRUSTED_EMAIL_HEADER", HEADER)
        env.setenv("LADDER_DEMO_MODE", "false")
        try:
            with running_app(f"sqlite:///{path}", DEMO_TODAY) as base_url:
                yield base_url, path
        except RuntimeError as exc:
            pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def hr_page(browser, data_app) -> Iterator:
    """A page whose every request carries the proxy's header naming the first HR viewer."""
    from data.db import make_engine

    engine = make_engine(f"sqlite:///{data_app[1]}")
    try:
        with engine.connect() as connection:
            hr = connection.execute(text("SELECT email FROM viewer WHERE role = 'hr' ORDER BY id LIMIT 1")).scalar_one()
    finally:
        engine.dispose()
    context = browser.new_context(viewport=VIEWPORT, extra_http_headers={HEADER: hr})
    try:
        yield context.new_page()
    finally:
        context.close()


def upload(page, name: str, content: bytes) -> None:
    page.locator(UPLOAD).set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    wait_for_app(page)


def test_a_bad_file_shows_the_report_then_a_good_one_is_imported(data_app, hr_page):
    base_url, path = data_app
    page = hr_page
    open_app(page, base_url)
    open_app(page, base_url, "data")
    assert_no_exception(page)
    assert page.locator("h1").first.inner_text() == "Data"
    assert "Which files Ladder takes" in page.locator("[data-testid='stMain']").inner_text()

    upload(page, "progress_update.csv", b"id,key_result_id,at,value\n1,1,2026-02-30,5\n")
    assert_no_exception(page)
    alerts = " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())
    assert "1 problem in 1 file. Nothing was imported." in alerts
    report = page.locator("[data-testid='stDataFrame']").last
    report.wait_for(timeout=30000)
    assert report.bounding_box()["height"] > 50
    screenshot(page, SHOTS / "data-problems.png")
    assert page.get_by_role("button", name="Import", exact=True).count() == 0

    before = count(path, "progress_update")
    page.get_by_role("button", name="Remove progress_update.csv").click()
    wait_for_app(page)
    upload(page, "progress_update.csv", new_update_csv(path))
    assert_no_exception(page)
    screenshot(page, SHOTS / "data-valid.png")
    assert "The files are right: 1 row for 1 table." in page.locator("[data-testid='stAlert']").first.inner_text()
    assert count(path, "progress_update") == before

    page.get_by_role("button", name="Import", exact=True).click()
    # The click's rerun can start after the page first reads as idle; the import waits for its own data too.
    page.locator("[data-testid='stAlert']", has_text="Imported 1 row into 1 table").first.wait_for(timeout=60000)
    wait_for_app(page)
    assert_no_exception(page)
    assert "Imported 1 row into 1 table" in page.locator("[data-testid='stAlert']").first.inner_text()
    assert count(path, "progress_update") == before + 1
    screenshot(page, SHOTS / "data-imported.png")
