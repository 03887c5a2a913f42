"""Phased targets: the expected progress of a key result with milestones, and of the goals measured by such results.

Without milestones a key result's expected progress is the share of its goal's period elapsed at the as-of date (the
as-of day counted: day x of a period of n days expects x / n). With milestones it follows the piecewise-linear path
through the points (0, start value), (x_m, milestone value) for each milestone due on day x_m of the period, and
(n, target value), read at day x and expressed as progress: clamp((path(x) - start) / (target - start), 0, 1).
A goal with key results expects the weighted mean of its key results' expected progress (weights as in its own
progress); only goals with at least one phased key result differ from the calendar's share, so every figure of an
organisation without milestones is unchanged. A goal without key results keeps its period's calendar share.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from queries.model import Snapshot

PHASED_SCHEMA = {"id": pl.Int64, "phased_expected": pl.Float64}


def milestone_points(snapshot: Snapshot) -> pl.DataFrame:
    """Per key result with milestones: its path's points (key_result_id, day x of the period, progress y), with the
    period's start (x = 0, y = 0) and end (x = n, y = 1) included, sorted by (key_result_id, x); memoised."""

    def compute() -> pl.DataFrame:
        milestones = snapshot.key_result_milestone
        schema = {"key_result_id": pl.Int64, "x": pl.Float64, "y": pl.Float64, "days": pl.Float64}
        if milestones.is_empty():
            return pl.DataFrame(schema=schema)
        key_results = snapshot.key_result.join(
            milestones.select(pl.col("key_result_id").alias("id")).unique(), on="id", how="semi"
        ).select(pl.col("id").alias("key_result_id"), "goal_id", "start_value", "target_value")
        periods = _goal_periods(snapshot)
        known = key_results.join(periods, on="goal_id", how="inner")
        inner = milestones.join(known, on="key_result_id", how="inner").select(
            "key_result_id",
            ((pl.col("at") - pl.col("start_date")).dt.total_days() + 1).cast(pl.Float64).alias("x"),
            ((pl.col("value") - pl.col("start_value")) / (pl.col("target_value") - pl.col("start_value"))).alias("y"),
            "days",
        )
        ends = known.select("key_result_id", "days")
        start = ends.select("key_result_id", pl.lit(0.0).alias("x"), pl.lit(0.0).alias("y"), "days")
        end = ends.select("key_result_id", pl.col("days").alias("x"), pl.lit(1.0).alias("y"), "days")
        points = pl.concat([start, inner.filter(pl.col("x").is_between(0, pl.col("days"))), end])
        # A milestone on the period's last day is the target's point; the milestone's value wins.
        return points.unique(["key_result_id", "x"], keep="last", maintain_order=True).sort(["key_result_id", "x"])

    return snapshot.derived("milestone_points", compute)


def _goal_periods(snapshot: Snapshot) -> pl.DataFrame:
    """goal_id, start_date and the period's length in days (`days`) for every goal."""
    return snapshot.goal.select(pl.col("id").alias("goal_id"), "period_id").join(
        snapshot.period.select(pl.col("id").alias("period_id"), "start_date", "end_date"), on="period_id", how="inner"
    ).select(
        "goal_id", "start_date", ((pl.col("end_date") - pl.col("start_date")).dt.total_days() + 1).cast(pl.Float64)
        .alias("days"),
    )


def key_result_expected(snapshot: Snapshot, as_of: date) -> pl.DataFrame:
    """key_result_id, expected: the phased key results' expected progress at `as_of`, path(x) read between the
    points before and after day x = clamp(as_of - period start + 1, 0, n)."""
    points = milestone_points(snapshot)
    if points.is_empty():
        return pl.DataFrame(schema={"key_result_id": pl.Int64, "expected": pl.Float64})
    starts = snapshot.key_result.select(pl.col("id").alias("key_result_id"), "goal_id").join(
        _goal_periods(snapshot), on="goal_id", how="inner"
    ).select("key_result_id", ((pl.lit(as_of) - pl.col("start_date")).dt.total_days() + 1).alias("x_now"))
    at = points.join(starts, on="key_result_id", how="inner").with_columns(
        pl.col("x_now").cast(pl.Float64).clip(0.0, pl.col("days"))
    )
    before, after = pl.col("x") <= pl.col("x_now"), pl.col("x") > pl.col("x_now")
    spans = at.group_by("key_result_id").agg(
        pl.col("x_now").first(),
        pl.col("x").filter(before).last().alias("x0"),
        pl.col("y").filter(before).last().alias("y0"),
        pl.col("x").filter(after).first().alias("x1"),
        pl.col("y").filter(after).first().alias("y1"),
    )
    path = pl.when(pl.col("x1").is_null()).then(pl.col("y0")).otherwise(
        pl.col("y0") + (pl.col("y1") - pl.col("y0")) * (pl.col("x_now") - pl.col("x0")) / (pl.col("x1") - pl.col("x0"))
    )
    return spans.select("key_result_id", path.clip(0.0, 1.0).alias("expected"))


def phased_goal_expected(snapshot: Snapshot, as_of: date) -> pl.DataFrame:
    """id, phased_expected: for the goals with a phased key result, the weighted mean over their key results of
    positive weight of each one's expected progress (the path for phased ones, the calendar's share for the others);
    memoised per as-of date."""

    def compute() -> pl.DataFrame:
        phased = key_result_expected(snapshot, as_of)
        if phased.is_empty():
            return pl.DataFrame(schema=PHASED_SCHEMA)
        phased_goals = snapshot.key_result.join(phased, left_on="id", right_on="key_result_id", how="semi")
        key_results = snapshot.key_result.filter(pl.col("weight") > 0).join(
            phased_goals.select("goal_id").unique(), on="goal_id", how="semi"
        ).join(_goal_periods(snapshot), on="goal_id", how="inner")
        calendar = (((pl.lit(as_of) - pl.col("start_date")).dt.total_days() + 1) / pl.col("days")).clip(0.0, 1.0)
        return (
            key_results.join(phased, left_on="id", right_on="key_result_id", how="left")
            .with_columns(pl.coalesce("expected", calendar).alias("expected"))
            .group_by("goal_id")
            .agg(((pl.col("expected") * pl.col("weight")).sum() / pl.col("weight").sum()).alias("phased_expected"))
            .select(pl.col("goal_id").alias("id"), "phased_expected")
        )

    return snapshot.derived(("phased_expected", as_of), compute)
