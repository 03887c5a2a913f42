"""The quarterly review's own questions, beside the screens' ones that the review pack reuses as they are."""

from __future__ import annotations

from datetime import date

import polars as pl

from queries.frames import rows_with_ids
from queries.model import Filters, Settings, Snapshot, Viewer
from queries.overview import objectives_most_behind
from queries.periods import year_family_ids
from queries.progress import objectives_replayed
from queries.rollup import with_pace
from queries.scope import scope_of, with_names

DEFAULT_SETTINGS = Settings()


def objectives_most_behind_with_owners(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, limit: int = 5
) -> pl.DataFrame:
    """The Overview's objectives furthest behind pace (lowest progress / expected), with each objective's owner
    (the person named on the goal, else none) and owning unit."""
    behind = objectives_most_behind(snapshot, filters, viewer, settings, limit=limit)
    goals = rows_with_ids(snapshot.goal, behind["id"]).select("id", "owner_employee_id", "org_unit_id")
    owners = with_names(snapshot, goals)
    return behind.join(owners.select("id", "owner", "team"), on="id", how="left", maintain_order="left")


def trend_dates(snapshot: Snapshot, filters: Filters) -> tuple[tuple[str, date], ...]:
    """('2026-Q1', 31 Mar), ... for each quarter of the filtered period's year that ended before the as-of date, then
    ('now', the as-of date)."""
    family = year_family_ids(snapshot, filters.period_id)
    quarters = snapshot.period.filter(
        pl.col("id").is_in(family[1:]) & (pl.col("end_date") < filters.as_of)
    ).sort("end_date")
    return (*zip(quarters["name"].to_list(), quarters["end_date"].to_list(), strict=True), ("now", filters.as_of))


def objective_trend(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Per objective the scope carries: its rolled-up progress at the end of each past quarter of the year and now,
    replayed from the update history (queries/progress.py `objectives_replayed`), with expected progress and status
    at each of those dates."""
    schema = {"objective_id": pl.Int64, "title": pl.String, "point": pl.String, "date": pl.Date,
              "progress": pl.Float64, "expected": pl.Float64, "status": pl.String}
    if scope_of(snapshot, filters).objectives(settings).is_empty():
        return pl.DataFrame(schema=schema)
    points = trend_dates(snapshot, filters)
    labels = pl.DataFrame({"point": [p for p, _ in points], "date": [d for _, d in points]},
                          schema={"point": pl.String, "date": pl.Date})
    replayed = objectives_replayed(snapshot, filters, settings, tuple(d for _, d in points))
    return (
        with_pace(replayed, snapshot, pl.col("date"), settings, goal="objective_id")
        .join(labels, on="date", how="left")
        .select(list(schema))
        .sort(["title", "date"])
    )
