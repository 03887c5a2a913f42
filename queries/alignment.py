"""Alignment: does each goal ladder up to a company objective of the same period?"""

from __future__ import annotations

from datetime import date

import polars as pl

from data.schema import WORK_MODES
from queries.checkins import cadence_in_scope
from queries.frames import group_names, id_names
from queries.kpis import Kpi, kpi_frame
from queries.model import Filters, Settings, Snapshot, Viewer
from queries.rollup import MEASURED_STATUSES, ladder_edges, period_goals, period_progress
from queries.scope import goal_region, scope_of

DEFAULT_SETTINGS = Settings()

ALIGNMENT_KPIS = (
    Kpi("alignment", "Alignment", help="Share of this scope's business goals below company level that ladder up, "
        "directly or through parents and “contributes” links, to a company objective of this period."),
    Kpi("org_alignment", "Organisation average", help="The same share over the whole organisation you can see, "
        "for comparison."),
    Kpi("orphans", "Orphan goals", "count", rise_is_good=False,
        help="Business goals in scope that reach no company objective."),
    Kpi("career_growth", "With a development goal", help="Share of active people in scope with at least one live "
        "development goal this period."),
)


def objective_of_goal(snapshot: Snapshot, goals: pl.DataFrame) -> pl.DataFrame:
    """For every goal, the company objective it ladders up to (through parents and "contributes" links), or null.

    A goal reaches an objective only if the objective's period is the goal's own period or contains it. Walks
    down from the objectives one layer per pass and stops when a pass reaches nothing new, so cycles cannot hang it.
    Where a goal reaches several objectives, the one with the smallest id is kept.
    """
    edges = ladder_edges(goals, snapshot.goal_link).select("child", "parent")
    year_of = snapshot.period.select(
        pl.col("id").alias("period_id"), pl.coalesce("parent_id", "id").alias("year_period_id")
    )
    objectives = goals.filter(pl.col("level") == "company").select(
        pl.col("id"), pl.col("id").alias("objective_id"), pl.col("period_id").alias("objective_period_id")
    )
    reached = objectives
    frontier = objectives
    while frontier.height:
        step = (
            edges.join(frontier, left_on="parent", right_on="id", how="inner")
            .select(pl.col("child").alias("id"), "objective_id", "objective_period_id")
            .join(reached.select("id"), on="id", how="anti")
            .sort("objective_id")
            .unique("id", keep="first")
        )
        reached = pl.concat([reached, step])
        frontier = step
    return (
        goals.select("id", "period_id")
        .join(year_of, on="period_id", how="left")
        .join(reached, on="id", how="left")
        .with_columns(
            pl.when(
                (pl.col("objective_period_id") == pl.col("period_id"))
                | (pl.col("objective_period_id") == pl.col("year_period_id"))
            )
            .then(pl.col("objective_id"))
            .alias("objective_id")
        )
        .select("id", "objective_id")
    )


def period_alignment(snapshot: Snapshot, period_id: int) -> pl.DataFrame:
    """Every live goal of the period with its objective (null = not laddering up); memoised per snapshot."""

    def compute() -> pl.DataFrame:
        goals = period_goals(snapshot, period_id)
        return objective_of_goal(snapshot, goals)

    return snapshot.derived(("alignment", period_id), compute)


# --- the Alignment screen -------------------------------------------------------------------------------------
#
# Alignment counts business goals below company level (design.md); development goals are career growth.


def aligned_goals(snapshot: Snapshot, period_id: int) -> pl.DataFrame:
    """The period's live business goals below company level with their region, objective and `aligned` flag;
    memoised per snapshot, so a filter change only narrows it."""

    def compute() -> pl.DataFrame:
        goals = period_goals(snapshot, period_id).filter(
            (pl.col("kind") == "business") & (pl.col("level") != "company")
        )
        return (
            goal_region(snapshot, goals)
            .join(period_alignment(snapshot, period_id), on="id", how="left")
            .with_columns(pl.col("objective_id").is_not_null().alias("aligned"))
            .select(
                "id",
                "title",
                "level",
                "parent_id",
                "org_unit_id",
                "owner_employee_id",
                "period_id",
                "region_id",
                "objective_id",
                "aligned",
            )
        )

    return snapshot.derived(("aligned_goals", period_id), compute)


def _rate_of(goals: pl.DataFrame) -> float | None:
    return goals["aligned"].mean() if goals.height else None


