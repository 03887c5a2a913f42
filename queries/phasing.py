"""Phased targets: the expected progress of a key result with milestones, and of the goals measured by such results.

Without milestones a key result's expected progress is the share of its goal's period elapsed at the as-of date (the
as-of day counted: day x of a period of n days expects x / n). With milestones it follows the piecewise-linear path
through the points (0, start value), (x_m, milestone value) for each milestone due on day x_m of the period, and
(n, target value), read at day x and expressed as progress: clamp((path(x) - start) / (target - start), 0, 1).
A goal with key results expects the weighted mean of its key results' expected progress (weights as in its own
progress). Its *phase gap* is that expectation minus its period's calendar share: how far its plan is behind (< 0,
back-loaded) or ahead of (> 0, front-loaded) a straight line today.

A goal without key results expects its own period's calendar share plus the weighted mean of the phase gaps of the
goals it takes its progress from (clamped to 0..1): the gaps are rolled up by the roll-up engine beside the progress,
with the same weights and over the same children (a child with nothing measured counts for neither), so a company
objective follows the milestones of the key results beneath it, and in a filtered scope or a heatmap column it
follows those of the scope's own goals. Only goals with a phased key result beneath them differ from the calendar's
share, so every figure of an organisation without milestones is unchanged.

Worked example (tests/test_phasing.py): on 15 Nov a team goal whose plan expects 0.385 where the quarter's calendar
says 0.5 has a gap of -0.115; its parent, a yearly goal fed by it and two goals without phased key results, expects
319/365 + (-0.115 + 0 + 0) / 3 = 0.8356 instead of 0.8740.
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
        # A milestone on the day before the period (x = 0) replaces the start's point; one on its last day gives way to
        # the target's point, which ends every path.
        return points.unique(["key_result_id", "x"], keep="last", maintain_order=True).sort(["key_result_id", "x"])

    return snapshot.derived("milestone_points", compute)


def _goal_periods(snapshot: Snapshot) -> pl.DataFrame:
    """goal_id, start_date and the period's length in days (`days`) for every goal; memoised."""

    def compute() -> pl.DataFrame:
        return snapshot.goal.select(pl.col("id").alias("goal_id"), "period_id").join(
            snapshot.period.select(pl.col("id").alias("period_id"), "start_date", "end_date"), on="period_id",
            how="inner",
        ).select(
            "goal_id", "start_date", ((pl.col("end_date") - pl.col("start_date")).dt.total_days() + 1)
            .cast(pl.Float64).alias("days"),
        )  # fmt: skip

    return snapshot.derived("goal_periods", compute)


def _phase_inputs(snapshot: Snapshot) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """What every as-of date's phased figures start from, found once per snapshot: the phased key results with
    their period (key_result_id, start_date, days, sorted by key_result_id); their path's points sorted by x, as
    the start (x0, y0) and end (x1, y1) of a span; and the key results of positive weight of the goals that have a
    phased one (goal_id, key_result_id, weight, start_date, days)."""

    def compute() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        points = milestone_points(snapshot)
        phased = (
            snapshot.key_result.select(pl.col("id").alias("key_result_id"), "goal_id")
            .join(points.select("key_result_id").unique(), on="key_result_id", how="semi")
            .join(_goal_periods(snapshot), on="goal_id", how="inner")
        )
        goals = phased.select("goal_id").unique()
        weights = (
            snapshot.key_result.filter(pl.col("weight") > 0)
            .select("goal_id", pl.col("id").alias("key_result_id"), "weight")
            .join(goals, on="goal_id", how="semi")
            .join(_goal_periods(snapshot), on="goal_id", how="inner")
        )
        path = points.select("key_result_id", "x", "y").sort("x")
        return (
            phased.select("key_result_id", "start_date", "days").sort("key_result_id"),
            path.rename({"x": "x0", "y": "y0"}),
            path.rename({"x": "x1", "y": "y1"}),
            weights,
        )

    return snapshot.derived("phase_inputs", compute)


def _day(as_of: date) -> pl.Expr:
    """Day x of the period (`start_date`, `days`) at `as_of` in the as-of-day convention, clamped to 0..n."""
    return ((pl.lit(as_of) - pl.col("start_date")).dt.total_days() + 1).cast(pl.Float64).clip(0.0, pl.col("days"))


def _path_at(phased: pl.DataFrame, starts: pl.DataFrame, ends: pl.DataFrame) -> pl.DataFrame:
    """key_result_id, expected: each phased key result's path read at its day `x_now`, between the last point at or
    before it (the start's x = 0 always is one) and the first at or after it."""
    spans = phased.select("key_result_id", "x_now").sort("x_now")
    spans = spans.join_asof(starts, left_on="x_now", right_on="x0", by="key_result_id", strategy="backward",
                            check_sortedness=False)  # fmt: skip
    spans = spans.join_asof(ends, left_on="x_now", right_on="x1", by="key_result_id", strategy="forward",
                            check_sortedness=False)  # fmt: skip
    path = (
        pl.when(pl.col("x1").is_null() | (pl.col("x1") == pl.col("x0"))).then(pl.col("y0"))
        .otherwise(pl.col("y0") + (pl.col("y1") - pl.col("y0")) * (pl.col("x_now") - pl.col("x0"))
                   / (pl.col("x1") - pl.col("x0")))
    )  # fmt: skip
    return spans.select("key_result_id", path.clip(0.0, 1.0).alias("expected")).sort("key_result_id")


