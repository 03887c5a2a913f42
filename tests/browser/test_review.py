"""The quarterly review in real Chromium: pin a review, lower a target in the goals database, and the goalpost
audit flags it once the data are read again."""

from sqlalchemy import text

from data.db import make_engine
from tests.browser.helpers import assert_no_exception, open_app, running_app, wait_for_app
from tests.conftest import DEMO_TODAY, generate_demo_database


def test_pin_then_a_lowered_target_is_flagged(tmp_path, page):
    url = f"sqlite:///{tmp_path / 'review.db'}"
    generate_demo_database(url)  # its own database: this test changes the goals
    with running_app(url, DEMO_TODAY) as base_url:
        open_app(page, base_url, "progress")
        page.get_by_role("tab", name="What changed since the last review").click()
        wait_for_app(page)
        page.get_by_role("button", name="Pin this review").click()
        wait_for_app(page)
        assert_no_exception(page)
        page.get_by_text("Review pinned as of 25 Nov 2026").wait_for(timeout=30000)
        page.get_by_text("No goalposts moved since the pinned review").wait_for(timeout=30000)

        # Halve the distance from start to target of one pinned key result, as a re-import with a lower target
        # would; the write bumps the data stamp like any other.
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text(
                "UPDATE key_result SET target_value = start_value + (target_value - start_value) / 2 "
                "WHERE id = (SELECT min(key_result_id) FROM review_pin_key_result)"
            ))
        engine.dispose()

        page.get_by_role("button", name="Refresh data").click()
        wait_for_app(page)
        assert_no_exception(page)
        page.get_by_text("Each flag's effect on the objective").wait_for(timeout=60000)
        # The table is drawn on a canvas: read what it shows through its own CSV download.
        with page.expect_download(timeout=30000) as download:
            page.locator(".st-key-pin_audit-csv button").first.click()
        rows = download.value.path().read_text(encoding="utf-8-sig").splitlines()
        assert rows[0] == "Objective,Flag,Changes,Effect on the objective"
        assert any(",lowered target,1," in row for row in rows[1:]), rows