def owner_goal_stats(snapshot: Snapshot, period_id: int, as_of: date, settings: Settings) -> pl.DataFrame:
    """Per goal owner, over the period's live goals: all goals, business goals below company level, aligned ones,
    measured business goals with their sums of progress and expected progress, and development goals; memoised."""

    def compute() -> pl.DataFrame:
        goals = period_goals(snapshot, period_id).filter(pl.col("owner_employee_id").is_not_null())
        business = (pl.col("kind") == "business") & (pl.col("level") != "company")
        progress = period_progress(snapshot, period_id, as_of, settings).select("id", "progress", "expected", "status")
        measured = business & pl.col("status").is_in(MEASURED_STATUSES)
        return (
            goals.join(progress, on="id", how="left")
            .join(period_alignment(snapshot, period_id), on="id", how="left")
            .group_by("owner_employee_id")
            .agg(
                pl.len().cast(pl.Int64).alias("goals"),
                business.sum().cast(pl.Int64).alias("business_goals"),
                (business & pl.col("objective_id").is_not_null()).sum().cast(pl.Int64).alias("aligned_goals"),
                measured.sum().cast(pl.Int64).alias("measured_goals"),
                pl.col("progress").filter(measured).sum().alias("progress_sum"),
                pl.col("expected").filter(measured).sum().alias("expected_sum"),
                (pl.col("kind") == "development").sum().cast(pl.Int64).alias("development_goals"),
            )
        )

    return snapshot.derived(("owner_goal_stats", period_id, as_of, settings), compute)


