"""Check-in cadence: how often managers and people actually meet."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from queries.model import Filters, Settings, Snapshot, Viewer
from queries.scope import people_in_scope

DEFAULT_SETTINGS = Settings()


def checkin_coverage_at(snapshot: Snapshot, people: pl.DataFrame, as_of: date, window_days: int) -> dict[str, float | int]:
    """Coverage = share of `people` with at least one check-in in the `window_days` days up to and including as_of."""
    since = as_of - timedelta(days=window_days - 1)
    recent = snapshot.checkin.filter(pl.col("held_at").is_between(since, as_of)).select("employee_id").unique()
    covered = people.join(recent, left_on="id", right_on="employee_id", how="semi").height
    total = people.height
    return {"people": total, "covered": covered, "coverage": covered / total if total else None}


def checkin_coverage(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Coverage = share of active people in scope with a check-in in the last `checkin_window_days` days."""
    people = people_in_scope(snapshot, filters)
    return pl.DataFrame([checkin_coverage_at(snapshot, people, filters.as_of, settings.checkin_window_days)])