def _goals_at(weights: pl.DataFrame, expected: pl.DataFrame) -> pl.DataFrame:
    """id, phased_expected, phase_gap, start_date, days: per goal of `weights` (its key results of positive weight,
    each with the goal's day `x_now`), the weighted mean of its key results' expected progress (the path for phased
    ones, the calendar's share x / n for the others), and that minus the calendar's share."""
    calendar = pl.col("x_now") / pl.col("days")
    return (
        weights.join(expected, on="key_result_id", how="left")
        .with_columns(pl.coalesce("expected", calendar).alias("expected"))
        .group_by("goal_id")
        .agg(
            ((pl.col("expected") * pl.col("weight")).sum() / pl.col("weight").sum()).alias("phased_expected"),
            calendar.first().alias("calendar"),
            pl.col("start_date").first(),
            pl.col("days").first(),
        )
        .select(pl.col("goal_id").alias("id"), "phased_expected",
                (pl.col("phased_expected") - pl.col("calendar")).alias("phase_gap"), "start_date", "days")
    )  # fmt: skip


def _by_period(snapshot: Snapshot) -> dict[tuple[date, int], tuple[pl.DataFrame, ...]]:
    """`_phase_inputs` split by period (its start and length in days): a date moves the figures of the periods
    under way on it only, usually a quarter and its year."""

    def compute() -> dict[tuple[date, int], tuple[pl.DataFrame, ...]]:
        phased, starts, ends, weights = _phase_inputs(snapshot)
        period = phased.select("key_result_id", "start_date", "days")
        parts: dict[tuple[date, int], list[pl.DataFrame]] = {}
        frames = (phased, starts.join(period, on="key_result_id"), ends.join(period, on="key_result_id"), weights)
        order = (None, "x0", "x1", None)  # the as-of joins read the points in order of x
        for k, frame in enumerate(frames):
            for (start, days), part in frame.partition_by("start_date", "days", as_dict=True).items():
                part = part.sort(order[k]) if order[k] else part
                parts.setdefault((start, int(days)), [pl.DataFrame()] * 4)[k] = part
        empty = (phased.clear(), starts.clear(), ends.clear(), weights.clear())
        return {key: tuple(part if part.width else empty[k] for k, part in enumerate(value))
                for key, value in parts.items()}  # fmt: skip

    return snapshot.derived("phase_by_period", compute)


