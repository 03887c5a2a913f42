"""The test harness itself: throwaway databases, the demo database and the browser really work."""

from __future__ import annotations

import os
import re
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from data.db import check_schema, make_engine
from tests.browser.helpers import assert_no_exception, open_app, screenshot
from tests.conftest import APP_SCRIPT, throwaway_postgres_database

needs_app = pytest.mark.skipif(not APP_SCRIPT.exists(), reason="app.py does not exist yet")


def postgres_databases(server_url: str) -> set[str]:
    probe = create_engine(server_url)
    try:
        with probe.connect() as conn:
            return set(conn.execute(text("SELECT datname FROM pg_database")).scalars())
    finally:
        probe.dispose()


class TestDatabaseFixtures:
    def test_engine_has_the_current_schema(self, engine):
        check_schema(engine)

    def test_each_backend_gets_a_database_of_its_own(self, database_url, engine):
        backend = make_url(database_url).get_backend_name()
        assert backend in {"sqlite", "postgresql"}
        assert inspect(engine).get_table_names(), "the migrated database holds no tables"
        if backend == "postgresql":
            assert re.fullmatch(r"ladder_test_[0-9a-f]{8}", make_url(database_url).database)

    @pytest.mark.postgres
    def test_postgres_database_is_created_and_dropped(self):
        server_url = os.environ.get("LADDER_TEST_DATABASE_URL")
        if not server_url:
            if os.environ.get("CI") == "true":
                pytest.fail("LADDER_TEST_DATABASE_URL must be set in CI")
            pytest.skip("LADDER_TEST_DATABASE_URL is not set")
        before = postgres_databases(server_url)
        with throwaway_postgres_database(server_url) as url:
            name = make_url(url).database
            assert name not in before
            assert name in postgres_databases(server_url)
            # Leave a connection open: dropping must still succeed.
            engine = make_engine(url)
            leaked = engine.connect()
        assert name not in postgres_databases(server_url)
        leaked.invalidate()
        engine.dispose()


class TestDemoDatabase:
    def test_demo_database_holds_a_current_ladder_schema(self, demo_database_url):
        engine = make_engine(demo_database_url)
        try:
            check_schema(engine)
            with engine.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM employee")).scalar_one() > 0
        finally:
            engine.dispose()


@needs_app
class TestAppFixtures:
    def test_app_test_runs_the_app_against_the_demo_database(self, app_test, demo_database_url):
        at = app_test()
        assert not at.exception, [e.value for e in at.exception]
        assert os.environ["LADDER_DATABASE_URL"] == demo_database_url
        assert os.environ["LADDER_TODAY"] == "2026-11-25"

    @pytest.mark.browser
    def test_app_server_serves_the_app_to_chromium(self, app_server, page):
        open_app(page, app_server)
        assert page.locator("[data-testid='stApp']").count() == 1
        assert_no_exception(page)


@pytest.fixture
def static_site(tmp_path):
    """A one-page site on a local http.server, so the browser path is exercised without the app."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>Ladder harness</title>"
        "<h1 data-testid='heading'>Is the work laddering up?</h1>"
        "<button onclick=\"this.textContent='clicked'\">press</button>"
    )
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
class TestBrowser:
    def test_chromium_renders_and_clicks_a_local_page(self, page, static_site, tmp_path):
        page.goto(static_site)
        assert page.get_by_test_id("heading").inner_text() == "Is the work laddering up?"
        page.get_by_role("button").click()
        assert page.get_by_role("button").inner_text() == "clicked"
        assert_no_exception(page)
        png = screenshot(page, tmp_path / "shots" / "harness.png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    def test_chromium_renders_a_data_url(self, page):
        page.goto("data:text/html,<p data-testid='stMarkdown'>ok</p>")
        assert page.get_by_test_id("stMarkdown").inner_text() == "ok"
