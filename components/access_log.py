"""The access log as the admin screen reads it: fresh from the database (never cached), HR only.

queries/access.py decides who may read it; anyone else gets empty answers, whatever page asks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import polars as pl

from components.data import viewer_snapshot
from data import access_log
from data.access_log import LOG_SCHEMA
from data.db import database_url
from queries.access import sees_access_log
from queries.model import Viewer

ROWS = 500
DAILY_DAYS = 93  # longer ranges are counted per week, to keep the chart to a few hundred bars


@dataclass(frozen=True)
class LogFilters:
    """Which views the admin screen lists: a date range (inclusive), part of an e-mail, one screen."""

    start: date
    end: date
    person: str = ""
    page: str | None = None

    def query(self) -> dict:
        return {
            "since": datetime.combine(self.start, time.min),
            "until": datetime.combine(self.end + timedelta(days=1), time.min),
            "email_contains": self.person.strip() or None,
            "page": self.page,
        }


def screens_viewed(viewer: Viewer, start: date, end: date) -> list[str]:
    """The screens somebody opened in the date range, for the screen filter."""
    if not sees_access_log(viewer):
        return []
    query = LogFilters(start, end).query()
    return access_log.pages_viewed(database_url(), since=query["since"], until=query["until"])


def totals(viewer: Viewer, filters: LogFilters) -> dict[str, int]:
    """Views, distinct people and distinct screens matching the filters."""
    if not sees_access_log(viewer):
        return {"views": 0, "people": 0, "pages": 0}
    return access_log.count_views(database_url(), **filters.query())


def daily(viewer: Viewer, filters: LogFilters) -> pl.DataFrame:
    """Views per day (per week beyond DAILY_DAYS days) and role, every day of the range present, quiet ones at 0."""
    schema = {"day": pl.Date, "role": pl.String, "views": pl.Int64}
    if not sees_access_log(viewer):
        return pl.DataFrame(schema=schema)
    counts = access_log.views_per_day(database_url(), **filters.query())
    every = "1d" if (filters.end - filters.start).days < DAILY_DAYS else "1w"
    days = pl.date_range(filters.start, filters.end, "1d", eager=True).alias("day").to_frame()
    roles = counts.select("role").unique()
    if roles.is_empty():
        roles = pl.DataFrame({"role": ["hr"]})
    grid = days.join(roles, how="cross").join(counts, on=["day", "role"], how="left")
    return (
        grid.with_columns(pl.col("views").fill_null(0), pl.col("day").dt.truncate(every))
        .group_by("day", "role")
        .agg(pl.col("views").sum())
        .sort("day", "role")
        .select(list(schema))
    )


def recent(viewer: Viewer, filters: LogFilters) -> pl.DataFrame:
    """The newest views matching the filters (at most ROWS), with the viewer's name where the e-mail is known."""
    if not sees_access_log(viewer):
        return pl.DataFrame(schema=LOG_SCHEMA | {"name": pl.String})
    views = access_log.read_views(database_url(), limit=ROWS, **filters.query())
    scoped = viewer_snapshot(viewer)
    people = scoped.derived(
        "names_by_email",
        lambda: scoped.employee.select(pl.col("email").str.to_lowercase().alias("key"), "name").unique("key"),
    )
    return (
        views.with_columns(pl.col("email").str.to_lowercase().alias("key"))
        .join(people, on="key", how="left", maintain_order="left")
        .drop("key")
        .with_columns(pl.col("filters").map_elements(describe_filters, return_dtype=pl.String))
    )


def describe_filters(text: str) -> str:
    """'{"period": "2026-Q4", "region": ["IN"], ...}' -> 'period 2026-Q4 · region IN · ...' (blank values left out)."""
    try:
        values = json.loads(text)
    except (TypeError, ValueError):
        return text
    if not isinstance(values, dict):
        return text
    parts = []
    for name, value in values.items():
        if value in (None, "", []):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"{name.replace('_', ' ')} {shown}")
    return " · ".join(parts)
