"""Will we make it? End-of-period forecasts of key results from their own history, rolled up with honest intervals.

The method, in plain words. Each key result's history inside its goal's period (its start value on the period's
first day, then every update up to the as-of date) is read as a random walk with drift:
- drift = (last value - first value) / days observed, the average change per day;
- daily noise sigma^2 = sum over the increments of (change - drift x days)^2 / days observed, times m / (m - 1)
  for m increments (the spread of the past daily increments around the drift);
- end value = last value + drift x R + sigma x sqrt(R + R^2 / T) x Z, for R days left in the period after the last
  update, T days observed and Z standard normal: the future's own noise (R) plus the uncertainty of the drift
  itself (R^2 / T). This is the large-sample form of resampling the past daily increments, and is chosen because
  updates are sparse and irregular: a trend fit to a handful of points says little more, and resampling a handful of
  increments gives lumpy intervals.
Each sample's value becomes progress = clamp((value - start) / (target - start), 0, 1); the samples go through the
roll-up engine (GoalGraph.roll_up, one slot per sample), so a goal or objective gets the distribution of its
end-of-period progress: P10, P50, P90 and the probability of finishing on track (progress >= on_track_ratio, the
target being the whole of the expectation at the period's end).

Phased key results (milestones, queries/phasing.py) count their days in plan time: day x of the period becomes
n x P(x), P the share of the distance their path expects by day x. The drift is then the pace against the plan, and
the days left are the plan's share left: an owner exactly on a back-loaded plan (10% due by mid-quarter, 10% done)
is forecast to finish, where the calendar's slope would say 20%. Plan time is used once the plan has run at least
MIN_PLAN_SHARE of the period; before that (a flat start) the calendar's days are used.

Limits: each sample's noise is drawn SHARED_SHOCK common to every key result and the rest independent, a fixed
share, so an objective's interval is too narrow when its results move together more than that (one market hurting
every sales result at once) and too wide when they move together less. A path that bends without milestones (a
launch nobody planned as one) is extrapolated from its average slope. A key result needs at least MIN_UPDATES
updates over at least MIN_DAYS days; otherwise it says "too little history" and is left out. A key result whose
period has ended forecasts its final value.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from queries.goal_graph import GoalGraph
from queries.model import Filters, Settings, Snapshot, Viewer
from queries.my_team import team_members
from queries.periods import related_period_ids, year_family_ids
from queries.phasing import milestone_points, plan_days
from queries.rollup import roll_up_arrays, rollup_goals, summed_by_row, update_history
from queries.scope import goal_graph, scope_of

DEFAULT_SETTINGS = Settings()

FORECAST_SAMPLES = 100  # samples per key result; P10/P90 of 100 samples move by about 3 points between seeds
MIN_UPDATES = 2
MIN_DAYS = 14
# A phased key result is forecast in plan time once its plan has run this share of its period (before that, its plan
# time is too short to measure a pace against).
MIN_PLAN_SHARE = 0.05
# Share of each key result's noise that is common to all of them in one sample: results that move together (one
# market, one economy) widen an objective's interval where independent noise would average away.
SHARED_SHOCK = 0.3
SEED = 20260  # fixed, so one snapshot always gives the same figures

PARAMETERS = {
    "key_result_id": pl.Int64, "goal_id": pl.Int64, "weight": pl.Float64, "start_value": pl.Float64,
    "target_value": pl.Float64, "last_value": pl.Float64, "drift": pl.Float64, "noise": pl.Float64,
    "days_observed": pl.Float64, "days_left": pl.Float64, "updates": pl.Int64, "forecastable": pl.Boolean,
}  # fmt: skip


def walk_parameters(
    key_results: pl.DataFrame, updates: pl.DataFrame, periods: pl.DataFrame, as_of: date,
    milestones: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Per key result (with goal_id, weight, start and target, and its period's start_date and end_date): the random
    walk fitted to its history up to `as_of` (see the module's docstring), and whether it may be forecast. With
    `milestones` (points as queries/phasing.py `milestone_points`), a phased key result's days are counted in plan
    time (`plan_days`), so its drift is its pace against its plan and its days left are the plan's share left."""
    frame = key_results.select(
        pl.col("id").alias("key_result_id"), "goal_id", pl.col("weight").cast(pl.Float64), "start_value",
        "target_value",
    ).join(periods, on="goal_id", how="inner")
    seen_until = pl.min_horizontal(pl.lit(as_of), pl.col("end_date"))
    history = updates.join(frame.select("key_result_id", "start_date", "end_date"), on="key_result_id", how="inner")
    history = history.filter((pl.col("at") >= pl.col("start_date")) & (pl.col("at") <= seen_until))
    opening = frame.select("key_result_id", pl.col("start_date").alias("at"), pl.col("start_value").alias("value"),
                           "start_date", "end_date")
    length = (pl.col("end_date") - pl.col("start_date")).dt.total_days().cast(pl.Float64) + 1
    points = pl.concat([opening.with_columns(pl.lit(0, pl.Int8).alias("_order")),
                        history.select(opening.columns).with_columns(pl.lit(1, pl.Int8).alias("_order"))])
    points = plan_days(
        points.with_columns(
            length.alias("n"),
            ((pl.col("at") - pl.col("start_date")).dt.total_days().cast(pl.Float64) + 1).clip(0.0, length).alias("x"),
        ),
        _milestone_points(milestones),
    ).sort("key_result_id", "at", "_order")
    # A phased key result counts its days in plan time once its plan has run MIN_PLAN_SHARE of the period.
    plan_run = (pl.col("plan").last() - pl.col("plan").first()).over("key_result_id")
    in_plan_time = pl.col("plan").is_not_null().all().over("key_result_id") & (
        plan_run >= MIN_PLAN_SHARE * pl.col("n")
    )
    points = points.with_columns(pl.when(in_plan_time).then(pl.col("plan")).otherwise(pl.col("x")).alias("clock"))
    # Increments within each key result: the rows are sorted by key result, so a plain difference is the one within
    # the key result wherever the row above belongs to the same one (a window per key result costs 15x more).
    same = pl.col("key_result_id") == pl.col("key_result_id").shift(1)
    points = points.with_columns(
        pl.when(same).then(pl.col("value").diff()).alias("change"),
        pl.when(same).then(pl.col("clock").diff()).alias("days"),
    )
    fitted = points.group_by("key_result_id").agg(
        pl.col("value").last().alias("last_value"),
        pl.col("n").last().alias("n"),
        pl.col("clock").last().alias("last_clock"),
        (pl.col("_order") == 1).sum().cast(pl.Int64).alias("updates"),
        ((pl.col("at").last() - pl.col("at").first()).dt.total_days()).cast(pl.Float64).alias("calendar_days"),
        (pl.col("clock").last() - pl.col("clock").first()).alias("days_observed"),
        # Sums over the increments, so the noise needs no per-key-result lists (see _noise).
        pl.col("change").count().cast(pl.Int64).alias("increments"),
        (pl.col("change") ** 2).sum().alias("change_squared"),
        (pl.col("change") * pl.col("days")).sum().alias("change_days"),
        (pl.col("days") ** 2).sum().alias("days_squared"),
    )
    drift = (pl.col("last_value") - pl.col("start_value")) / pl.col("days_observed")
    ended = pl.lit(as_of) >= pl.col("end_date")
    return (
        frame.join(fitted, on="key_result_id", how="left")
        .with_columns(pl.when(pl.col("days_observed") > 0).then(drift).otherwise(0.0).alias("drift"))
        .with_columns(_noise().alias("noise"))
        .with_columns(
            pl.when(ended)
            .then(0.0)
            .otherwise(pl.max_horizontal(pl.lit(0.0), pl.col("n") - pl.col("last_clock")))
            .cast(pl.Float64)
            .alias("days_left"),
            pl.col("updates").fill_null(0),
        )
        .with_columns(
            (ended & (pl.col("updates") > 0)
             | (pl.col("updates") >= MIN_UPDATES) & (pl.col("calendar_days") >= MIN_DAYS)).alias("forecastable")
        )
        .select(list(PARAMETERS))
    )