def _resting(snapshot: Snapshot) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The goals' figures (as `_goals_at`) before their period starts (every day, x = 0) and after it ends (x = n):
    the same on every such date, so found once per snapshot."""

    def compute() -> tuple[pl.DataFrame, pl.DataFrame]:
        phased, starts, ends, weights = _phase_inputs(snapshot)
        out = []
        for day in (pl.lit(0.0), pl.col("days")):
            expected = _path_at(phased.with_columns(day.alias("x_now")), starts, ends)
            out.append(_goals_at(weights.with_columns(day.alias("x_now")), expected))
        return out[0], out[1]

    return snapshot.derived("phase_resting", compute)


def key_result_expected(snapshot: Snapshot, as_of: date) -> pl.DataFrame:
    """key_result_id, expected: the phased key results' expected progress at `as_of`, path(x) read between the
    points before and after day x = clamp(as_of - period start + 1, 0, n)."""
    if milestone_points(snapshot).is_empty():
        return pl.DataFrame(schema={"key_result_id": pl.Int64, "expected": pl.Float64})
    phased, starts, ends, _ = _phase_inputs(snapshot)
    return _path_at(phased.with_columns(_day(as_of).alias("x_now")), starts, ends)


def _phased_goals(snapshot: Snapshot, as_of: date) -> pl.DataFrame:
    """id, phased_expected, phase_gap for the goals with a phased key result at `as_of`; memoised per date with the
    replays (many dates, small frames). Only the goals whose period is under way at `as_of` are computed; the others
    are at rest, before their start or after their end (`_resting`)."""

    def compute() -> pl.DataFrame:
        if milestone_points(snapshot).is_empty():
            return pl.DataFrame(schema=PHASED_SCHEMA | {"phase_gap": pl.Float64})
        moving = []
        for (start, days), (phased, starts, ends, weights) in _by_period(snapshot).items():
            x = min(max((as_of - start).days + 1, 0), days)
            if 0 < x < days:
                expected = _path_at(phased.with_columns(pl.lit(float(x)).alias("x_now")), starts, ends)
                moving.append(_goals_at(weights.with_columns(pl.lit(float(x)).alias("x_now")), expected))
        day = _day(as_of)
        before, after = _resting(snapshot)
        return pl.concat([
            *moving,
            before.filter(day <= 0),
            after.filter(day >= pl.col("days")),
        ]).select("id", "phased_expected", "phase_gap").sort("id")  # fmt: skip

    return snapshot.derived(("phased_goals", as_of), compute)


def phased_goal_expected(snapshot: Snapshot, as_of: date) -> pl.DataFrame:
    """id, phased_expected: for the goals with a phased key result, the weighted mean over their key results of
    positive weight of each one's expected progress (the path for phased ones, the calendar's share for the
    others)."""
    return _phased_goals(snapshot, as_of).select(list(PHASED_SCHEMA))


def phase_gaps(snapshot: Snapshot, as_of: date) -> pl.DataFrame:
    """goal_id, phase_gap: for the goals with a phased key result, their phased expectation at `as_of` minus their
    period's calendar share (the as-of day counted); every other goal's gap is 0."""
    return _phased_goals(snapshot, as_of).select(pl.col("id").alias("goal_id"), "phase_gap")


def with_phase_gap(
    frame: pl.DataFrame, snapshot: Snapshot, as_of: date, *, progress: str | None = "progress",
    column: str = "phase_gap",
) -> pl.DataFrame:
    """`frame` (rows of goals with key results, by goal_id) with `column` = the goal's phase gap at `as_of` (0 without
    phased key results). With `progress` named, the gap is null where that progress is null, so the engine rolls the
    gaps up over exactly the children it rolls the progress up over; with `progress=None` (rows of key results, each
    carrying its goal's gap) it is never null."""
    gaps = phase_gaps(snapshot, as_of)
    if gaps.is_empty():
        gap = pl.lit(0.0)
    else:
        frame = frame.join(gaps.rename({"phase_gap": "_gap"}), on="goal_id", how="left")
        gap = pl.col("_gap").fill_null(0.0)
    if progress is not None:
        gap = pl.when(pl.col(progress).is_not_null() & ~pl.col(progress).is_nan()).then(gap)
    return frame.with_columns(gap.alias(column)).drop("_gap", strict=False)


def plan_days(frame: pl.DataFrame, points: pl.DataFrame) -> pl.DataFrame:
    """`frame` (key_result_id, x = day of its period in the as-of-day convention: 0 before it starts, n on its last
    day; and n = the period's length in days) with `plan` = n P(x), the day in plan time, for a key result with
    milestones (P its path from `points`, as `milestone_points`, made non-decreasing and clamped to 0..1), and null
    for the others. Plan time starts at 0 and ends at n like the calendar but runs at the plan's pace: a forecast
    that counts days in it projects a back-loaded result's remaining distance over the plan's remaining share."""
    if points.is_empty():
        return frame.with_columns(pl.lit(None, pl.Float64).alias("plan"))
    phased = pl.col("key_result_id").is_in(points["key_result_id"].unique().implode())
    if not frame.select(phased.all()).item():  # only the rows of key results with milestones need the path
        marked = frame.with_row_index("_at").with_columns(phased.alias("_phased"))
        planned = plan_days(marked.filter(pl.col("_phased")).drop("_phased"), points)
        rest = marked.filter(~pl.col("_phased")).drop("_phased").with_columns(pl.lit(None, pl.Float64).alias("plan"))
        return pl.concat([planned, rest]).sort("_at").drop("_at")
    path = points.sort("key_result_id", "x").with_columns(
        pl.col("y").clip(0.0, 1.0).cum_max().over("key_result_id").alias("y")
    ).select("key_result_id", "x", "y")
    keyed = frame.with_row_index("_row").with_columns(pl.col("x").cast(pl.Float64)).sort("x")
    before = keyed.join_asof(
        path.rename({"x": "x0", "y": "y0"}).sort("x0"), left_on="x", right_on="x0", by="key_result_id",
        strategy="backward", check_sortedness=False,
    )
    both = before.join_asof(
        path.rename({"x": "x1", "y": "y1"}).sort("x1"), left_on="x", right_on="x1", by="key_result_id",
        strategy="forward", check_sortedness=False,
    )
    share = (
        pl.when(pl.col("x1").is_null() | (pl.col("x1") == pl.col("x0"))).then(pl.col("y0"))
        .when(pl.col("x0").is_null()).then(pl.col("y1"))
        .otherwise(pl.col("y0") + (pl.col("y1") - pl.col("y0")) * (pl.col("x") - pl.col("x0"))
                   / (pl.col("x1") - pl.col("x0")))
    )
    return both.with_columns((pl.col("n") * share).alias("plan")).sort("_row").drop("_row", "x0", "y0", "x1", "y1")
