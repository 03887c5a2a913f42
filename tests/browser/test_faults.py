"""Faults of the goals database as people see them in Chromium: refused and hung connections, a start while it is
down, recovery, and a write while people browse. PostgreSQL sits behind tests/fault_proxy.py; each test asserts what
the screen shows and that no access-log row is lost.

The app runs with a refresh interval of 1 s and time limits of 2 s (connect) and 5 s (statements), so every
fault shows within seconds.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.browser.helpers import assert_no_exception, open_app, running_app
from tests.conftest import DEMO_TODAY, generate_demo_database, skip_or_fail, throwaway_postgres_database
from tests.fault_proxy import HANG, REFUSE, RELAY, FaultProxy

pytestmark = pytest.mark.postgres
LIMITS = {"LADDER_REFRESH_SECONDS": "1", "LADDER_CONNECT_TIMEOUT_SECONDS": "2", "LADDER_STATEMENT_TIMEOUT_SECONDS": "5"}
RECOVERY_SECONDS = 5.0  # the promise: figures are current again this long after the database answers
BANNER = "unreachable since"


@pytest.fixture(scope="module")
def goals_database() -> Iterator[str]:
    """A throwaway PostgreSQL database holding the tiny demo organisation (dropped afterwards)."""
    server = os.environ.get("LADDER_TEST_DATABASE_URL")
    if not server:
        skip_or_fail("LADDER_TEST_DATABASE_URL is not set, so the fault tests cannot run against PostgreSQL")
    with throwaway_postgres_database(server) as url:
        generate_demo_database(url)
        yield url


@pytest.fixture
def proxy(goals_database: str) -> Iterator[FaultProxy]:
    target = make_url(goals_database)
    with FaultProxy((target.host or "127.0.0.1", target.port or 5432), lifetime_seconds=600) as relay:
        yield relay


def _through(proxy: FaultProxy, goals_database: str) -> str:
    return make_url(goals_database).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


@contextmanager
def app_behind(proxy: FaultProxy, goals_database: str, cache: Path) -> Iterator[str]:
    with running_app(
        _through(proxy, goals_database), DEMO_TODAY, env=LIMITS | {"LADDER_CACHE_DIR": str(cache)}
    ) as base_url:
        yield base_url


def _logged(goals_database: str) -> int:
    engine = create_engine(goals_database)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM access_log")).scalar_one()
    finally:
        engine.dispose()


def _eventually(condition, seconds: float, what: str) -> float:
    """Seconds until `condition()` held; fails after `seconds`."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"{what} did not happen within {seconds:.0f} s"
        time.sleep(0.1)
    return time.monotonic() - started