def _milestone_points(milestones: pl.DataFrame | None) -> pl.DataFrame:
    if milestones is None:
        return pl.DataFrame(schema={"key_result_id": pl.Int64, "x": pl.Float64, "y": pl.Float64})
    return milestones


def _noise() -> pl.Expr:
    """sigma = sqrt(sum((change - drift x days)^2) / days observed x m / (m - 1)), 0 with fewer than 2 increments;
    the sum of squares is expanded as sum(change^2) - 2 drift sum(change x days) + drift^2 sum(days^2)."""
    drift, m = pl.col("drift"), pl.col("increments")
    residual = pl.col("change_squared") - 2 * drift * pl.col("change_days") + drift**2 * pl.col("days_squared")
    variance = (residual.clip(lower_bound=0.0) / pl.col("days_observed") * m / (m - 1)).sqrt()
    return pl.when((m > 1) & (pl.col("days_observed") > 0)).then(variance).otherwise(0.0)


def sample_progress(parameters: pl.DataFrame, samples: int = FORECAST_SAMPLES, seed: int = SEED) -> np.ndarray:
    """(key results x samples) end-of-period progress: clamp((last + drift R + noise sqrt(R + R^2/T) Z - start) /
    (target - start), 0, 1)."""
    column = {name: parameters[name].to_numpy(allow_copy=True).astype(float) for name in
              ("last_value", "drift", "noise", "days_left", "days_observed", "start_value", "target_value")}
    left, observed = column["days_left"], np.maximum(column["days_observed"], 1.0)
    spread = column["noise"] * np.sqrt(left + left**2 / observed)
    draws = np.random.Generator(np.random.PCG64(seed))
    shared = draws.standard_normal(samples)  # one shock per sample, common to every key result
    normal = np.sqrt(SHARED_SHOCK) * shared[None, :] + np.sqrt(1 - SHARED_SHOCK) * draws.standard_normal(
        (len(left), samples)
    )
    value = (column["last_value"] + column["drift"] * left)[:, None] + spread[:, None] * normal
    start, target = column["start_value"][:, None], column["target_value"][:, None]
    return np.clip((value - start) / (target - start), 0.0, 1.0)


