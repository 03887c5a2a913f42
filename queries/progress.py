"""The Progress screen's questions: are the objectives on pace, where, and what changed since the last review.

Every figure is the scope's roll-up (queries/scope.py), "as carried by the filtered scope" as on Overview. Several
scopes (a column of a heatmap each) or several dates (the points of a burn-up) are rolled up in one pass of the
goal graph by giving each its own slot (queries/goal_graph.py).
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta

import polars as pl

from queries.alignment import period_alignment
from queries.forecast import goal_forecasts
from queries.frames import rows_with_ids
from queries.goal_graph import one_slot
from queries.model import Filters, Settings, Snapshot, Viewer
from queries.periods import period_row, related_period_ids, year_family_ids
from queries.phasing import with_phase_gap
from queries.rollup import (
    PACED,
    PHASE_GAP,
    STATUSES,
    key_result_progress,
    own_progress,
    roll_up,
    update_history,
    with_pace,
)
from queries.scope import goal_graph, measured_on_graph, scope_of, with_names, year_objectives

DEFAULT_SETTINGS = Settings()

BURNUP_POINTS = 15  # at most this many sample dates per period (weekly in a quarter)
HEATMAP_TEAMS = 10  # the teams that carry most of the scope's aligned goals
AT_RISK_LIMIT = 500
_NO_EDGES = pl.DataFrame(schema={"child": pl.Int64, "parent": pl.Int64, "weight": pl.Float64})


# --- burn-up: objective progress over the period, replayed from the update history ------------------------------


def burnup_dates(start: date, end: date, as_of: date, points: int = BURNUP_POINTS) -> tuple[date, ...]:
    """Sample dates from the period's start to the as-of date: a fixed grid (weekly, or wider so that a period has
    at most `points` of them) plus the as-of date itself."""
    last = min(max(as_of, start), end)
    step = max(7, math.ceil(((end - start).days + 1) / points))
    grid = []
    day = start
    while day < last:
        grid.append(day)
        day += timedelta(days=step)
    return (*grid, last)


def _replay_sources(snapshot: Snapshot, year_id: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The key results any scope's burn-up reads (those of company objectives and of goals that feed a goal without
    key results) and their update history; memoised per year."""

    def compute() -> tuple[pl.DataFrame, pl.DataFrame]:
        graph = goal_graph(snapshot, year_id)
        unmeasured = graph.without_key_results.to_frame("id")
        feeding = graph.edges.join(unmeasured, left_on="parent", right_on="id", how="semi").select(
            pl.col("child").alias("id")
        )
        objectives = graph.goals.filter(pl.col("level") == "company").select("id")
        goals = pl.concat([feeding, objectives]).unique()
        key_results = snapshot.key_result.join(goals, left_on="goal_id", right_on="id", how="semi")
        updates = update_history(snapshot).join(
            key_results.select(pl.col("id").alias("key_result_id")), on="key_result_id", how="semi"
        )
        return key_results, updates

    return snapshot.derived(("burnup_replay", year_id), compute)


def _replayed_day(snapshot: Snapshot, year_id: int, day: date) -> pl.DataFrame:
    """(goal_id, weight, progress): the own progress of the burn-up's goals as of `day`, replayed from the update
    history; memoised per day, so grids of nearby as-of dates share it."""
    key_results, updates = _replay_sources(snapshot, year_id)

    def compute() -> pl.DataFrame:
        goals = key_results.select(pl.col("goal_id").alias("id")).unique()
        replayed = key_result_progress(key_results, updates, day, history_sorted=True)
        return own_progress(roll_up(goals, _NO_EDGES, replayed))

    return snapshot.derived(("replayed_day", year_id, day), compute)


def replayed_grid(snapshot: Snapshot, year_id: int, dates: tuple[date, ...]) -> pl.DataFrame:
    """(goal_id, weight, p0, p1, ..., g0, g1, ...): the same own progress with one column per date, pi as of dates[i],
    and gi the goal's phase gap at dates[i] (null where pi is), so that one roll-up carries every date (the goals and
    weights are the same on every day; only the progress and the gap differ)."""

    def compute() -> pl.DataFrame:
        days = [_replayed_day(snapshot, year_id, day) for day in dates]
        grid = days[0].select("goal_id", "weight")
        for i, day in enumerate(days):
            grid = grid.join(day.select("goal_id", pl.col("progress").alias(f"p{i}")), on="goal_id", how="left")
        for i, day in enumerate(dates):
            grid = with_phase_gap(grid, snapshot, day, progress=f"p{i}", column=f"g{i}")
        return grid

    return snapshot.derived(("replayed_grid", year_id, dates), compute)


