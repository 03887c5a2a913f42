"""The access log: one row per page view (who, role, page, filters, when), written off the page's path, read by HR.

Writing only appends the row to a bounded spool in memory; a background writer inserts what the spool holds
in batches on a pooled engine per database URL, so logging never costs a page a database round trip, and
while the database is unreachable the rows wait in the spool (at most SPOOL_ROWS of them; beyond that the
oldest are dropped and the loss is logged) and are written once it answers again. The same writer removes
rows older than the retention setting, in small batches, at most once per PURGE_EVERY_SECONDS.
Reading first writes what is waiting, then is bounded: an `at` range the index serves, rows newest first and
at most `limit` of them, counts grouped by day, role and page.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from datetime import datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Engine, delete, func, insert, select

from data import config
from data.db import make_engine
from data.schema import AccessLog

SPOOL_ROWS = 10_000  # page views kept per process while the database is unreachable; documented in README
BATCH_ROWS = 500  # rows per INSERT, and per DELETE of the purge
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0)  # the writer's backoff while the database does not answer
PURGE_EVERY_SECONDS = 3600
_LOG = logging.getLogger(__name__)

LOG_SCHEMA = {"at": pl.Datetime("us"), "email": pl.String, "role": pl.String, "page": pl.String, "filters": pl.String}
_FIELD_LIMITS = {"email": 320, "role": 16, "page": 100, "filters": 2000}

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _engine(url: str) -> Engine:
    """One engine (and so one connection pool) per database URL for the life of the process."""
    with _lock:
        if url not in _engines:
            _engines[url] = make_engine(url)
        return _engines[url]


class Spool:
    """Rows waiting to be written to one database, and the one background writer that writes them."""

    def __init__(self, url: str, *, writer: bool = True) -> None:
        self.url = url
        self.rows: deque[dict] = deque()
        self.dropped = 0
        self._ready = threading.Condition()
        self._writing = threading.Lock()  # one batch in flight at a time, from the writer or a reader
        self._purged = 0.0
        if writer:
            threading.Thread(target=self._write_forever, name="ladder-access-log", daemon=True).start()

    def append(self, row: dict) -> None:
        with self._ready:
            if len(self.rows) >= SPOOL_ROWS:
                self.rows.popleft()
                self.dropped += 1
                _LOG.error("The access-log spool is full (%d rows): dropped the oldest row", SPOOL_ROWS)
            self.rows.append(row)
            self._ready.notify()

    def write_waiting(self) -> None:
        """Write every waiting row now; raises when the database does not take them (they stay waiting)."""
        with self._writing:
            while True:
                with self._ready:
                    batch = [self.rows[i] for i in range(min(BATCH_ROWS, len(self.rows)))]
                if not batch:
                    return
                with _engine(self.url).begin() as conn:
                    conn.execute(insert(AccessLog), batch)
                with self._ready:
                    for _ in batch:
                        self.rows.popleft()

    def _write_forever(self) -> None:
        failures = 0
        while True:
            with self._ready:
                while not self.rows and time.monotonic() - self._purged < PURGE_EVERY_SECONDS:
                    self._ready.wait(timeout=60)
            try:
                self.write_waiting()
                if time.monotonic() - self._purged >= PURGE_EVERY_SECONDS or not self._purged:
                    purge(self.url, retention_days())
                    self._purged = time.monotonic()
                failures = 0
            except Exception as error:  # noqa: BLE001 - the rows wait; the writer tries again
                _LOG.warning("The access log could not be written (%d rows waiting): %s", len(self.rows), error)
                time.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
                failures += 1


_spools: dict[str, Spool] = {}


def spool(url: str) -> Spool:
    with _lock:
        if url not in _spools:
            _spools[url] = Spool(url)
        return _spools[url]


def retention_days() -> int:
    """The `access_log_retention_days` setting (default 400: a year and a quarter, so reviews can compare years)."""
    return config.current_or_default().settings.access_log_retention_days


def purge(url: str, days: float, now: datetime | None = None) -> int:
    """Delete the page views older than `days` days, BATCH_ROWS at a time so no write waits long; rows deleted."""
    table = AccessLog.__table__
    cutoff = (now or datetime.now()) - timedelta(days=days)
    deleted = 0
    while True:
        oldest = select(table.c.id).where(table.c.at < cutoff).limit(BATCH_ROWS).scalar_subquery()
        with _engine(url).begin() as conn:
            count = conn.execute(delete(table).where(table.c.id.in_(oldest))).rowcount
        deleted += count
        if count < BATCH_ROWS:
            return deleted


def _write_waiting(url: str) -> None:
    """Before a read: write what the spool holds, so the reader sees every view so far (if the database takes it)."""
    if url in _spools:
        try:
            _spools[url].write_waiting()
        except Exception as error:  # noqa: BLE001 - the read below says what is wrong
            _LOG.warning("The access log could not be written before reading it: %s", error)


def record_view(
    url: str, *, email: str, role: str, page: str, filters: dict[str, Any], at: datetime | None = None
) -> None:
    """Queue one page view for the background writer; values longer than their column are cut, never rejected."""
    row = {
        "at": at or datetime.now().replace(microsecond=0),
        "email": email,
        "role": role,
        "page": page,
        "filters": json.dumps(filters, default=str),
    }
    for name, limit in _FIELD_LIMITS.items():
        row[name] = row[name][:limit]
    spool(url).append(row)


def _conditions(since: datetime | None, until: datetime | None, email_contains: str | None, page: str | None) -> list:
    table = AccessLog.__table__
    conditions = []
    if since is not None:
        conditions.append(table.c.at >= since)
    if until is not None:
        conditions.append(table.c.at < until)
    if email_contains:
        conditions.append(func.lower(table.c.email).contains(email_contains.lower(), autoescape=True))
    if page:
        conditions.append(table.c.page == page)
    return conditions


def read_views(
    url: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    email_contains: str | None = None,
    page: str | None = None,
    limit: int = 500,
) -> pl.DataFrame:
    """Page views in [since, until), newest first, at most `limit` of them."""
    _write_waiting(url)
    table = AccessLog.__table__
    query = (
        select(table.c.at, table.c.email, table.c.role, table.c.page, table.c.filters)
        .where(*_conditions(since, until, email_contains, page))
        .order_by(table.c.at.desc(), table.c.id.desc())
        .limit(limit)
    )
    with _engine(url).connect() as conn:
        rows = conn.execute(query).all()
    return pl.DataFrame([tuple(r) for r in rows], schema=LOG_SCHEMA, orient="row")


def views_by_day(
    url: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    email_contains: str | None = None,
    page: str | None = None,
) -> pl.DataFrame:
    """Views per (calendar day, role, page) in [since, until): one pass that feeds totals, chart and screen list."""
    _write_waiting(url)
    table = AccessLog.__table__
    day = func.date(table.c.at)
    query = (
        select(day, table.c.role, table.c.page, func.count())
        .where(*_conditions(since, until, email_contains, page))
        .group_by(day, table.c.role, table.c.page)
    )
    with _engine(url).connect() as conn:
        rows = conn.execute(query).all()
    # SQLite answers date() with text, PostgreSQL with a date: str() makes both ISO text.
    frame = pl.DataFrame(
        [(str(day), role, page, views) for day, role, page, views in rows],
        schema={"day": pl.String, "role": pl.String, "page": pl.String, "views": pl.Int64},
        orient="row",
    )
    return frame.with_columns(pl.col("day").str.to_date()).sort("day", "role", "page")


def people_count(
    url: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    email_contains: str | None = None,
    page: str | None = None,
) -> int:
    """How many different e-mail addresses viewed a page in [since, until)."""
    _write_waiting(url)
    table = AccessLog.__table__
    query = select(func.count(table.c.email.distinct())).where(*_conditions(since, until, email_contains, page))
    with _engine(url).connect() as conn:
        return int(conn.execute(query).scalar_one())
