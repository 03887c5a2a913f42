"""The roll-up engine: key results -> goals -> parent goals -> company objectives, against the calendar's pace.

Rules (design.md, "Rules the numbers follow"):
- key-result progress = clamp((value - start) / (target - start), 0, 1); a decrease metric has target < start
  and the same formula works unchanged;
- goal progress = weighted mean of its key results; a goal without key results takes the weighted mean of
  the goals that ladder up to it (parent_id edges and "contributes" links; "supports" links do not count);
- archived goals never count; a goal whose parent is missing is a root; goals caught in a cycle (or
  above one) are never resolved, so bad data cannot hang the roll-up: they are flagged `in_cycle`;
- expected progress = share of the goal's period elapsed at the as-of date, shifted by the goal's phase gap where
  key results beneath it have milestones (queries/phasing.py); status from progress / expected with the thresholds
  in Settings. The phase gap is rolled up beside the progress (column PHASE_GAP), so every roll-up that feeds a pace
  carries it.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from data.goal_graph import cycle_members
from queries.model import Settings, Snapshot
from queries.periods import expected_progress, related_period_ids, year_family_ids
from queries.phasing import with_phase_gap

STATUSES = ("on track", "at risk", "behind", "not started", "no data")
MEASURED_STATUSES = ("on track", "at risk", "behind")  # a figure against a pace that has begun

_GOAL_COLUMNS = ["id", "parent_id", "weight"]
PHASE_GAP = "phase_gap"
PACED = ("progress", PHASE_GAP)  # the columns a roll-up that feeds a pace carries


def key_result_progress(
    key_results: pl.DataFrame, updates: pl.DataFrame, as_of: date, *, history_sorted: bool = False
) -> pl.DataFrame:
    """Per key result: value as of the date (last update on or before it; the current value when the KR has
    no history; the start value when its history begins later) and progress = clamp((value-start)/(target-start), 0, 1).
    A key result with neither history nor a current value has nothing measured: it is left out, so that a goal
    with only such key results is "no data", never 0%.

    `history_sorted` promises `updates` is sorted by (key_result_id, at), which makes the replay a cheap scan.
    """
    if not history_sorted:
        updates = updates.sort(["key_result_id", "at"])
    has_history = updates.select("key_result_id").unique().with_columns(pl.lit(True).alias("has_history"))
    last_value = (
        updates.filter(pl.col("at") <= as_of).group_by("key_result_id").agg(pl.col("value").last().alias("value_as_of"))
    )
    return (
        key_results.join(last_value, left_on="id", right_on="key_result_id", how="left")
        .join(has_history, left_on="id", right_on="key_result_id", how="left")
        .with_columns(
            pl.when(pl.col("value_as_of").is_not_null())
            .then(pl.col("value_as_of"))
            .when(pl.col("has_history").is_null())
            .then(pl.col("current_value"))
            .otherwise(pl.col("start_value"))
            .alias("value")
        )
        .with_columns(
            ((pl.col("value") - pl.col("start_value")) / (pl.col("target_value") - pl.col("start_value")))
            .clip(0.0, 1.0)
            .fill_nan(None)
            .alias("progress")
        )
        .filter(pl.col("value").is_not_null())
        .select(pl.col("id").alias("key_result_id"), "goal_id", "weight", "value", "progress")
    )


def update_history(snapshot: Snapshot) -> pl.DataFrame:
    """The progress-update history (key_result_id, at, value) sorted by (key_result_id, at), as every snapshot holds
    it (queries/model.py `in_history_order`), so every replay is a scan and the history is no copy of the table."""
    return snapshot.progress_update.select("key_result_id", "at", "value")


def ladder_edges(goals: pl.DataFrame, links: pl.DataFrame, *, include_supports: bool = False) -> pl.DataFrame:
    """Edges child -> parent among `goals`: parent_id edges plus "contributes" links (weight = the child's weight
    for parent edges, the link's weight for links). Self-loops and edges to goals outside the frame are dropped."""
    ids = goals.select("id")
    tree = goals.filter(pl.col("parent_id").is_not_null()).select(
        pl.col("id").alias("child"), pl.col("parent_id").alias("parent"), pl.col("weight").cast(pl.Float64)
    )
    kinds = ["contributes", "supports"] if include_supports else ["contributes"]
    extra = links.filter(pl.col("link_type").is_in(kinds)).select(
        pl.col("goal_id").alias("child"), pl.col("target_goal_id").alias("parent"), pl.col("weight").cast(pl.Float64)
    )
    return (
        pl.concat([tree, extra])
        .filter(pl.col("child") != pl.col("parent"))
        .join(ids, left_on="child", right_on="id", how="semi")
        .join(ids, left_on="parent", right_on="id", how="semi")
        .unique(["child", "parent"], keep="first", maintain_order=True)
    )


def summed_by_row(row: np.ndarray, values: np.ndarray, rows: int) -> np.ndarray:
    """(rows x columns): the sum of the rows of `values` (n x columns) that `row` (n) sends to each row, added in the
    order of `values` (one `bincount` over row x columns, so each column sums exactly as a bincount of its own)."""
    columns = values.shape[1]
    flat = (row[:, None] * columns + np.arange(columns)[None, :]).ravel()
    return np.bincount(flat, weights=values.ravel(), minlength=rows * columns).reshape(rows, columns)


def roll_up(
    goals: pl.DataFrame, edges: pl.DataFrame, kr_progress: pl.DataFrame, columns: tuple[str, ...] = ("progress",)
) -> pl.DataFrame:
    """Goal progress bottom-up: own key results' weighted mean, else the weighted mean of resolved children.

    A goal is ready once it has key results or all its children are resolved; the graph is resolved layer by
    layer over position arrays, as many passes as the tree is deep. When no goal is ready but some are left,
    the goals on a cycle among them are settled with no progress (`in_cycle`) and the goals above still roll
    up from their other children; a goal with a child outside `goals` never resolves (no progress).
    Returns id, progress (null when there is nothing to measure), has_key_results, in_cycle, in `goals` order.

    `columns` names several progress columns of `kr_progress` (the same key results as of several dates, say):
    the graph is resolved once and every column rolled up along it, as if each were rolled up on its own.
    """
    ids = goals["id"].to_numpy()
    locate = _locator(ids)
    # Own progress: the weighted mean of the key results of positive weight (a key result without progress
    # weighs in the denominator only).
    measured = kr_progress.filter(pl.col("weight") > 0)
    kr_at, kr_known = locate(measured["goal_id"].to_numpy())
    weight = measured["weight"].to_numpy(allow_copy=True).astype(float)[kr_known]
    kr_at = kr_at[kr_known]
    has_key_results = np.bincount(kr_at, minlength=ids.size) > 0
    total = np.bincount(kr_at, weights=weight, minlength=ids.size)
    own = np.full((ids.size, len(columns)), np.nan)
    values = measured.select(pl.col(list(columns)).cast(pl.Float64).fill_null(np.nan)).to_numpy()
    values = values.reshape(-1, len(columns))[kr_known]
    weighted = summed_by_row(kr_at, np.where(np.isnan(values), 0.0, values) * weight[:, None], ids.size)
    own[has_key_results] = weighted[has_key_results] / total[has_key_results, None]
    progress, in_cycle = roll_up_arrays(
        ids, edges["child"].to_numpy(), edges["parent"].to_numpy(),
        edges["weight"].fill_null(0.0).to_numpy(allow_copy=True).astype(float), own, has_key_results,
    )  # fmt: skip
    return pl.DataFrame(
        {
            "id": goals["id"],
            "has_key_results": has_key_results,
            **{name: pl.Series(progress[:, c], dtype=pl.Float64, nan_to_null=True) for c, name in enumerate(columns)},
            "in_cycle": in_cycle,
        }
    ).select("id", "has_key_results", *columns, "in_cycle")


def _locator(ids: np.ndarray):
    """A function giving the positions in `ids` of some values, and whether each value is among `ids`."""
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]

    def positions(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        at = np.searchsorted(sorted_ids, values)
        found = at < ids.size
        found[found] = sorted_ids[at[found]] == values[found]
        return order[np.where(found, at, 0)], found

    return positions


def roll_up_arrays(
    ids: np.ndarray, child: np.ndarray, parent: np.ndarray, weight: np.ndarray, own: np.ndarray,
    has_key_results: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The engine of `roll_up` on arrays: goals `ids` with their own progress (`own`, goals x columns, read where
    `has_key_results`), edges child -> parent (ids) with weights. Returns progress (goals x columns, NaN where there
    is nothing to measure) and in_cycle."""
    n = ids.size
    locate = _locator(ids)
    progress = np.where(has_key_results[:, None], own, np.nan)
    parent_at, parent_known = locate(parent)
    child_at, child_known = locate(child)
    parent_at, child_at, edge_weight, child_known = (
        parent_at[parent_known], child_at[parent_known], weight[parent_known], child_known[parent_known]
    )
    waiting = np.bincount(parent_at, minlength=n)  # children not yet resolved
    # A child outside `goals` never resolves; its edge is dropped from the counting passes.
    parent_at, child_at, edge_weight = parent_at[child_known], child_at[child_known], edge_weight[child_known]

    resolved = has_key_results | (waiting == 0)
    in_cycle = np.zeros(n, dtype=bool)
    newly = resolved.copy()
    while True:
        done_edges = newly[child_at]
        waiting -= np.bincount(parent_at[done_edges], minlength=n)
        ready = ~resolved & (waiting <= 0)
        if not ready.any():
            pending = ~resolved
            among = pending[child_at] & pending[parent_at]
            if not among.any():
                break
            cycle = cycle_members(pl.DataFrame({"child": child_at[among], "parent": parent_at[among]})).to_numpy()
            if cycle.size == 0:
                break
            in_cycle[cycle] = True
            resolved[cycle] = True
            newly = np.zeros(n, dtype=bool)
            newly[cycle] = True
            continue
        into_ready = ready[parent_at]
        weights = edge_weight[into_ready][:, None]
        targets = parent_at[into_ready]
        # Every column at once; a child with nothing to measure in a column counts in neither sum of that column.
        child_progress = progress[child_at[into_ready]]
        counted = ~np.isnan(child_progress)
        weighted_sum = summed_by_row(targets, np.where(counted, child_progress * weights, 0.0), n)
        weight_sum = summed_by_row(targets, np.where(counted, weights, 0.0), n)
        rolled = ready[:, None] & (weight_sum > 0)
        progress[rolled] = weighted_sum[rolled] / weight_sum[rolled]
        resolved |= ready
        newly = ready
    return progress, in_cycle


def status_expr(settings: Settings) -> pl.Expr:
    """Status from progress / expected against the Settings thresholds: nothing measured under the goal is "no data"
    (never 0% and never "not started"); a measured goal whose period has not begun is "not started"."""
    ratio = pl.col("progress") / pl.col("expected")
    return (
        pl.when(pl.col("progress").is_null())
        .then(pl.lit("no data"))
        .when(pl.col("expected").is_null() | (pl.col("expected") <= 0))
        .then(pl.lit("not started"))
        .when(ratio >= settings.on_track_ratio)
        .then(pl.lit("on track"))
        .when(ratio >= settings.at_risk_ratio)
        .then(pl.lit("at risk"))
        .otherwise(pl.lit("behind"))
        .alias("status")
    )


def period_goals(snapshot: Snapshot, period_id: int) -> pl.DataFrame:
    """Live (not archived) goals of the period, of the periods inside it and of the period containing it."""
    periods = related_period_ids(snapshot, period_id)
    return snapshot.goal.filter(pl.col("period_id").is_in(periods) & ~pl.col("archived"))


def rollup_goals(snapshot: Snapshot, period_id: int) -> pl.DataFrame:
    """Live goals of the period's whole year (the year and all its quarters): what a roll-up runs over."""
    periods = year_family_ids(snapshot, period_id)
    return snapshot.goal.filter(pl.col("period_id").is_in(periods) & ~pl.col("archived"))


def assess(
    snapshot: Snapshot,
    goals: pl.DataFrame,
    as_of: date,
    settings: Settings,
    *,
    kr_progress: pl.DataFrame | None = None,
    edges: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Roll up `goals` (a subset of the snapshot's) as of a date: progress, expected, pace ratio and status.

    `kr_progress` and `edges` may be given precomputed for a larger set of goals; they are narrowed here."""
    if kr_progress is None:
        kr_progress = key_result_progress(
            snapshot.key_result.join(goals.select("id"), left_on="goal_id", right_on="id", how="semi"),
            update_history(snapshot),
            as_of,
            history_sorted=True,
        )
    else:
        kr_progress = kr_progress.join(goals.select("id"), left_on="goal_id", right_on="id", how="semi")
    if edges is None:
        edges = ladder_edges(goals, snapshot.goal_link)
    else:
        ids = goals.select("id")
        edges = edges.join(ids, left_on="child", right_on="id", how="semi").join(
            ids, left_on="parent", right_on="id", how="semi"
        )
    # Every key result of a goal carries the goal's gap, so the engine's weighted mean of them is the gap itself.
    kr_progress = with_phase_gap(kr_progress, snapshot, as_of, progress=None)
    rolled = roll_up(goals, edges, kr_progress, PACED)
    return with_pace(goals.join(rolled, on="id", how="left"), snapshot, as_of, settings)


def year_edges(snapshot: Snapshot, period_id: int) -> pl.DataFrame:
    """The ladder edges among the live goals of the period's year; memoised per snapshot."""
    year_id = year_family_ids(snapshot, period_id)[0]
    return snapshot.derived(
        ("year_edges", year_id), lambda: ladder_edges(rollup_goals(snapshot, year_id), snapshot.goal_link)
    )


def period_progress(snapshot: Snapshot, period_id: int, as_of: date, settings: Settings) -> pl.DataFrame:
    """Every live goal of the period's year rolled up over the whole (scoped) organisation; memoised per snapshot.

    Quarters of one year share the result, since they share the roll-up universe."""
    year_id = year_family_ids(snapshot, period_id)[0]

    def compute() -> pl.DataFrame:
        goals = rollup_goals(snapshot, year_id)
        kr = period_key_result_progress(snapshot, year_id, as_of)
        return assess(snapshot, goals, as_of, settings, kr_progress=kr, edges=year_edges(snapshot, year_id))

    return snapshot.derived(("period_progress", year_id, as_of, settings), compute)


def period_key_result_progress(snapshot: Snapshot, period_id: int, as_of: date) -> pl.DataFrame:
    """Key-result progress for the goals of the period's year as of a date; memoised, since replaying history is
    the costly step."""
    year_id = year_family_ids(snapshot, period_id)[0]

    def compute() -> pl.DataFrame:
        goals = rollup_goals(snapshot, year_id)
        key_results = snapshot.key_result.join(goals.select("id"), left_on="goal_id", right_on="id", how="semi")
        return key_result_progress(key_results, update_history(snapshot), as_of, history_sorted=True)

    return snapshot.derived(("kr_progress", year_id, as_of), compute)


def goal_cycles(goals: pl.DataFrame, links: pl.DataFrame | None = None) -> list[int]:
    """Ids of goals on a cycle of parent edges and (when given) contributes/supports links; used to refuse imports."""
    empty_links = pl.DataFrame(
        schema={"goal_id": pl.Int64, "target_goal_id": pl.Int64, "link_type": pl.String, "weight": pl.Float64}
    )
    frame = goals.select(
        "id",
        "parent_id",
        pl.col("weight").cast(pl.Float64) if "weight" in goals.columns else pl.lit(1.0).alias("weight"),
    )
    edges = ladder_edges(frame, links if links is not None else empty_links, include_supports=True)
    return cycle_members(edges).to_list()


ROLLED_COLUMNS = ("has_key_results", "progress", PHASE_GAP, "in_cycle", "expected", "pace_ratio", "status")


def own_progress(rolled: pl.DataFrame) -> pl.DataFrame:
    """A roll-up's goals with key results as one key result each (goal_id, weight 1, progress and, when the roll-up
    carried it, the phase gap): their own figures, which is all the engine reads from them, so a later roll-up need
    not weigh every key result again."""
    carried = [c for c in PACED if c in rolled.columns]
    return rolled.filter(pl.col("has_key_results")).select(
        pl.col("id").alias("goal_id"), pl.lit(1.0).alias("weight"), *carried
    )


def measured_progress(snapshot: Snapshot, period_id: int, as_of: date, settings: Settings) -> pl.DataFrame:
    """(goal_id, weight, progress): the own progress of every goal of the year with key results, as of the date,
    which is the same in every scope; memoised per snapshot."""
    year_id = year_family_ids(snapshot, period_id)[0]
    return snapshot.derived(
        ("own_progress", year_id, as_of, settings),
        lambda: own_progress(period_progress(snapshot, year_id, as_of, settings)),
    )


def with_pace(
    frame: pl.DataFrame, snapshot: Snapshot, as_of: date | pl.Expr, settings: Settings, *, goal: str = "id"
) -> pl.DataFrame:
    """`frame` (with period_id, progress and the rolled-up phase gap of the goal whose id is in `goal`) with expected
    progress at `as_of` (a date, or a column of dates): the share of the goal's period elapsed, the as-of day counted,
    plus its phase gap (none: the calendar's share), clamped to 0..1; pace ratio = progress / expected, and status."""
    periods = snapshot.period.select(pl.col("id").alias("period_id"), "start_date", "end_date")
    joined = frame.join(periods, on="period_id", how="left")
    if isinstance(as_of, date):
        calendar = expected_progress(pl.col("start_date"), pl.col("end_date"), as_of)
    else:
        total = (pl.col("end_date") - pl.col("start_date")).dt.total_days() + 1
        elapsed = (as_of - pl.col("start_date")).dt.total_days() + 1
        calendar = (elapsed / total).clip(0.0, 1.0)
    expected = (calendar + pl.col(PHASE_GAP).fill_null(0.0)).clip(0.0, 1.0)
    return (
        joined.with_columns(expected.alias("expected"))
        .with_columns(
            pl.when(pl.col("expected") > 0).then(pl.col("progress") / pl.col("expected")).alias("pace_ratio"),
            status_expr(settings),
        )
        .drop("start_date", "end_date")
    )