def objectives_replayed(
    snapshot: Snapshot, filters: Filters, settings: Settings, dates: tuple[date, ...]
) -> pl.DataFrame:
    """(objective_id, title, period_id, date, progress, phase_gap): each objective the scope carries, rolled up as
    carried by it as of each of `dates`, replayed from the update history in one roll-up over the dates' columns."""
    scope = scope_of(snapshot, filters)
    objectives = scope.objectives(settings)
    year_id = year_family_ids(snapshot, filters.period_id)[0]
    needing = pl.concat([scope.goals.needing_roll_up, objectives["id"]]).unique()
    columns = tuple(f"p{i}" for i in range(len(dates)))
    gaps = tuple(f"g{i}" for i in range(len(dates)))
    measured = rows_with_ids(replayed_grid(snapshot, year_id, dates), needing, "goal_id")
    rolled = scope.graph.roll_up(one_slot(needing), measured, columns + gaps).join(
        objectives.select("id", "title", "period_id"), on="id", how="inner"
    )
    index = ["id", "title", "period_id"]

    def by_date(names: tuple[str, ...], value: str) -> pl.DataFrame:
        slots = pl.DataFrame({"column": names, "date": dates}, schema={"column": pl.String, "date": pl.Date})
        return (
            rolled.unpivot(index=index, on=list(names), variable_name="column", value_name=value)
            .join(slots, on="column", how="inner")
            .drop("column")
        )

    return by_date(columns, "progress").join(by_date(gaps, PHASE_GAP), on=[*index, "date"], how="left").select(
        pl.col("id").alias("objective_id"), "title", "period_id", "date", "progress", PHASE_GAP
    )


