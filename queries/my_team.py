"""A manager's team: who needs attention? Goals against pace, check-in recency and development goals per person."""

from __future__ import annotations

import polars as pl

from queries.access import reporting_subtree
from queries.alignment import owner_goal_stats
from queries.checkins import cadence_in_scope
from queries.frames import id_names
from queries.model import Filters, Settings, Snapshot, Viewer
from queries.rollup import status_expr

DEFAULT_SETTINGS = Settings()

_EMPTY = {
    "id": pl.Int64, "name": pl.String, "manager": pl.String, "team": pl.String, "work_mode": pl.String,
    "goals": pl.Int64, "progress": pl.Float64, "expected": pl.Float64, "pace_ratio": pl.Float64,
    "status": pl.String, "last_checkin": pl.Date, "days_since": pl.Int64, "has_development": pl.Boolean,
    "reasons": pl.List(pl.String), "attention": pl.Int64,
}  # fmt: skip


def team_members(snapshot: Snapshot, viewer: Viewer, *, subtree: bool) -> pl.Series:
    """Ids of the viewer's direct reports, or of everyone below them when `subtree`; empty unless a manager."""
    if viewer.role != "manager" or viewer.employee_id is None:
        return pl.Series("id", [], dtype=pl.Int64)
    if subtree:
        below = reporting_subtree(snapshot, viewer.employee_id)
        return below.filter(below != viewer.employee_id).alias("id")
    return snapshot.employee.filter(pl.col("manager_id") == viewer.employee_id)["id"]


def my_team(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, subtree: bool = False
) -> pl.DataFrame:
    """Per active member of the viewer's team (in the filters' scope): live goals this period, progress and expected
    progress (means over measured business goals) with status (null when nothing is measured), last check-in and
    days since, whether they have a development goal, and why they need attention (behind or at risk, lapsed
    check-ins, no goals, no development goal); most reasons first."""
    members = team_members(snapshot, viewer, subtree=subtree).implode()
    people = cadence_in_scope(snapshot, filters, settings).filter(pl.col("id").is_in(members))
    if people.is_empty():
        return pl.DataFrame(schema=_EMPTY)
    stats = owner_goal_stats(snapshot, filters.period_id, filters.as_of, settings)
    lapsed = (
        pl.when(pl.col("days_since").is_null())
        .then(pl.lit("no check-in yet"))
        .when(pl.col("lapsed"))
        .then(pl.format("no check-in for {} days", pl.col("days_since")))
    )
    return (
        people.join(stats, left_on="id", right_on="owner_employee_id", how="left")
        .join(id_names(snapshot.employee, "manager_id", "manager"), on="manager_id", how="left")
        .join(id_names(snapshot.org_unit, "org_unit_id", "team"), on="org_unit_id", how="left")
        .with_columns(
            pl.col("goals").fill_null(0),
            (pl.col("development_goals").fill_null(0) > 0).alias("has_development"),
            pl.when(pl.col("measured_goals") > 0)
            .then(pl.col("progress_sum") / pl.col("measured_goals"))
            .alias("progress"),
            pl.when(pl.col("measured_goals") > 0)
            .then(pl.col("expected_sum") / pl.col("measured_goals"))
            .alias("expected"),
        )
        .with_columns(
            pl.when(pl.col("expected") > 0).then(pl.col("progress") / pl.col("expected")).alias("pace_ratio"),
            pl.when(pl.col("measured_goals") > 0).then(status_expr(settings)).alias("status"),
        )
        .with_columns(
            pl.concat_list(
                pl.when(pl.col("status").is_in(["behind", "at risk"])).then(pl.format("{} pace", pl.col("status"))),
                lapsed,
                pl.when(pl.col("goals") == 0).then(pl.lit("no goals this period")),
                pl.when(~pl.col("has_development")).then(pl.lit("no development goal")),
            )
            .list.drop_nulls()
            .alias("reasons")
        )
        .with_columns(pl.col("reasons").list.len().cast(pl.Int64).alias("attention"))
        .select(list(_EMPTY))
        .sort(["attention", "days_since", "name"], descending=[True, True, False], nulls_last=False)
    )


def my_team_summary(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, subtree: bool = False
) -> pl.DataFrame:
    """One row: the manager's name, people on the team, those needing attention, behind or at risk, lapsed, and
    without a development goal."""
    team = my_team(snapshot, filters, viewer, settings, subtree=subtree)
    names = snapshot.employee.filter(pl.col("id") == viewer.employee_id)["name"]
    lapse = pl.col("days_since").is_null() | (pl.col("days_since") > settings.lapse_days)
    return team.select(
        pl.lit(names[0] if names.len() else None, pl.String).alias("manager"),
        pl.len().cast(pl.Int64).alias("people"),
        (pl.col("attention") > 0).sum().cast(pl.Int64).alias("needing_attention"),
        pl.col("status").is_in(["behind", "at risk"]).sum().cast(pl.Int64).alias("off_pace"),
        lapse.sum().cast(pl.Int64).alias("lapsed"),
        (~pl.col("has_development")).sum().cast(pl.Int64).alias("without_development"),
    )
