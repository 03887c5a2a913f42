"""How far to trust the forecasts: each past quarter forecast from its middle, and the owners' confidence, against
what happened.

For every quarter that ended before the as-of date (the last BACKTEST_QUARTERS of them), every business goal with
key results of that quarter is forecast as it would have been on the quarter's middle day (its key results'
history up to that day only; queries/forecast.py): its chance of finishing on track. What happened: its own
progress on the quarter's last day reached on_track_ratio or not. The owners' confidence at the same day (their
latest per key result, averaged per goal with the key results' weights) is scored the same way.

- Brier score = mean over goals of (chance - outcome)^2, outcome 1 when on track: 0 is perfect, 0.25 is what always
  saying 50% scores;
- calibration = per band of predicted chance (0-10%, ..., 90-100%): the mean predicted chance against the share of
  goals that finished on track; a calibrated forecast lies on the diagonal.
By team and by region, only groups of at least max(min_group_size, BACKTEST_MIN_GOALS) goals are shown: fewer goals
say too little about a forecast's quality, and the privacy floor holds as everywhere.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl

from queries.forecast import OwnSamples, walk_parameters
from queries.model import Filters, Settings, Snapshot, Viewer
from queries.phasing import milestone_points
from queries.rollup import key_result_progress, update_history
from queries.scope import goal_region, scope_of

DEFAULT_SETTINGS = Settings()

BACKTEST_QUARTERS = 4
BACKTEST_MIN_GOALS = 20
BANDS = 10

SCORED = {"id": pl.Int64, "period": pl.String, "org_unit_id": pl.Int64, "region_id": pl.Int64,
          "chance": pl.Float64, "confidence": pl.Float64, "on_track": pl.Float64}  # fmt: skip


def past_quarters(snapshot: Snapshot, filters: Filters) -> pl.DataFrame:
    """The last BACKTEST_QUARTERS quarters that ended before the as-of date: id, name, start_date, end_date."""
    return (
        snapshot.period.filter((pl.col("kind") == "quarter") & (pl.col("end_date") < filters.as_of))
        .sort("end_date")
        .tail(BACKTEST_QUARTERS)
        .select("id", "name", "start_date", "end_date")
    )


def quarter_backtest(snapshot: Snapshot, quarter: dict, settings: Settings) -> pl.DataFrame:
    """Per business goal with key results of the quarter: the forecast chance of finishing on track made on its middle
    day, the owners' confidence on that day, and whether it finished on track (1.0 or 0.0); memoised per quarter."""

    def compute() -> pl.DataFrame:
        middle = quarter["start_date"] + timedelta(days=(quarter["end_date"] - quarter["start_date"]).days // 2)
        goals = snapshot.goal.filter(
            (pl.col("period_id") == quarter["id"]) & ~pl.col("archived") & (pl.col("kind") == "business")
        )
        key_results = snapshot.key_result.filter(pl.col("weight") > 0).join(
            goals.select(pl.col("id").alias("goal_id")), on="goal_id", how="semi"
        )
        if key_results.is_empty():
            return pl.DataFrame(schema=SCORED)
        periods = goals.select(
            pl.col("id").alias("goal_id"), pl.lit(quarter["start_date"]).alias("start_date"),
            pl.lit(quarter["end_date"]).alias("end_date"),
        )
        history = update_history(snapshot)
        walks = walk_parameters(key_results, history, periods, middle, milestone_points(snapshot)).filter(
            pl.col("forecastable")
        )
        own = OwnSamples(walks)
        chance = pl.DataFrame(
            {"id": own.goal_ids, "chance": (own.progress >= settings.on_track_ratio).mean(axis=1)},
            schema={"id": pl.Int64, "chance": pl.Float64},
        )
        final = key_result_progress(key_results, history, quarter["end_date"], history_sorted=True)
        outcome = final.group_by(pl.col("goal_id").alias("id")).agg(
            ((pl.col("progress").fill_null(0.0) * pl.col("weight")).sum() / pl.col("weight").sum() >=
             settings.on_track_ratio).cast(pl.Float64).alias("on_track")
        )
        return (
            goal_region(snapshot, goals)
            .select("id", "org_unit_id", "region_id", pl.lit(quarter["name"]).alias("period"))
            .join(chance, on="id", how="inner")
            .join(outcome, on="id", how="inner")
            .join(_confidence(snapshot, key_results, middle), on="id", how="left")
            .select(list(SCORED))
        )

    return snapshot.derived(("forecast_backtest", quarter["id"], settings), compute)


def _confidence(snapshot: Snapshot, key_results: pl.DataFrame, day) -> pl.DataFrame:
    """id, confidence: per goal, the weighted mean of its key results' latest confidence on or before `day`."""
    latest = (
        snapshot.progress_update.filter((pl.col("at") <= day) & pl.col("confidence").is_not_null())
        .join(key_results.select(pl.col("id").alias("key_result_id")), on="key_result_id", how="semi")
        .sort("key_result_id", "at")
        .group_by("key_result_id")
        .agg(pl.col("confidence").last())
    )
    return (
        key_results.join(latest, left_on="id", right_on="key_result_id", how="inner")
        .group_by(pl.col("goal_id").alias("id"))
        .agg(((pl.col("confidence") * pl.col("weight")).sum() / pl.col("weight").sum()).alias("confidence"))
    )


def scored_goals(snapshot: Snapshot, filters: Filters, settings: Settings) -> pl.DataFrame:
    """The backtest's goals of the past quarters that lie in the scope (team subtree, regions)."""
    scope = scope_of(snapshot, filters)
    quarters = past_quarters(snapshot, filters).to_dicts()
    if not quarters:
        return pl.DataFrame(schema=SCORED)
    return scope.narrow(pl.concat([quarter_backtest(snapshot, quarter, settings) for quarter in quarters]))


def calibration(scored: pl.DataFrame, column: str) -> pl.DataFrame:
    """Per band of `column` (tenths): the mean predicted chance, the share that finished on track, and the goals."""
    band = (pl.col(column) * BANDS).floor().clip(0, BANDS - 1).cast(pl.Int64)
    return (
        scored.filter(pl.col(column).is_not_null())
        .group_by(band.alias("band"))
        .agg(
            pl.col(column).mean().alias("predicted"),
            pl.col("on_track").mean().alias("observed"),
            pl.len().cast(pl.Int64).alias("goals"),
        )
        .sort("band")
    )


def brier(scored: pl.DataFrame, column: str) -> float | None:
    """Mean of (predicted chance - outcome)^2 over the goals with a prediction."""
    known = scored.filter(pl.col(column).is_not_null())
    return None if known.is_empty() else float(((known[column] - known["on_track"]) ** 2).mean())


def forecast_calibration(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Per source (the forecast, the owners' confidence) and band of predicted chance: mean predicted chance, share
    of goals that finished on track, goals; bands of fewer than max(min_group_size, BACKTEST_MIN_GOALS) goals left
    out."""
    scored = scored_goals(snapshot, filters, settings)
    floor = max(settings.min_group_size, BACKTEST_MIN_GOALS)
    parts = [
        calibration(scored, column).with_columns(pl.lit(label).alias("source"))
        for column, label in (("chance", "Forecast"), ("confidence", "Owners' confidence"))
    ]
    return pl.concat(parts).filter(pl.col("goals") >= floor).select("source", "band", "predicted", "observed", "goals")


def forecast_skill(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, by: str | None = None
) -> pl.DataFrame:
    """Per group (everyone, or each region or team with at least max(min_group_size, BACKTEST_MIN_GOALS) goals):
    goals, the share that finished on track, the forecast's mean chance and Brier score, the owners' mean confidence
    and Brier score, and how often the owners' confident calls (confidence 70-90%, about 80%) came true."""
    scored = scored_goals(snapshot, filters, settings)
    if by == "region":
        names = snapshot.region.select(pl.col("id").alias("region_id"), pl.col("name").alias("group"))
        scored = scored.join(names, on="region_id", how="inner")
    elif by == "team":
        names = snapshot.org_unit.select(pl.col("id").alias("org_unit_id"), pl.col("name").alias("group"))
        scored = scored.join(names, on="org_unit_id", how="inner")
    elif by is None:
        scored = scored.with_columns(pl.lit("Everyone in scope").alias("group"))
    else:
        raise ValueError(f"unknown grouping {by!r}")
    confident = pl.col("confidence").is_between(0.7, 0.9)
    squared = {c: (pl.col(c) - pl.col("on_track")) ** 2 for c in ("chance", "confidence")}
    floor = max(settings.min_group_size, BACKTEST_MIN_GOALS)
    return (
        scored.group_by("group")
        .agg(
            pl.len().cast(pl.Int64).alias("goals"),
            pl.col("on_track").mean().alias("finished_on_track"),
            pl.col("chance").mean().alias("forecast_chance"),
            squared["chance"].mean().alias("forecast_brier"),
            pl.col("confidence").mean().alias("owner_confidence"),
            squared["confidence"].mean().alias("confidence_brier"),
            confident.sum().cast(pl.Int64).alias("confident_goals"),
            pl.col("on_track").filter(confident).mean().alias("confident_came_true"),
        )
        .with_columns(
            pl.when(pl.col("confident_goals") >= floor).then(pl.col("confident_came_true")).alias("confident_came_true")
        )
        .filter(pl.col("goals") >= floor)
        .sort("goals", "group", descending=[True, False])
    )


def simulated_calibration(chances: np.ndarray, outcomes: np.ndarray) -> pl.DataFrame:
    """calibration() of given chances and 0/1 outcomes (for checking the computation on known probabilities)."""
    return calibration(pl.DataFrame({"chance": chances, "on_track": outcomes.astype(float)}), "chance")
