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
MAX_DAYS = 92  # one quarter at a time keeps every count a quick range scan of the `at` index
DAILY_DAYS = 35  # longer ranges are counted per week
ACTIVITY_SCHEMA = {"day": pl.Date, "role": pl.String, "page": pl.String, "views": pl.Int64}


@dataclass(frozen=True)
class LogFilters:
    """Which views the admin screen lists: a date range (both ends included), part of an e-mail, one screen."""

    start: date
    end: date
    person: str = ""
    page: str | None = None

    def query(self, *, with_page: bool = True) -> dict:
        return {
            "since": datetime.combine(self.start, time.min),
            "until": datetime.combine(self.end + timedelta(days=1), time.min),
            "email_contains": self.person.strip() or None,
            "page": self.page if with_page else None,
        }


def activity(viewer: Viewer, filters: LogFilters) -> pl.DataFrame:
    """Views per day, role and screen for the dates and person, every screen (the screen filter applies after)."""
    if not sees_access_log(viewer):
        return pl.DataFrame(schema=ACTIVITY_SCHEMA)
    return access_log.views_by_day(database_url(), **filters.query(with_page=False))


def for_screen(views: pl.DataFrame, page: str | None) -> pl.DataFrame:
    return views if page is None else views.filter(pl.col("page") == page)


def screens(views: pl.DataFrame) -> list[str]:
    """The screens somebody opened, for the screen filter."""
    return sorted(views["page"].unique().to_list())


def people(viewer: Viewer, filters: LogFilters) -> int:
    """Different e-mail addresses among the views matching the filters."""
    if not sees_access_log(viewer):
        return 0
    return access_log.people_count(database_url(), **filters.query())


def daily(views: pl.DataFrame, filters: LogFilters) -> pl.DataFrame:
    """Views per day (per week beyond DAILY_DAYS days) and role, every day of the range present, quiet ones at 0."""
    every = "1d" if (filters.end - filters.start).days < DAILY_DAYS else "1w"
    counts = views.group_by("day", "role").agg(pl.col("views").sum())
    days = pl.date_range(filters.start, filters.end, "1d", eager=True).alias("day").to_frame()
    roles = counts.select("role").unique()
    if roles.is_empty():
        roles = pl.DataFrame({"role": ["hr"]})
    return (
        days.join(roles, how="cross")
        .join(counts, on=["day", "role"], how="left")
        .with_columns(pl.col("views").fill_null(0), pl.col("day").dt.truncate(every))
        .group_by("day", "role")
        .agg(pl.col("views").sum())
        .sort("day", "role")
    )


def recent(viewer: Viewer, filters: LogFilters) -> pl.DataFrame:
    """The newest views matching the filters (at most ROWS), with the viewer's name where the e-mail is known."""
    if not sees_access_log(viewer):
        return pl.DataFrame(schema=LOG_SCHEMA | {"name": pl.String})
    views = access_log.read_views(database_url(), limit=ROWS, **filters.query())
    scoped = viewer_snapshot(viewer)
    names = scoped.derived(
        "names_by_email",
        lambda: scoped.employee.select(pl.col("email").str.to_lowercase().alias("key"), "name").unique("key"),
    )
    return (
        views.with_columns(pl.col("email").str.to_lowercase().alias("key"))
        .join(names, on="key", how="left", maintain_order="left")
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