def _readiness(base_url: str) -> tuple[int, dict]:
    """The readiness check as a load balancer sees it: (HTTP status, body)."""
    try:
        with urllib.request.urlopen(f"{base_url}/_ladder/ready", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def _alerts(page) -> str:
    return " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())


def _figures(page) -> list[str]:
    page.locator("[data-testid='stMetricValue']").nth(3).wait_for(timeout=30000)
    return page.locator("[data-testid='stMetricValue']").all_inner_texts()


def test_refused_connections_keep_the_figures_under_a_banner_and_recovery_needs_no_click(
    proxy, goals_database, tmp_path, page
):
    with app_behind(proxy, goals_database, tmp_path) as base_url:
        open_app(page, base_url)
        figures = _figures(page)
        _eventually(lambda: _logged(goals_database) >= 1, 10, "the first view reaching the access log")
        before = _logged(goals_database)

        proxy.set_mode(REFUSE)
        _eventually(lambda: BANNER in _alerts(page), 15, "the outage banner on an open screen")
        assert "figures are as of" in _alerts(page) and _figures(page) == figures
        for screen in ("progress", "checkins", "alignment"):  # three views during the outage
            open_app(page, base_url, screen)
            assert BANNER in _alerts(page)
            assert_no_exception(page)
        open_app(page, base_url)
        assert _figures(page) == figures

        proxy.set_mode(RELAY)
        took = _eventually(lambda: BANNER not in _alerts(page), 15, "recovery")
        assert took <= RECOVERY_SECONDS, f"recovered after {took:.1f} s"
        assert _figures(page) == figures
        _eventually(lambda: _logged(goals_database) == before + 4, 15, "the spooled views reaching the access log")
        assert_no_exception(page)


def test_a_hung_database_never_holds_a_page_view(proxy, goals_database, tmp_path, page):
    with app_behind(proxy, goals_database, tmp_path) as base_url:
        open_app(page, base_url)
        figures = _figures(page)
        _eventually(lambda: _logged(goals_database) >= 1, 10, "the first view reaching the access log")
        before = _logged(goals_database)

        proxy.set_mode(HANG)
        started = time.monotonic()
        open_app(page, base_url, "progress")
        open_app(page, base_url)
        # Progress reads the pinned reviews on the page's path: its pooled connection's ping is cut after
        # 5 + 2 s and a new connection gives up after 2 s; Overview asks the database nothing.
        assert time.monotonic() - started < 20, "two page views took longer than the limits plus rendering"
        assert _figures(page) == figures
        _eventually(lambda: BANNER in _alerts(page), 15, "the outage banner while the database hangs")

        proxy.set_mode(RELAY)
        _eventually(lambda: BANNER not in _alerts(page), 20, "recovery after the hang")
        _eventually(lambda: _logged(goals_database) == before + 2, 20, "the views made during the hang being logged")
        assert_no_exception(page)


def test_a_start_while_down_serves_the_stored_snapshot_and_otherwise_recovers_by_itself(
    proxy, goals_database, tmp_path, page
):
    with app_behind(proxy, goals_database, tmp_path / "kept") as base_url:
        open_app(page, base_url)
        figures = _figures(page)
        status, body = _readiness(base_url)
        assert status == 200 and body["ready"] and not body["stale"] and "problem" not in body

    proxy.set_mode(REFUSE)
    with app_behind(proxy, goals_database, tmp_path / "kept") as base_url:  # the stored snapshot is on disk
        _eventually(lambda: _readiness(base_url)[1]["stale"], 15, "readiness reporting stale data")
        status, body = _readiness(base_url)
        assert status == 200 and body["ready"] and body["unreachable_since"] and body["data_as_of"]
        open_app(page, base_url)
        assert _figures(page) == figures
        assert BANNER in _alerts(page) and "figures are as of" in _alerts(page)
        assert_no_exception(page)

    with app_behind(proxy, goals_database, tmp_path / "empty") as base_url:  # nothing stored: nothing to show
        _eventually(lambda: _readiness(base_url)[0] == 503, 15, "readiness failing")
        assert _readiness(base_url)[1]["ready"] is False
        open_app(page, base_url)
        assert "The goals database is not available" in _alerts(page)
        assert not page.locator("[data-testid='stMetricValue']").count()
        proxy.set_mode(RELAY)
        # With nothing held, recovery also includes the first read and the first render from scratch.
        _eventually(lambda: page.locator("[data-testid='stMetricValue']").count() >= 4, 30, "recovery")
        assert _figures(page) == figures
        assert_no_exception(page)


def test_a_write_while_people_browse_arrives_with_a_quiet_notice(proxy, goals_database, tmp_path, page):
    with app_behind(proxy, goals_database, tmp_path) as base_url:
        open_app(page, base_url)
        figures = _figures(page)
        _eventually(lambda: _logged(goals_database) >= 1, 10, "the first view reaching the access log")
        before = _logged(goals_database)
        engine = create_engine(goals_database)
        try:
            with engine.begin() as conn:  # every key result reaches its target the day before the as-of date
                conn.execute(text(
                    "INSERT INTO progress_update (id, key_result_id, at, value, confidence) "
                    "SELECT (SELECT MAX(id) FROM progress_update) + id, id, DATE '2026-11-24', target_value, 1.0 "
                    "FROM key_result"
                ))
        finally:
            engine.dispose()
        notices: list[str] = []

        def arrived() -> bool:
            notices.extend(page.locator("[data-testid='stToast']").all_inner_texts())
            return _figures(page) != figures

        _eventually(arrived, 20, "the new figures on the open screen")
        _eventually(lambda: arrived() and any("Updated to data of" in n for n in notices), 5, "the notice")
        open_app(page, base_url, "progress")
        assert_no_exception(page)
        _eventually(lambda: _logged(goals_database) == before + 1, 10, "the view after the write being logged")
