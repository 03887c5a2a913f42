"""Staying up: reloads off the page's path, the last good snapshot through an outage, time limits on every
database call, the access-log spool and its retention."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from data.db import DatabaseError, make_engine
from queries.live import LiveSnapshot
from tests.conftest import skip_or_fail, throwaway_postgres_database
from tests.tiny_org import tiny_snapshot, write_tiny


@pytest.fixture
def postgres_url():
    """A throwaway PostgreSQL database (skipped without LADDER_TEST_DATABASE_URL, a failure in CI)."""
    server = os.environ.get("LADDER_TEST_DATABASE_URL")
    if not server:
        skip_or_fail("LADDER_TEST_DATABASE_URL is not set, so the PostgreSQL run of this test cannot happen")
    with throwaway_postgres_database(server) as url:
        yield url


def _until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        time.sleep(0.01)


class Database:
    """A stand-in for the goals database: serves numbered snapshots, can go down, can be made to hang."""

    def __init__(self) -> None:
        self.stamp = 1
        self.down = False
        self.gate = threading.Event()
        self.gate.set()
        self.reads = 0

    def load(self, previous, fresh):
        self.gate.wait()
        if self.down:
            raise DatabaseError("connection refused")
        if previous is not None and previous.stamp == str(self.stamp) and not fresh:
            return previous
        self.reads += 1
        loaded_at = datetime(2026, 11, 25, 9, 0) + timedelta(minutes=self.stamp)
        return replace(tiny_snapshot(), loaded_at=loaded_at, stamp=str(self.stamp))


def _live(database: Database, **options) -> LiveSnapshot:
    options = {"refresh_seconds": 0, "retry_seconds": (0.05,)} | options
    return LiveSnapshot(database.load, **options)


class TestReloads:
    def test_a_reload_is_built_in_the_background_while_the_current_snapshot_keeps_serving(self):
        database = Database()
        live = _live(database)
        first = live.current()
        database.stamp, database.gate = 2, threading.Event()  # the next read hangs until the gate opens
        started = time.monotonic()
        assert live.current() is first  # the interval passed: a check starts, the caller is not held
        assert live.current() is first
        assert time.monotonic() - started < 0.5
        database.gate.set()
        _until(lambda: live.health().version == 2)  # told only once the swap is complete
        assert live.current().stamp == "2"

    def test_unchanged_data_keep_the_snapshot_and_its_version(self):
        database = Database()
        live = _live(database)
        first = live.current()
        assert live.reload(wait=True)
        assert live.current() is first and live.health().version == 1 and database.reads == 1

    def test_whoever_changed_the_data_waits_for_their_own_data(self):
        database = Database()
        live = _live(database, refresh_seconds=3600)
        live.current()
        database.stamp = 2
        assert live.current().stamp == "1"  # within the interval: nobody else reads again
        assert live.reload(wait=True)
        assert live.current().stamp == "2"

    def test_a_swap_lets_the_old_snapshot_go(self):
        import gc
        import weakref

        database = Database()
        live = _live(database)
        old = weakref.ref(live.current())
        database.stamp = 2
        assert live.reload(wait=True)
        gc.collect()
        assert old() is None


class TestOutages:
    def test_an_outage_keeps_the_last_good_snapshot_and_says_since_when(self):
        database = Database()
        live = _live(database)
        good = live.current()
        database.down = True
        assert not live.reload(wait=True)
        assert live.current() is good
        health = live.health()
        assert health.stale and health.servable and health.data_as_of == good.loaded_at
        assert health.unreachable_since is not None and "connection refused" in health.problem

    def test_it_recovers_by_itself_when_the_database_returns(self):
        database = Database()
        live = _live(database, refresh_seconds=3600)
        live.current()
        database.down = True
        live.reload(wait=True)
        database.down, database.stamp = False, 2
        # No reload and no page view from here: the worker's retries alone bring the new data.
        _until(lambda: not live.health().stale, seconds=2)
        assert live.current().stamp == "2"

    def test_a_start_while_down_serves_the_stored_snapshot(self):
        database = Database()
        stored = Database().load(None, False)
        database.down = True
        live = _live(database, fallback=lambda: stored)
        assert live.current() is stored
        assert live.health().stale

    def test_a_start_while_down_with_nothing_stored_says_why(self):
        database = Database()
        database.down = True
        live = _live(database)
        with pytest.raises(DatabaseError, match="connection refused"):
            live.current()
        assert not live.health().servable
        database.down = False
        _until(lambda: live.health().servable, seconds=2)

    def test_a_read_that_hangs_is_given_up_after_its_limit_and_retried(self):
        database = Database()
        live = _live(database, attempt_seconds=0.2)
        good = live.current()
        database.stamp, database.gate = 2, threading.Event()
        started = time.monotonic()
        assert not live.reload(wait=True)
        assert time.monotonic() - started < 1.0
        assert live.current() is good and "did not answer within" in live.health().problem
        database.gate.set()
        _until(lambda: live.current().stamp == "2")


class TestTimeLimits:
    def test_a_sqlite_statement_is_stopped_at_its_limit(self, tmp_path, monkeypatch):
        monkeypatch.setenv("LADDER_STATEMENT_TIMEOUT_SECONDS", "0.3")
        engine = make_engine(f"sqlite:///{tmp_path}/slow.db")
        endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT COUNT(*) FROM n"
        started = time.monotonic()
        with pytest.raises(Exception, match="interrupted"), engine.connect() as conn:
            conn.execute(text(endless))
        assert time.monotonic() - started < 2.0
        with engine.connect() as conn:  # the limit is per statement: the next one runs normally
            assert conn.execute(text("SELECT 1")).scalar_one() == 1

    @pytest.mark.postgres
    def test_a_postgresql_statement_is_stopped_at_its_limit(self, postgres_url, monkeypatch):
        database_url = postgres_url
        monkeypatch.setenv("LADDER_STATEMENT_TIMEOUT_SECONDS", "0.5")
        engine = make_engine(database_url)
        started = time.monotonic()
        with pytest.raises(Exception, match="statement timeout"), engine.connect() as conn:
            conn.execute(text("SELECT pg_sleep(5)"))
        assert time.monotonic() - started < 2.0
        engine.dispose()

    @pytest.mark.postgres
    @pytest.mark.parametrize("silent", ["pooled", "new"])
    def test_a_host_that_goes_silent_fails_within_the_limits(self, postgres_url, monkeypatch, silent):
        """Limits 1 s (connect) and 1 s (statement): a pooled connection's ping is cut after 1 + 2 s, the new
        connection then gives up after 1 s; a new connection alone after 1 s. Never longer than 6 s."""
        from sqlalchemy.engine import make_url

        from tests.fault_proxy import HANG, FaultProxy

        monkeypatch.setenv("LADDER_CONNECT_TIMEOUT_SECONDS", "1")
        monkeypatch.setenv("LADDER_STATEMENT_TIMEOUT_SECONDS", "1")
        with FaultProxy(("127.0.0.1", make_url(postgres_url).port or 5432), lifetime_seconds=60) as proxy:
            engine = make_engine(make_url(postgres_url).set(host="127.0.0.1", port=proxy.port))
            if silent == "pooled":
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
            proxy.set_mode(HANG)
            started = time.monotonic()
            with pytest.raises(Exception), engine.connect() as conn:  # noqa: B017 - each driver raises its own
                conn.execute(text("SELECT 1"))
            assert time.monotonic() - started < 6.0
            engine.dispose()

    @pytest.mark.parametrize("raw", ["soon", "-1", "0"])
    def test_a_limit_that_is_not_a_positive_number_is_a_configuration_error(self, raw):
        from data.config import ConfigError, load_config

        with pytest.raises(ConfigError, match="connect_timeout_seconds|CONNECT_TIMEOUT_SECONDS"):
            load_config({}, {"LADDER_CONNECT_TIMEOUT_SECONDS": raw})

    def test_the_limits_are_settings_with_defaults(self, monkeypatch):
        from data.db import time_limits

        assert time_limits() == (5.0, 60.0)
        monkeypatch.setenv("LADDER_STATEMENT_TIMEOUT_SECONDS", "12.5")
        assert time_limits() == (5.0, 12.5)


class TestAccessLogSpool:
    @pytest.fixture
    def url(self, engine):
        write_tiny(engine)
        return engine.url.render_as_string(hide_password=False)

    def _count(self, url) -> int:
        with make_engine(url).connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM access_log")).scalar_one()

    def test_a_view_is_written_by_the_background_writer(self, url):
        from data.access_log import record_view

        record_view(url, email="a@x", role="hr", page="Overview", filters={})
        _until(lambda: self._count(url) == 1)

    def test_views_wait_in_the_spool_through_an_outage_and_none_is_lost(self, url, monkeypatch):
        import data.access_log as access_log

        spool = access_log.spool(url)
        healthy = access_log._engine

        def unreachable(_url):
            raise DatabaseError("connection refused")

        monkeypatch.setattr(access_log, "_engine", unreachable)
        for n in range(25):
            access_log.record_view(url, email=f"p{n}@x", role="hr", page="Overview", filters={})
        time.sleep(0.3)
        assert len(spool.rows) == 25 and self._count(url) == 0
        monkeypatch.setattr(access_log, "_engine", healthy)
        _until(lambda: self._count(url) == 25, seconds=10)
        assert not spool.rows

    def test_a_full_spool_drops_the_oldest_and_counts_them(self, url, monkeypatch):
        import data.access_log as access_log

        monkeypatch.setattr(access_log, "SPOOL_ROWS", 3)
        spool = access_log.Spool(url, writer=False)  # only the bound is under test
        for n in range(5):
            spool.append({"email": f"p{n}@x"})
        assert [r["email"] for r in spool.rows] == ["p2@x", "p3@x", "p4@x"] and spool.dropped == 2


class TestRetention:
    def test_views_older_than_the_retention_are_purged_in_batches(self, engine, monkeypatch):
        """Five views 401 days old and two 399 days old; 400 days kept: the five go (in batches of two), two stay."""
        import data.access_log as access_log

        monkeypatch.setattr(access_log, "BATCH_ROWS", 2)
        url = engine.url.render_as_string(hide_password=False)
        now = datetime(2026, 11, 25, 12, 0)
        with engine.begin() as conn:
            for days in (401,) * 5 + (399,) * 2:
                conn.execute(
                    text("INSERT INTO access_log (at, email, role, page, filters) VALUES (:at, 'a', 'hr', 'O', '')"),
                    {"at": now - timedelta(days=days)},
                )
        assert access_log.purge(url, 400, now=now) == 5
        with engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM access_log")).scalar_one() == 2

    def test_the_retention_setting_is_read_with_a_default(self, monkeypatch):
        from data.access_log import retention_days

        assert retention_days() == 400
        monkeypatch.setenv("LADDER_ACCESS_LOG_RETENTION_DAYS", "90")
        assert retention_days() == 90
