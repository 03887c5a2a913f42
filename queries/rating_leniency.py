"""Rater leniency: each manager's mean rating against the organisation's, as a z-score inside funnel limits.

Managers are groups of the scope's manager grouping, protected with every other view (queries/ratings.py):
only managers shown there appear here, and the funnel shows no pooled row.
"""

from __future__ import annotations

import polars as pl

from queries import stats
from queries.model import Filters, Settings, Snapshot, Viewer
from queries.ratings import BASES, DEFAULT_SETTINGS, OTHER, _pooled, _reviewer_labels, _reviewer_units, cycle_ratings


def leniency_reference(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *,
    cycle_id: int, basis: str = "pre",
) -> pl.DataFrame:
    """The organisation's mean and standard deviation (n - 1) of the cycle's ratings, over everyone the viewer
    may see whatever the filters: the yardstick every rater is held against."""
    ratings = cycle_ratings(snapshot, cycle_id)
    if ratings.height < settings.min_group_size:
        return pl.DataFrame(schema={"n": pl.Int64, "mean": pl.Float64, "sd": pl.Float64})
    column = pl.col(BASES[basis])
    return ratings.select(
        pl.len().cast(pl.Int64).alias("n"), column.mean().alias("mean"), column.std().alias("sd")
    )


def rater_leniency(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *,
    cycle_id: int, basis: str = "pre",
) -> pl.DataFrame:
    """Per reviewer of people in scope: n, mean rating, z = (mean - org mean) / (org SD / sqrt(n)); flagged
    "outlier" beyond 3 standard errors, "watch" beyond 1.96 (the funnel plot's limits)."""
    schema = {"group_id": pl.String, "group": pl.String, "n": pl.Int64, "mean": pl.Float64, "z": pl.Float64,
              "flag": pl.String, "team": pl.String}
    reference = leniency_reference(snapshot, filters, viewer, settings, cycle_id=cycle_id, basis=basis)
    grouped, _ = _pooled(snapshot, filters, viewer, settings, cycle_id, "manager")
    grouped = grouped.filter(pl.col("group_id") != OTHER)
    if reference.is_empty() or grouped.is_empty() or not reference["sd"][0]:
        return pl.DataFrame(schema=schema)
    mean, sd = reference["mean"][0], reference["sd"][0]
    z = (pl.col("mean") - mean) / (sd / pl.col("n").sqrt())
    return (
        grouped.group_by("group_id")
        .agg(pl.len().cast(pl.Int64).alias("n"), pl.col(BASES[basis]).mean().alias("mean"))
        .with_columns(z.alias("z"))
        .with_columns(
            pl.when(pl.col("z").abs() > stats.Z_3SIGMA).then(pl.lit("outlier"))
            .when(pl.col("z").abs() > stats.Z_95).then(pl.lit("watch"))
            .otherwise(pl.lit("within")).alias("flag")
        )
        .join(_reviewer_labels(snapshot), on="group_id", how="left")
        .join(_reviewer_units(snapshot), on="group_id", how="left")
        .select(list(schema))
        .sort(pl.col("z").abs(), descending=True)
    )


def leniency_funnel(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *,
    cycle_id: int, basis: str = "pre",
) -> pl.DataFrame:
    """The funnel plot's marks: flagged raters one by one, the others pooled per (n, mean to 0.1), so the chart
    stays a few hundred marks at any scale."""
    raters = rater_leniency(snapshot, filters, viewer, settings, cycle_id=cycle_id, basis=basis)
    flagged = raters.filter(pl.col("flag") != "within").select(
        "n", "mean", "z", "flag", pl.col("group").alias("label"), pl.lit(1, pl.Int64).alias("raters")
    )
    within = (
        raters.filter(pl.col("flag") == "within")
        .with_columns(pl.col("mean").round(1))
        .group_by("n", "mean")
        .agg(pl.len().cast(pl.Int64).alias("raters"), pl.col("z").mean().alias("z"), pl.col("group").first())
        .select(
            "n", "mean", "z", pl.lit("within").alias("flag"),
            pl.when(pl.col("raters") == 1).then(pl.col("group"))
            .otherwise(pl.format("{} raters", "raters")).alias("label"),
            "raters",
        )
    )
    return pl.concat([within, flagged]).sort("n", "mean")


def funnel_limits(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, *,
    cycle_id: int, basis: str = "pre", max_n: int = 30,
) -> pl.DataFrame:
    """Control limits per team size n: org mean -/+ 1.96 SD / sqrt(n) (95 %) and -/+ 3 SD / sqrt(n)."""
    reference = leniency_reference(snapshot, filters, viewer, settings, cycle_id=cycle_id, basis=basis)
    if reference.is_empty() or not reference["sd"][0]:
        return pl.DataFrame(schema={"n": pl.Int64, "mean": pl.Float64, "low95": pl.Float64, "high95": pl.Float64,
                                    "low3": pl.Float64, "high3": pl.Float64})
    mean, sd = reference["mean"][0], reference["sd"][0]
    rows = []
    for n in range(settings.min_group_size, max(max_n, settings.min_group_size) + 1):
        low95, high95 = stats.funnel_limits(n, mean, sd, stats.Z_95)
        low3, high3 = stats.funnel_limits(n, mean, sd, stats.Z_3SIGMA)
        rows.append({"n": n, "mean": mean, "low95": low95, "high95": high95, "low3": low3, "high3": high3})
    return pl.DataFrame(rows)