def alignment_summary(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """One row: alignment rate (aligned / business goals below company level) in scope and organisation-wide,
    orphan goals in scope, and the share of active people in scope with at least one development goal."""
    every = aligned_goals(snapshot, filters.period_id)
    scoped = scope_of(snapshot, filters).narrow(every)
    people = scope_of(snapshot, filters).people().select("id")
    growth = _with_growth(snapshot, filters, settings, people)
    return pl.DataFrame(
        [
            {
                "goals": scoped.height,
                "aligned": int(scoped["aligned"].sum()),
                "rate": _rate_of(scoped),
                "org_rate": _rate_of(every),
                "orphans": int((~scoped["aligned"]).sum()),
                "people": people.height,
                "growth_share": growth["has_development"].mean() if growth.height else None,
            }
        ],
        schema={
            "goals": pl.Int64,
            "aligned": pl.Int64,
            "rate": pl.Float64,
            "org_rate": pl.Float64,
            "orphans": pl.Int64,
            "people": pl.Int64,
            "growth_share": pl.Float64,
        },
    )


def alignment_kpis(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """The Alignment screen's cards: alignment rate in scope and organisation-wide, orphans, career-growth share."""
    summary = alignment_summary(snapshot, filters, viewer, settings).row(0, named=True)
    current = {"alignment": summary["rate"], "org_alignment": summary["org_rate"], "orphans": summary["orphans"],
               "career_growth": summary["growth_share"]}
    return kpi_frame(ALIGNMENT_KPIS, current, {}, settings)


def alignment_by_group(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, by: str = "team"
) -> pl.DataFrame:
    """Per owning team (org unit) or goal region in scope: business goals, aligned ones and the rate, lowest first."""
    column, names = group_names(snapshot.region, snapshot.org_unit, by)
    scoped = scope_of(snapshot, filters).narrow(aligned_goals(snapshot, filters.period_id))
    return (
        scoped.group_by(column)
        .agg(pl.len().cast(pl.Int64).alias("goals"), pl.col("aligned").sum().cast(pl.Int64).alias("aligned"))
        .join(names, on=column, how="left")
        .with_columns((pl.col("aligned") / pl.col("goals")).alias("rate"))
        .select(pl.col(column).alias("group_id"), "group", "goals", "aligned", "rate")
        .sort(["rate", "goals", "group"], descending=[False, True, False])
    )


def orphan_goals(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Business goals in scope below company level that reach no company objective of the period, with the reason."""
    scoped = scope_of(snapshot, filters).narrow(aligned_goals(snapshot, filters.period_id)).filter(~pl.col("aligned"))
    supports = snapshot.goal_link.filter(pl.col("link_type") == "supports").select("goal_id").unique()
    return (
        scoped.join(id_names(snapshot.org_unit, "org_unit_id", "team"), on="org_unit_id", how="left")
        .join(id_names(snapshot.employee, "owner_employee_id", "owner"), on="owner_employee_id", how="left")
        .join(id_names(snapshot.region, "region_id", "region"), on="region_id", how="left")
        .join(supports.with_columns(pl.lit(True).alias("supports_only")), left_on="id", right_on="goal_id", how="left")
        .join(id_names(snapshot.period, "period_id", "period"), on="period_id", how="left")
        .with_columns(
            pl.when(pl.col("parent_id").is_null() & pl.col("supports_only").is_not_null())
            .then(pl.lit("No parent goal; a “supports” link does not count"))
            .when(pl.col("parent_id").is_null())
            .then(pl.lit("No parent goal"))
            .otherwise(pl.lit("Its parents reach no company objective of this period"))
            .alias("reason")
        )
        .select("id", "title", "level", "period", "team", "owner", "region", "reason")
        .sort(["team", "title"], nulls_last=True)
    )


def objective_support(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Company objectives of the period with fewer than `thin_support` contributing goals in scope (goals below
    company level that ladder up to them, directly or through parents): none or thin support, fewest first."""
    objectives = period_goals(snapshot, filters.period_id).filter(pl.col("level") == "company").select("id", "title")
    contributing = (
        scope_of(snapshot, filters).narrow(aligned_goals(snapshot, filters.period_id))
        .group_by("objective_id")
        .agg(pl.len().cast(pl.Int64).alias("contributing_goals"))
    )
    return (
        objectives.join(contributing, left_on="id", right_on="objective_id", how="left")
        .with_columns(pl.col("contributing_goals").fill_null(0))
        .filter(pl.col("contributing_goals") < settings.thin_support)
        .with_columns(
            pl.when(pl.col("contributing_goals") == 0).then(pl.lit("none")).otherwise(pl.lit("thin")).alias("support")
        )
        .sort(["contributing_goals", "title"])
    )


def teams_without_alignment(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Teams (org units of kind team) with active people in scope whose business goals in scope this period
    reach no company objective (including teams with no business goal at all)."""
    people = scope_of(snapshot, filters).people().group_by("org_unit_id").agg(pl.len().cast(pl.Int64).alias("people"))
    goals = (
        scope_of(snapshot, filters).narrow(aligned_goals(snapshot, filters.period_id))
        .group_by("org_unit_id")
        .agg(pl.len().cast(pl.Int64).alias("goals"), pl.col("aligned").sum().cast(pl.Int64).alias("aligned"))
    )
    return (
        snapshot.org_unit.filter(pl.col("kind") == "team")
        .select(pl.col("id").alias("org_unit_id"), pl.col("name").alias("team"), "parent_id")
        .join(people, on="org_unit_id", how="inner")
        .join(goals, on="org_unit_id", how="left")
        .with_columns(pl.col("goals").fill_null(0), pl.col("aligned").fill_null(0))
        .filter(pl.col("aligned") == 0)
        .join(id_names(snapshot.org_unit, "parent_id", "department"), on="parent_id", how="left")
        .select("org_unit_id", "team", "department", "people", "goals")
        .sort(["goals", "team"], descending=[True, False])
    )


def work_mode_comparison(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Per work mode (office, hybrid, remote) of active people in scope: alignment rate of the goals they own,
    check-in coverage (of those with a manager), and progress / expected over their measured business goals."""
    covered = cadence_in_scope(snapshot, filters, settings).select("id", "covered")
    people = scope_of(snapshot, filters).people().select("id", "work_mode").join(covered, on="id", how="left")
    stats = owner_goal_stats(snapshot, filters.period_id, filters.as_of, settings)
    joined = (
        people.join(stats, left_on="id", right_on="owner_employee_id", how="left")
        .group_by("work_mode")
        .agg(
            pl.len().cast(pl.Int64).alias("people"),
            pl.col("business_goals").sum().cast(pl.Int64).alias("goals"),
            pl.col("aligned_goals").sum().cast(pl.Int64).alias("aligned"),
            pl.col("covered").mean().alias("coverage"),
            pl.col("progress_sum").sum(),
            pl.col("expected_sum").sum(),
        )
    )
    modes = pl.DataFrame({"work_mode": list(WORK_MODES), "order": list(range(len(WORK_MODES)))})
    return (
        modes.join(joined, on="work_mode", how="inner")
        .with_columns(
            pl.when(pl.col("goals") > 0).then(pl.col("aligned") / pl.col("goals")).alias("alignment"),
            pl.when(pl.col("expected_sum") > 0).then(pl.col("progress_sum") / pl.col("expected_sum")).alias("pace"),
        )
        .sort("order")
        .select("work_mode", "people", "goals", "alignment", "coverage", "pace")
    )


def _with_growth(snapshot: Snapshot, filters: Filters, settings: Settings, people: pl.DataFrame) -> pl.DataFrame:
    stats = owner_goal_stats(snapshot, filters.period_id, filters.as_of, settings).select(
        pl.col("owner_employee_id").alias("id"), (pl.col("development_goals") > 0).alias("has_development")
    )
    return people.join(stats, on="id", how="left").with_columns(pl.col("has_development").fill_null(False))


def career_growth(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, by: str = "team"
) -> pl.DataFrame:
    """Per team (the person's org unit) or region: active people in scope and the share with at least one live
    development goal this period, lowest first."""
    column, names = group_names(snapshot.region, snapshot.org_unit, by)
    people = scope_of(snapshot, filters).people().select("id", column)
    return (
        _with_growth(snapshot, filters, settings, people)
        .group_by(column)
        .agg(
            pl.len().cast(pl.Int64).alias("people"),
            pl.col("has_development").sum().cast(pl.Int64).alias("with_development"),
        )
        .join(names, on=column, how="left")
        .with_columns((pl.col("with_development") / pl.col("people")).alias("share"))
        .select(pl.col(column).alias("group_id"), "group", "people", "with_development", "share")
        .sort(["share", "people", "group"], descending=[False, True, False])
    )