def objective_burnup(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Per objective carried by the scope and sample date d of the period: rolled-up progress as of d (replayed from
    the update history) and expected progress at d; one last row at the period's end carries the pace line there."""
    schema = {"objective_id": pl.Int64, "title": pl.String, "date": pl.Date, "progress": pl.Float64,
              "expected": pl.Float64, "status": pl.String}
    scope = scope_of(snapshot, filters)
    objectives = scope.objectives(settings)
    if objectives.is_empty():
        return pl.DataFrame(schema=schema)
    period = period_row(snapshot, filters.period_id)
    dates = burnup_dates(period["start_date"], period["end_date"], filters.as_of)
    actual = objectives_replayed(snapshot, filters, settings, dates)
    pace_end = objectives.select(
        pl.col("id").alias("objective_id"), "title", "period_id", pl.lit(period["end_date"]).alias("date"),
        pl.lit(None, pl.Float64).alias("progress"), pl.lit(None, pl.Float64).alias(PHASE_GAP),
    )
    frame = pl.concat([actual, pace_end.filter(pl.col("date") > dates[-1])])
    return (
        with_pace(frame, snapshot, pl.col("date"), settings, goal="objective_id")
        .select("objective_id", "title", "date", "progress", "expected", "status")
        .sort(["title", "date"])
    )


# --- heatmaps: objective x region and objective x team ------------------------------------------------------------


def _business_below_company(snapshot: Snapshot, period_id: int) -> pl.Series:
    """Ids of the period's live business goals below company level (those whose alignment counts); memoised."""

    def compute() -> pl.Series:
        related = related_period_ids(snapshot, period_id)
        return goal_graph(snapshot, period_id).goals.filter(
            pl.col("period_id").is_in(related) & (pl.col("kind") == "business") & (pl.col("level") != "company")
        )["id"]

    return snapshot.derived(("business_below_company", period_id), compute)


def _slot_objectives(
    snapshot: Snapshot, filters: Filters, settings: Settings, members: pl.DataFrame, carried: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Per slot of `members` (slot, id) and objective the slot carries: progress as of the filters' date, expected,
    pace ratio, status and the slot's in-scope goals that ladder up to the objective. `carried` (slot, id) may be
    given when known."""
    graph = goal_graph(snapshot, filters.period_id)
    objectives = year_objectives(snapshot, filters.period_id).select("id", "title", "period_id")
    carried = graph.carried(members) if carried is None else carried
    needing = pl.concat([graph.needing_roll_up(carried), carried.join(objectives, on="id", how="semi")]).unique()
    measured = measured_on_graph(snapshot, filters.period_id, filters.as_of, settings)
    rolled = graph.roll_up(needing, measured, PACED).join(objectives, on="id", how="inner")
    contributing = (
        rows_with_ids(members, _business_below_company(snapshot, filters.period_id))
        .join(period_alignment(snapshot, filters.period_id), on="id", how="inner")
        .filter(pl.col("objective_id").is_not_null())
        .group_by("slot", "objective_id")
        .agg(pl.len().cast(pl.Int64).alias("goals"))
    )
    return (
        with_pace(rolled, snapshot, filters.as_of, settings)
        .join(contributing, left_on=["slot", "id"], right_on=["slot", "objective_id"], how="left")
        .with_columns(pl.col("goals").fill_null(0))
        .filter(pl.col("progress").is_not_null() | (pl.col("goals") > 0))
        .select("slot", pl.col("id").alias("objective_id"), pl.col("title").alias("objective"), "progress",
                "expected", "pace_ratio", "status", "goals")
    )


def pace_heatmap(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, by: str = "region"
) -> pl.DataFrame:
    """Per objective and region (the filtered ones, else all) or team (the `HEATMAP_TEAMS` teams with most in-scope
    goals laddering up to an objective): the objective's progress as carried by that part of the scope, expected,
    pace ratio = progress / expected, status and the number of contributing goals there."""
    carried = None
    if by == "region":
        regions = snapshot.region.sort("name")
        if filters.region_ids:
            regions = regions.filter(pl.col("id").is_in(list(filters.region_ids)))
        columns = regions.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("slot"), pl.col("id").alias("column_id"),
            pl.col("name").alias("column"),
        )
        members = scope_of(snapshot, replace(filters, region_ids=())).members
        slotted = members.join(columns, left_on="region_id", right_on="column_id", how="inner").select("slot", "id")
        if len(filters.region_ids) == 1:  # the one column is the scope itself, whose goal sets are known
            carried = one_slot(scope_of(snapshot, filters).goals.carried)
    elif by == "team":
        members = scope_of(snapshot, filters).members
        columns = top_teams(snapshot, filters, members)
        slotted = members.join(columns, left_on="org_unit_id", right_on="column_id", how="inner").select("slot", "id")
    else:
        raise ValueError(f"unknown heatmap dimension {by!r}")
    if slotted.is_empty():
        return pl.DataFrame(
            schema={"objective_id": pl.Int64, "objective": pl.String, "column_id": pl.Int64, "column": pl.String,
                    "progress": pl.Float64, "expected": pl.Float64, "pace_ratio": pl.Float64, "status": pl.String,
                    "goals": pl.Int64}
        )
    cells = _slot_objectives(snapshot, filters, settings, slotted, carried)
    return (
        cells.join(columns, on="slot", how="inner")
        .select("objective_id", "objective", "column_id", "column", "progress", "expected", "pace_ratio", "status",
                "goals")
        .sort(["objective", "column"])
    )


def top_teams(snapshot: Snapshot, filters: Filters, members: pl.DataFrame, limit: int = HEATMAP_TEAMS) -> pl.DataFrame:
    """(slot, column_id, column): the teams owning most of the scope's in-period business goals that ladder up to an
    objective, most first."""
    related = related_period_ids(snapshot, filters.period_id)
    aligned = (
        members.filter(pl.col("period_id").is_in(related) & (pl.col("kind") == "business"))
        .join(period_alignment(snapshot, filters.period_id), on="id", how="inner")
        .filter(pl.col("objective_id").is_not_null())
    )
    teams = snapshot.org_unit.filter(pl.col("kind") == "team").select(pl.col("id").alias("org_unit_id"), "name")
    return (
        aligned.group_by("org_unit_id")
        .agg(pl.len().alias("goals"))
        .join(teams, on="org_unit_id", how="inner")
        .sort(["goals", "name"], descending=[True, False])
        .head(limit)
        .select(pl.int_range(pl.len(), dtype=pl.Int64).alias("slot"), pl.col("org_unit_id").alias("column_id"),
                pl.col("name").alias("column"))
    )


# --- goals at risk and status counts -------------------------------------------------------------------------------


def _named(snapshot: Snapshot, goals: pl.DataFrame, period_id: int) -> pl.DataFrame:
    """Goals of the period with their owner's name, owning team's name and the objective they ladder up to."""
    objective_titles = snapshot.goal.filter(pl.col("level") == "company").select(
        pl.col("id").alias("objective_id"), pl.col("title").alias("objective")
    )
    return (
        with_names(snapshot, goals)
        .join(period_alignment(snapshot, period_id), on="id", how="left")
        .join(objective_titles, on="objective_id", how="left")
    )


def goals_at_risk(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS,
    limit: int = AT_RISK_LIMIT,
) -> pl.DataFrame:
    """The scope's business goals that are behind or at risk, furthest behind pace first (lowest progress /
    expected), with owner, team and objective, and their forecast (P50 of end-of-period progress, chance of finishing
    on track; blank with too little history); at most `limit` rows."""
    progress = scope_of(snapshot, filters).progress(settings)
    risky = (
        progress.filter(
            pl.col("in_scope") & (pl.col("kind") == "business") & pl.col("status").is_in(["behind", "at risk"])
        )
        .sort(["pace_ratio", "id"])
        .head(limit)
    )
    forecast = goal_forecasts(snapshot, filters, risky["id"], settings).select("id", "p50", "p_on_track")
    return (
        _named(snapshot, risky, filters.period_id)
        .join(forecast, on="id", how="left")
        .with_columns((pl.col("expected") - pl.col("progress")).alias("gap"))
        .select("id", "title", "level", "owner", "team", "objective", "progress", "expected", "pace_ratio",
                "gap", "status", "p50", "p_on_track")
        .sort(["pace_ratio", "id"])
    )


def status_counts(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """How many of the scope's business goals are on track, at risk, behind, not started (their period has not
    begun) and have no data (nothing measured under them)."""
    progress = scope_of(snapshot, filters).progress(settings)
    progress = progress.filter(pl.col("in_scope") & (pl.col("kind") == "business"))
    counts = progress.group_by("status").agg(pl.len().cast(pl.Int64).alias("goals"))
    order = pl.DataFrame({"status": list(STATUSES)})
    return order.join(counts, on="status", how="left").with_columns(pl.col("goals").fill_null(0))


# --- what changed since a date ------------------------------------------------------------------------------------


def default_comparison_date(as_of: date) -> date:
    """The last quarterly review: the first day of the quarter containing the as-of date (the quarter before when
    the as-of date is that first day)."""
    start = date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
    if start < as_of:
        return start
    before = start - timedelta(days=1)
    return date(before.year, 3 * ((before.month - 1) // 3) + 1, 1)


def objective_changes(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS,
    since: date | None = None,
) -> pl.DataFrame:
    """Per objective carried by the scope: progress and status at the comparison date and at the as-of date, and the
    progress delta = progress now - progress then."""
    since = since or default_comparison_date(filters.as_of)
    now = scope_of(snapshot, filters).objectives(settings)
    then = scope_of(snapshot, replace(filters, as_of=since)).progress(settings).select(
        "id", pl.col("progress").alias("progress_then"), pl.col("expected").alias("expected_then"),
        pl.col("status").alias("status_then"),
    )
    return (
        now.join(then, on="id", how="left")
        .with_columns(
            pl.col("status_then").fill_null("no data"),
            (pl.col("progress") - pl.col("progress_then")).alias("delta"),
        )
        .select(pl.col("id").alias("objective_id"), "title", "progress_then", "expected_then", "status_then",
                "progress", "expected", "status", "delta")
        .sort("title")
    )


def status_moves(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS,
    since: date | None = None,
) -> pl.DataFrame:
    """How many of the scope's business goals moved from each status at the comparison date to each status now.
    Goals whose period had not begun before the comparison date are counted as "new"."""
    since = since or default_comparison_date(filters.as_of)
    now = scope_of(snapshot, filters).progress(settings).filter(pl.col("in_scope") & (pl.col("kind") == "business"))
    then = scope_of(snapshot, replace(filters, as_of=since)).progress(settings).select(
        "id", pl.col("status").alias("status_then")
    )
    started = snapshot.period.filter(pl.col("start_date") < since).select(pl.col("id").alias("period_id"))
    return (
        now.join(then, on="id", how="left")
        .with_columns(
            pl.when(pl.col("period_id").is_in(started["period_id"].implode()))
            .then(pl.col("status_then").fill_null("no data"))
            .otherwise(pl.lit("new"))
            .alias("from_status")
        )
        .group_by("from_status", pl.col("status").alias("to_status"))
        .agg(pl.len().cast(pl.Int64).alias("goals"))
        .sort(["from_status", "to_status"])
    )