def period_walks(snapshot: Snapshot, period_id: int, as_of: date) -> pl.DataFrame:
    """The walk parameters of every key result of the period's year at `as_of`; memoised per (year, as-of)."""
    year_id = year_family_ids(snapshot, period_id)[0]

    def compute() -> pl.DataFrame:
        goals = rollup_goals(snapshot, year_id)
        key_results = snapshot.key_result.join(goals.select("id"), left_on="goal_id", right_on="id", how="semi")
        periods = goals.select(pl.col("id").alias("goal_id"), "period_id").join(
            snapshot.period.select(pl.col("id").alias("period_id"), "start_date", "end_date"), on="period_id"
        ).drop("period_id")
        return walk_parameters(key_results, update_history(snapshot), periods, as_of, milestone_points(snapshot))

    return snapshot.derived(("forecast_walks", year_id, as_of), compute)


class OwnSamples:
    """The sampled own progress (goals x samples) of every goal with key results that a roll-up of objectives can
    read (objectives and the goals feeding a goal without key results); a goal with no key result to forecast has
    none. Rows follow `goal_ids` (sorted)."""

    def __init__(self, walks: pl.DataFrame, samples: int = FORECAST_SAMPLES) -> None:
        self.samples = samples
        if walks.is_empty():
            self.goal_ids, self.progress = np.zeros(0, dtype=np.int64), np.zeros((0, samples))
            return
        progress = sample_progress(walks, samples)
        self.goal_ids, at = np.unique(walks["goal_id"].to_numpy(), return_inverse=True)
        weight = walks["weight"].to_numpy(allow_copy=True).astype(float)
        total = np.bincount(at, weights=weight, minlength=self.goal_ids.size)
        self.progress = summed_by_row(at, progress * weight[:, None], self.goal_ids.size) / total[:, None]

    @classmethod
    def of(cls, goal_ids: np.ndarray, values: np.ndarray) -> OwnSamples:
        """Given per-goal values (goals x samples), goal ids sorted."""
        made = cls.__new__(cls)
        made.goal_ids, made.progress, made.samples = goal_ids, values, values.shape[1]
        return made

    def rows(self, goal_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The row of each of `goal_ids` and whether it has one."""
        at = np.searchsorted(self.goal_ids, goal_ids)
        found = at < self.goal_ids.size
        found[found] = self.goal_ids[at[found]] == goal_ids[found]
        return np.where(found, at, 0), found


def own_samples(snapshot: Snapshot, period_id: int, as_of: date) -> OwnSamples:
    """The year's OwnSamples at `as_of`; memoised per (year, as-of)."""
    year_id = year_family_ids(snapshot, period_id)[0]

    def compute() -> OwnSamples:
        readable = _readable_goals(snapshot, year_id).implode()
        walks = period_walks(snapshot, period_id, as_of).filter(
            pl.col("goal_id").is_in(readable) & pl.col("forecastable") & (pl.col("weight") > 0)
        )
        return OwnSamples(walks)

    return snapshot.derived(("forecast_own_samples", year_id, as_of), compute)


def rolled_samples(
    graph: GoalGraph, needing: pl.Series, own: OwnSamples, wanted: pl.Series | None = None
) -> pl.DataFrame:
    """(slot, id, progress) of the goals of `wanted` (default: every goal of `needing`, a scope's goals needing a
    roll-up with its objectives), one slot per sample, rolled up over `needing` by the roll-up engine with one
    progress column per sample (`roll_up_arrays`: each column rolled up as if on its own).

    Goals with key results are leaves: their samples are their own progress. Each goal without key results reads its
    leaf children through one stand-in node (id + offset) whose progress is their weighted mean and whose edge weighs
    their total weight, which is the engine's own first step done at once for every sample; the graph the engine
    walks is then the goals without key results only, whatever the number of leaves."""
    samples = own.samples
    wanted_ids = needing.to_numpy() if wanted is None else wanted.to_numpy()
    at = np.searchsorted(graph.ids, needing.to_numpy())
    inside = at < graph.size
    inside[inside] = graph.ids[at[inside]] == needing.to_numpy()[inside]
    in_needing = np.zeros(graph.size, dtype=bool)
    in_needing[at[inside]] = True
    ids = graph.ids[in_needing]
    unmeasured = graph.unmeasured[in_needing]
    among_needing = in_needing[graph.edge_child] & in_needing[graph.edge_parent]
    child_at, parent_at = graph.edge_child[among_needing], graph.edge_parent[among_needing]
    child, parent = graph.ids[child_at], graph.ids[parent_at]
    weight = np.nan_to_num(graph.edge_weight[among_needing].astype(float))
    child_unmeasured, parent_unmeasured = graph.unmeasured[child_at], graph.unmeasured[parent_at]
    leaf = ~child_unmeasured & parent_unmeasured
    rows, found = own.rows(child[leaf])
    stand_in_parent, leaf_weight = parent[leaf][found], weight[leaf][found]
    groups, group_at = np.unique(stand_in_parent, return_inverse=True)
    total = np.bincount(group_at, weights=leaf_weight, minlength=groups.size)
    summed = summed_by_row(group_at, own.progress[rows[found]] * leaf_weight[:, None], groups.size)
    kept = total > 0
    offset = int(graph.ids.max()) + 1 if graph.size else 1
    stand_ins = groups[kept] + offset
    among = child_unmeasured & parent_unmeasured
    nodes = np.concatenate([ids[unmeasured], stand_ins])
    own_progress = np.full((nodes.size, samples), np.nan)
    own_progress[unmeasured.sum():] = summed[kept] / total[kept][:, None]
    progress, _ = roll_up_arrays(
        nodes, np.concatenate([child[among], stand_ins]), np.concatenate([parent[among], groups[kept]]),
        np.concatenate([weight[among], total[kept]]), own_progress, np.arange(nodes.size) >= unmeasured.sum(),
    )  # fmt: skip
    picked = np.isin(nodes, wanted_ids)
    rolled_ids, rolled_progress = nodes[picked], progress[picked]
    leaves = ids[~unmeasured]
    leaves = leaves[np.isin(leaves, wanted_ids)]
    leaf_rows, leaf_found = own.rows(leaves)
    leaf_progress = np.full((leaves.size, samples), np.nan)
    leaf_progress[leaf_found] = own.progress[leaf_rows[leaf_found]]
    goal_ids = np.concatenate([rolled_ids, leaves])
    progress = np.concatenate([rolled_progress, leaf_progress])
    return pl.DataFrame(
        {"slot": np.tile(np.arange(samples, dtype=np.int64), goal_ids.size), "id": np.repeat(goal_ids, samples),
         "progress": pl.Series(progress.ravel(), dtype=pl.Float64, nan_to_null=True)},
        schema={"slot": pl.Int64, "id": pl.Int64, "progress": pl.Float64},
    )  # fmt: skip


def _readable_goals(snapshot: Snapshot, period_id: int) -> pl.Series:
    """Goals with key results whose own figure a roll-up of objectives can read: objectives, and the goals feeding
    a goal without key results."""
    graph = goal_graph(snapshot, period_id)
    feeding = graph.edges.join(graph.without_key_results.to_frame("parent"), on="parent", how="semi")["child"]
    return pl.concat([feeding, graph.goals.filter(pl.col("level") == "company")["id"]]).unique()


def owner_confidence(snapshot: Snapshot, period_id: int, as_of: date) -> OwnSamples:
    """Per readable goal, the weighted mean of its key results' latest owner confidence on or before `as_of` (key
    results never rated left out), as one sample; memoised per (year, as-of)."""
    year_id = year_family_ids(snapshot, period_id)[0]

    def compute() -> OwnSamples:
        readable = _readable_goals(snapshot, period_id).implode()
        key_results = snapshot.key_result.filter(pl.col("goal_id").is_in(readable) & (pl.col("weight") > 0))
        latest = (
            snapshot.progress_update.filter((pl.col("at") <= as_of) & pl.col("confidence").is_not_null())
            .join(key_results.select(pl.col("id").alias("key_result_id")), on="key_result_id", how="semi")
            .sort("key_result_id", "at")
            .group_by("key_result_id")
            .agg(pl.col("confidence").last())
        )
        goals = (
            key_results.join(latest, left_on="id", right_on="key_result_id", how="inner")
            .group_by("goal_id")
            .agg(((pl.col("confidence") * pl.col("weight")).sum() / pl.col("weight").sum()).alias("confidence"))
            .sort("goal_id")
        )
        return OwnSamples.of(goals["goal_id"].to_numpy(), goals["confidence"].to_numpy().reshape(-1, 1))

    return snapshot.derived(("owner_confidence", year_id, as_of), compute)


def summarise(samples: pl.DataFrame, settings: Settings, key: str = "id") -> pl.DataFrame:
    """Per `key`: P10, P50, P90 of the sampled end-of-period progress and P(on track) = share of samples at or above
    on_track_ratio."""
    return samples.filter(pl.col("progress").is_not_null()).group_by(key).agg(
        pl.col("progress").quantile(0.1, "linear").alias("p10"),
        pl.col("progress").quantile(0.5, "linear").alias("p50"),
        pl.col("progress").quantile(0.9, "linear").alias("p90"),
        (pl.col("progress") >= settings.on_track_ratio).mean().alias("p_on_track"),
    )


def objective_forecast(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Per objective the scope carries: progress now, expected now, its end-of-period forecast as carried by the scope
    (P10, P50, P90 of progress; P(on track) = share of samples >= on_track_ratio), rolled up per sample, and the
    owners' confidence beside it (their latest confidence per key result, rolled up the same way)."""
    scope = scope_of(snapshot, filters)
    objectives = scope.objectives(settings).select("id", "title", "progress", "expected", "status")
    schema = {"id": pl.Int64, "title": pl.String, "progress": pl.Float64, "expected": pl.Float64,
              "status": pl.String, "p10": pl.Float64, "p50": pl.Float64, "p90": pl.Float64,
              "p_on_track": pl.Float64, "confidence": pl.Float64}
    if objectives.is_empty():
        return pl.DataFrame(schema=schema)

    def compute() -> pl.DataFrame:
        own = own_samples(snapshot, filters.period_id, filters.as_of)
        needing = pl.concat([scope.goals.needing_roll_up, objectives["id"]]).unique()
        forecast = summarise(rolled_samples(scope.graph, needing, own, objectives["id"]), settings)
        confidence = rolled_samples(
            scope.graph, needing, owner_confidence(snapshot, filters.period_id, filters.as_of), objectives["id"]
        ).select("id", pl.col("progress").alias("confidence"))
        return forecast.join(confidence, on="id", how="full", coalesce=True)

    summary = snapshot.derived(("objective_forecast", filters, settings), compute)
    return objectives.join(summary, on="id", how="left").select(list(schema)).sort("title")


def forecast_coverage(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """One row: the key results of the scope's goals of the period (positive weight), how many can be forecast, and
    how many have too little history (fewer than MIN_UPDATES updates over MIN_DAYS days) and are left out."""
    scope = scope_of(snapshot, filters)
    goals = scope.members.filter(pl.col("period_id").is_in(related_period_ids(snapshot, filters.period_id)))
    walks = period_walks(snapshot, filters.period_id, filters.as_of).filter(
        pl.col("goal_id").is_in(goals["id"].implode()) & (pl.col("weight") > 0)
    )
    return walks.select(
        pl.len().cast(pl.Int64).alias("key_results"),
        pl.col("forecastable").sum().cast(pl.Int64).alias("forecast"),
        (~pl.col("forecastable")).sum().cast(pl.Int64).alias("too_little_history"),
    )


def people_forecast(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, subtree: bool = False
) -> pl.DataFrame:
    """Per member of the viewer's team (queries/my_team.py `team_members`): of their business goals of the period
    in scope, how many can be forecast, the mean of their P50s and the mean chance of finishing on track (share of a
    goal's samples >= on_track_ratio), and how many have too little history."""
    schema = {"id": pl.Int64, "forecast_goals": pl.Int64, "forecast_p50": pl.Float64,
              "chance_on_track": pl.Float64, "unforecast_goals": pl.Int64}
    members = team_members(snapshot, viewer, subtree=subtree)
    related = related_period_ids(snapshot, filters.period_id)
    goals = scope_of(snapshot, filters).members.filter(
        pl.col("owner_employee_id").is_in(members.implode()) & pl.col("period_id").is_in(related)
        & (pl.col("kind") == "business")
    ).select("id", "owner_employee_id")
    if goals.is_empty():
        return pl.DataFrame(schema=schema)
    walks = period_walks(snapshot, filters.period_id, filters.as_of).filter(
        pl.col("goal_id").is_in(goals["id"].implode()) & (pl.col("weight") > 0)
    )
    own = OwnSamples(walks.filter(pl.col("forecastable")))
    per_goal = pl.DataFrame(
        {"id": own.goal_ids, "p50": np.median(own.progress, axis=1) if own.goal_ids.size else [],
         "chance": (own.progress >= settings.on_track_ratio).mean(axis=1) if own.goal_ids.size else []},
        schema={"id": pl.Int64, "p50": pl.Float64, "chance": pl.Float64},
    )
    measured = walks.select("goal_id").unique().rename({"goal_id": "id"})
    return (
        goals.join(measured, on="id", how="semi")
        .join(per_goal, on="id", how="left")
        .group_by(pl.col("owner_employee_id").alias("id"))
        .agg(
            pl.col("p50").is_not_null().sum().cast(pl.Int64).alias("forecast_goals"),
            pl.col("p50").mean().alias("forecast_p50"),
            pl.col("chance").mean().alias("chance_on_track"),
            pl.col("p50").is_null().sum().cast(pl.Int64).alias("unforecast_goals"),
        )
        .select(list(schema))
    )


def goal_forecasts(snapshot: Snapshot, filters: Filters, goal_ids: pl.Series, settings: Settings) -> pl.DataFrame:
    """id, p10, p50, p90, p_on_track of the end-of-period progress of the given goals with key results that can be
    forecast (their own key results' samples; goals without any are left out)."""
    walks = period_walks(snapshot, filters.period_id, filters.as_of).filter(
        pl.col("goal_id").is_in(goal_ids.implode()) & pl.col("forecastable") & (pl.col("weight") > 0)
    )
    own = OwnSamples(walks)
    samples = pl.DataFrame(
        {"id": np.repeat(own.goal_ids, own.samples), "progress": own.progress.ravel()},
        schema={"id": pl.Int64, "progress": pl.Float64},
    )
    return summarise(samples, settings)
