"""The access log: one row per page view (who, role, page, filters, when), written cheaply, read by HR.

Writing is a single INSERT on a pooled engine per database URL, so logging never costs a page more than
one round trip. Reading is bounded: an `at` range the index serves, rows newest first and at most `limit` of
them, counts grouped by day, role and page.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Engine, func, insert, select

from data.db import make_engine
from data.schema import AccessLog

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


def record_view(
    url: str, *, email: str, role: str, page: str, filters: dict[str, Any], at: datetime | None = None
) -> None:
    """Append one page view; values longer than their column are cut, never rejected."""
    row = {
        "at": at or datetime.now().replace(microsecond=0),
        "email": email,
        "role": role,
        "page": page,
        "filters": json.dumps(filters, default=str),
    }
    for name, limit in _FIELD_LIMITS.items():
        row[name] = row[name][:limit]
    with _engine(url).begin() as conn:
        conn.execute(insert(AccessLog), row)


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
    table = AccessLog.__table__
    query = select(func.count(table.c.email.distinct())).where(*_conditions(since, until, email_contains, page))
    with _engine(url).connect() as conn:
        return int(conn.execute(query).scalar_one())
