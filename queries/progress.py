"""The Progress screen's questions: are the objectives on pace, where, and what changed since the last review.

Every figure is the roll-up engine's (queries/rollup.py), "as carried by the filtered scope" as on Overview: the
roll-up runs over the scope's goals of the year plus the goals they ladder up to. Two facts make that cheap:

- a goal with key results takes its progress from them alone, so its progress is the same in every scope and is
  read from the organisation's roll-up; only goals without key results (and their children) are rolled up again;
- several scopes, or several dates, are rolled up in one pass of the engine by giving each its own slot.

The heavy work (the organisation's roll-up, the year's goal graph, the replay of the update history at sample dates)
is memoised per period on the snapshot, so a filter change only narrows it.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import polars as pl

from queries.alignment import period_alignment
from queries.frames import rows_with_ids
from queries.model import Filters, Settings, Snapshot, Viewer
from queries.periods import expected_progress, period_row, related_period_ids, year_family_ids
from queries.rollup import (
    key_result_progress,
    period_progress,
    roll_up,
    status_expr,
    update_history,
    year_edges,
)
from queries.scope import is_unfiltered, org_closure, year_goals

DEFAULT_SETTINGS = Settings()

BURNUP_POINTS = 15  # at most this many sample dates per period (weekly in a quarter)
HEATMAP_TEAMS = 10  # the teams that carry most of the scope's aligned goals
AT_RISK_LIMIT = 500
_REPLAY_GRIDS = 4  # replayed date grids kept per year (a grid differs from another only by its as-of date)
_ROLLED_COLUMNS = ("has_key_results", "progress", "in_cycle", "expected", "pace_ratio", "status")


# --- the year's goal graph and a scope's goals, memoised per snapshot ----------------------------------------------


@dataclass(frozen=True)
class YearGraph:
    """The live goals of a year (with `region_id`), their ladder edges (child -> parent, weight) and the ids of the
    goals without key results (of positive weight), whose progress the engine takes from their children."""

    goals: pl.DataFrame
    edges: pl.DataFrame
    without_key_results: pl.DataFrame
    upward: Upward | None = None


class Upward:
    """The edges child -> parent of a goal graph as position arrays, for walking up from many goals at once.

    Goals are numbered by their position among the sorted ids; `parent[i]` is the first parent of goal i (-1 for
    none) and (`extra_child`, `extra_parent`) hold every further parent, which only links give."""

    def __init__(self, ids: pl.Series, edges: pl.DataFrame, without_key_results: pl.Series) -> None:
        self.ids = np.sort(ids.to_numpy())
        child = np.searchsorted(self.ids, edges["child"].to_numpy())
        parent = np.searchsorted(self.ids, edges["parent"].to_numpy())
        weight = edges["weight"].to_numpy(allow_copy=True)
        order = np.argsort(child, kind="stable")
        child, parent, weight = child[order], parent[order], weight[order]
        self.edge_child, self.edge_parent, self.edge_weight = child, parent, weight
        self.unmeasured = self.mask(without_key_results)
        first = np.ones(child.size, dtype=bool)
        first[1:] = child[1:] != child[:-1]
        self.parent = np.full(self.ids.size, -1, dtype=np.int64)
        self.parent[child[first]] = parent[first]
        self.extra_child, self.extra_parent = child[~first], parent[~first]

    def _locate(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions of `wanted` ids, and whether each is a goal of the graph at all."""
        at = np.searchsorted(self.ids, wanted)
        known = at < self.ids.size
        known[known] = self.ids[at[known]] == wanted[known]
        return at, known

    def mask(self, ids: pl.Series) -> np.ndarray:
        """True at the positions of `ids` (ids outside the graph are ignored)."""
        at, known = self._locate(ids.to_numpy())
        marked = np.zeros(self.ids.size, dtype=bool)
        marked[at[known]] = True
        return marked

    def needing_roll_up(self, carried: pl.Series) -> pl.Series:
        """Of the `carried` goals, those without key results and the carried goals they take progress from."""
        inside = self.mask(carried)
        needy = inside & self.unmeasured
        taken = self.edge_child[needy[self.edge_parent] & inside[self.edge_child]]
        needy[taken] = True
        return pl.Series("id", self.ids[needy], dtype=pl.Int64)

    def edges_among(self, ids: pl.Series) -> pl.DataFrame:
        """The edges (child, parent, weight) whose two ends are both among `ids`."""
        inside = self.mask(ids)
        kept = inside[self.edge_child] & inside[self.edge_parent]
        return pl.DataFrame(
            {
                "child": self.ids[self.edge_child[kept]],
                "parent": self.ids[self.edge_parent[kept]],
                "weight": self.edge_weight[kept],
            },
            schema={"child": pl.Int64, "parent": pl.Int64, "weight": pl.Float64},
        )

    def closed(self, ids: pl.Series) -> pl.Series:
        """`ids` and every goal of the graph they ladder up to, sorted; a goal is visited once, so a cycle cannot
        hang the walk."""
        wanted = ids.to_numpy()
        at, known = self._locate(wanted)
        seen = np.zeros(self.ids.size, dtype=bool)
        seen[at[known]] = True
        frontier = np.flatnonzero(seen)
        while frontier.size:
            reached = np.zeros(self.ids.size, dtype=bool)
            above = self.parent[frontier]
            reached[above[above >= 0]] = True
            if self.extra_child.size:
                reached[self.extra_parent[np.isin(self.extra_child, frontier)]] = True
            reached &= ~seen
            seen |= reached
            frontier = np.flatnonzero(reached)
        closed = self.ids[seen]
        if not known.all():
            closed = np.union1d(closed, wanted[~known])
        return pl.Series("id", closed, dtype=pl.Int64)


def year_graph(snapshot: Snapshot, period_id: int) -> YearGraph:
    """The roll-up universe of the period's year as a graph; memoised per snapshot."""
    year_id = year_family_ids(snapshot, period_id)[0]

    def compute() -> YearGraph:
        goals = year_goals(snapshot, year_id)
        measured = snapshot.key_result.filter(pl.col("weight") > 0).select(pl.col("goal_id").alias("id"))
        edges = year_edges(snapshot, year_id)
        without = goals.select("id").join(measured, on="id", how="anti")
        return YearGraph(
            goals=goals,
            edges=edges,
            without_key_results=without,
            upward=Upward(goals["id"], edges, without["id"]),
        )

    return snapshot.derived(("progress_year_graph", year_id), compute)


def _members(snapshot: Snapshot, goals: pl.DataFrame, filters: Filters) -> pl.DataFrame:
    """The goals (of a frame with `region_id`) owned inside the filters' team subtree and regions."""
    if filters.org_unit_id is not None:
        units = org_closure(snapshot).filter(pl.col("ancestor_id") == filters.org_unit_id)["unit_id"]
        goals = goals.filter(pl.col("org_unit_id").is_in(units.implode()))
    if filters.region_ids:
        goals = goals.filter(pl.col("region_id").is_in(list(filters.region_ids)))
    return goals


def _one_slot(goals: pl.DataFrame | pl.Series, slot: int = 0) -> pl.DataFrame:
    """(slot, id) of the goals (a frame with `id`, or a series of ids), all in one slot."""
    frame = goals.to_frame("id") if isinstance(goals, pl.Series) else goals
    return frame.select(pl.lit(slot, pl.Int64).alias("slot"), "id")


def _carried(graph: YearGraph, members: pl.DataFrame) -> pl.DataFrame:
    """(slot, id): the members of each slot and every goal they ladder up to, walked up one layer per pass; a pass
    that reaches nothing new ends the walk, so a cycle cannot hang it."""
    slots = members["slot"].unique()
    if graph.upward is not None and slots.len() == 1:
        return _one_slot(graph.upward.closed(members["id"]), slots[0])
    steps = graph.edges.select("child", "parent")
    seen = members.select("slot", "id").unique()
    frontier = seen
    while frontier.height:
        frontier = (
            frontier.join(steps, left_on="id", right_on="child", how="inner")
            .select("slot", pl.col("parent").alias("id"))
            .unique()
            .join(seen, on=["slot", "id"], how="anti")
        )
        seen = pl.concat([seen, frontier])
    return seen


def _needing_roll_up(graph: YearGraph, carried: pl.DataFrame) -> pl.DataFrame:
    """(slot, id): the carried goals whose progress depends on the scope, i.e. those without key results, and the
    carried goals they take their progress from. Every other carried goal has the organisation's progress."""
    slots = carried["slot"].unique()
    if graph.upward is not None and slots.len() == 1:
        return _one_slot(graph.upward.needing_roll_up(carried["id"]), slots[0])
    needy = carried.join(graph.without_key_results, on="id", how="semi")
    children = (
        graph.edges.join(needy, left_on="parent", right_on="id", how="inner")
        .select("slot", pl.col("child").alias("id"))
        .join(carried, on=["slot", "id"], how="semi")
    )
    return pl.concat([needy, children]).unique()


@dataclass(frozen=True)
class ScopeGoals:
    """The scope's own goals of the year (`members`, with `region_id`), the goals it carries (those plus every goal
    they ladder up to) and the carried goals whose progress depends on the scope (`needy`), as (slot 0, id)."""

    members: pl.DataFrame
    carried: pl.DataFrame
    needy: pl.DataFrame


def scope_goals(snapshot: Snapshot, filters: Filters) -> ScopeGoals:
    """The goal sets of the filtered scope; memoised per (year, team, regions), since they do not move with dates."""
    year_id = year_family_ids(snapshot, filters.period_id)[0]

    def compute() -> ScopeGoals:
        graph = year_graph(snapshot, year_id)
        members = _members(snapshot, graph.goals, filters)
        carried = _one_slot(graph.goals) if is_unfiltered(filters) else _carried(graph, _one_slot(members))
        return ScopeGoals(members=members, carried=carried, needy=_needing_roll_up(graph, carried))

    return snapshot.derived(
        ("progress_scope", year_id, filters.org_unit_id, filters.region_ids), compute, per_filters=True
    )


_NO_EDGES = pl.DataFrame(schema={"child": pl.Int64, "parent": pl.Int64, "weight": pl.Float64})


def _own_progress(rolled: pl.DataFrame) -> pl.DataFrame:
    """A roll-up's goals with key results as one key result each (goal_id, weight 1, progress): their own
    progress, which is all the engine reads from them, so later roll-ups need not weigh every key result again."""
    return rolled.filter(pl.col("has_key_results")).select(
        pl.col("id").alias("goal_id"), pl.lit(1.0).alias("weight"), "progress"
    )


def _roll_up_slots(graph: YearGraph, nodes: pl.DataFrame, kr_progress: pl.DataFrame) -> pl.DataFrame:
    """The engine's roll-up of several goal sets at once: `nodes` (slot, id) and `kr_progress` (slot, goal_id,
    weight, progress) are stacked under composite ids, so each slot rolls up on its own. Returns slot, id,
    progress, has_key_results, in_cycle."""
    if nodes.is_empty():
        return pl.DataFrame(
            schema={"slot": pl.Int64, "id": pl.Int64, "progress": pl.Float64, "has_key_results": pl.Boolean,
                    "in_cycle": pl.Boolean}
        )
    width = int(nodes["slot"].max()) + 1
    if graph.upward is not None and width == 1 and nodes["slot"].min() == 0:
        ids = nodes["id"].unique()
        key_results = rows_with_ids(kr_progress.filter(pl.col("slot") == 0), ids, "goal_id")
        rolled = roll_up(pl.DataFrame({"id": ids}), graph.upward.edges_among(ids), key_results.drop("slot"))
        return rolled.select(pl.lit(0, pl.Int64).alias("slot"), "id", "progress", "has_key_results", "in_cycle")

    def composite(column: str) -> pl.Expr:
        return pl.col(column) * width + pl.col("slot")

    edges = (
        graph.edges.join(nodes, left_on="child", right_on="id", how="inner")
        .join(nodes, left_on=["parent", "slot"], right_on=["id", "slot"], how="semi")
        .select(composite("child").alias("child"), composite("parent").alias("parent"), "weight")
    )
    key_results = kr_progress.join(nodes, left_on=["goal_id", "slot"], right_on=["id", "slot"], how="semi").select(
        composite("goal_id").alias("goal_id"), "weight", "progress"
    )
    rolled = roll_up(nodes.select(composite("id").alias("id")), edges, key_results)
    return rolled.select(
        (pl.col("id") % width).alias("slot"), (pl.col("id") // width).alias("id"), "progress", "has_key_results",
        "in_cycle",
    )


def _with_pace(frame: pl.DataFrame, snapshot: Snapshot, as_of: date | pl.Expr, settings: Settings) -> pl.DataFrame:
    """Expected progress of each goal's period at `as_of` (a date, or a column of dates), pace ratio and status."""
    periods = snapshot.period.select(pl.col("id").alias("period_id"), "start_date", "end_date")
    joined = frame.join(periods, on="period_id", how="left")
    if isinstance(as_of, date):
        expected = expected_progress(pl.col("start_date"), pl.col("end_date"), as_of)
    else:
        total = (pl.col("end_date") - pl.col("start_date")).dt.total_days() + 1
        elapsed = (as_of - pl.col("start_date")).dt.total_days() + 1
        expected = (elapsed / total).clip(0.0, 1.0)
    return (
        joined.with_columns(expected.alias("expected"))
        .with_columns(
            pl.when(pl.col("expected") > 0).then(pl.col("progress") / pl.col("expected")).alias("pace_ratio"),
            status_expr(settings),
        )
        .drop("start_date", "end_date")
    )


def carried_progress(snapshot: Snapshot, filters: Filters, settings: Settings) -> pl.DataFrame:
    """The year's goals rolled up as carried by the filtered scope (its goals plus those they ladder up to), with
    `in_scope` marking the filtered period's goals of the scope (the roll-up behind Overview and Progress).

    Memoised per filters on the snapshot, since several questions of one screen start from it."""

    def compute() -> pl.DataFrame:
        organisation = period_progress(snapshot, filters.period_id, filters.as_of, settings)
        scope = scope_goals(snapshot, filters)
        in_scope = scope.members.filter(pl.col("period_id").is_in(related_period_ids(snapshot, filters.period_id)))
        if is_unfiltered(filters):
            rolled = organisation
        else:
            kr = snapshot.derived(
                ("own_progress", filters.period_id, filters.as_of, settings),
                lambda: _own_progress(organisation).with_columns(pl.lit(0, pl.Int64).alias("slot")),
            )
            again = _roll_up_slots(year_graph(snapshot, filters.period_id), scope.needy, kr).drop("slot")
            carried = rows_with_ids(organisation, scope.carried["id"])
            changed = pl.col("id").is_in(again["id"].implode())
            kept = carried.filter(~changed)
            base = [c for c in organisation.columns if c not in _ROLLED_COLUMNS]
            recomputed = _with_pace(
                carried.filter(changed).select(base).join(again, on="id", how="inner"),
                snapshot,
                filters.as_of,
                settings,
            ).select(organisation.columns)
            rolled = pl.concat([kept, recomputed])
        return rolled.with_columns(pl.col("id").is_in(in_scope["id"].implode()).alias("in_scope"))

    return snapshot.derived(("carried_progress", filters, settings), compute, per_filters=True)


def _objectives(snapshot: Snapshot, graph: YearGraph, period_id: int) -> pl.DataFrame:
    """Company objectives of the period (its own, its quarters' or its year's)."""
    related = related_period_ids(snapshot, period_id)
    return graph.goals.filter((pl.col("level") == "company") & pl.col("period_id").is_in(related))


def scoped_objectives(snapshot: Snapshot, filters: Filters, settings: Settings) -> pl.DataFrame:
    """The objectives the scope carries (all of them unfiltered) with their roll-up as carried by the scope."""

    def compute() -> pl.DataFrame:
        progress = carried_progress(snapshot, filters, settings)
        objectives = progress.filter(pl.col("level") == "company").join(
            _objectives(snapshot, year_graph(snapshot, filters.period_id), filters.period_id).select("id"), on="id",
            how="semi",
        )
        return objectives if is_unfiltered(filters) else objectives.filter(pl.col("progress").is_not_null())

    return snapshot.derived(("scoped_objectives", filters, settings), compute, per_filters=True)


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


class _Replay:
    """The own progress (from their key results, by the engine) of one year's roll-up-relevant goals at sample
    dates, kept for the date grids asked most. `at(dates)` stacks them: slot i holds the replay as of dates[i]."""

    def __init__(self, key_results: pl.DataFrame, updates: pl.DataFrame) -> None:
        self._goals = key_results.select(pl.col("goal_id").alias("id")).unique()
        self._key_results = key_results
        self._updates = updates
        self._grids: OrderedDict[tuple[date, ...], pl.DataFrame] = OrderedDict()
        self._lock = threading.Lock()

    def at(self, dates: tuple[date, ...]) -> pl.DataFrame:
        with self._lock:
            if dates in self._grids:
                self._grids.move_to_end(dates)
                return self._grids[dates]
            known = dict(self._grids.items())
        parts = []
        for slot, day in enumerate(dates):
            cached = next((grid for grid in known.values() if day in grid["date"]), None)
            if cached is not None:
                part = cached.filter(pl.col("date") == day)
            else:
                replayed = key_result_progress(self._key_results, self._updates, day, history_sorted=True)
                part = _own_progress(roll_up(self._goals, _NO_EDGES, replayed)).with_columns(
                    pl.lit(day).alias("date")
                )
            parts.append(part.with_columns(pl.lit(slot, pl.Int64).alias("slot")))
        frame = pl.concat([part.select("slot", "date", "goal_id", "weight", "progress") for part in parts])
        with self._lock:
            self._grids[dates] = frame
            while len(self._grids) > _REPLAY_GRIDS:
                self._grids.popitem(last=False)
        return frame


def _replay(snapshot: Snapshot, graph: YearGraph, year_id: int) -> _Replay:
    """The replay of the key results that any scope's roll-up reads: those of company objectives and of goals that
    feed a goal without key results. Memoised per year."""

    def compute() -> _Replay:
        feeding = graph.edges.join(graph.without_key_results, left_on="parent", right_on="id", how="semi").select(
            pl.col("child").alias("id")
        )
        objectives = graph.goals.filter(pl.col("level") == "company").select("id")
        goals = pl.concat([feeding, objectives]).unique()
        key_results = snapshot.key_result.join(goals, left_on="goal_id", right_on="id", how="semi")
        updates = update_history(snapshot).join(
            key_results.select(pl.col("id").alias("key_result_id")), on="key_result_id", how="semi"
        )
        return _Replay(key_results, updates)

    return snapshot.derived(("burnup_replay", year_id), compute)


def objective_burnup(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Per objective carried by the scope and sample date d of the period: rolled-up progress as of d (replayed from
    the update history) and expected progress at d; one last row at the period's end carries the pace line there."""
    schema = {"objective_id": pl.Int64, "title": pl.String, "date": pl.Date, "progress": pl.Float64,
              "expected": pl.Float64, "status": pl.String}
    objectives = scoped_objectives(snapshot, filters, settings)
    if objectives.is_empty():
        return pl.DataFrame(schema=schema)
    period = period_row(snapshot, filters.period_id)
    dates = burnup_dates(period["start_date"], period["end_date"], filters.as_of)
    year_id = year_family_ids(snapshot, filters.period_id)[0]
    graph = year_graph(snapshot, filters.period_id)
    needy = pl.concat([scope_goals(snapshot, filters).needy, _one_slot(objectives)]).unique()
    replay = _replay(snapshot, graph, year_id)
    slots = pl.DataFrame({"slot": range(len(dates)), "date": dates}, schema={"slot": pl.Int64, "date": pl.Date})
    nodes = needy.select("id").join(slots.select("slot"), how="cross")
    kr = replay.at(dates).join(needy.select(pl.col("id").alias("goal_id")), on="goal_id", how="semi")
    rolled = _roll_up_slots(graph, nodes, kr)
    actual = (
        rolled.join(objectives.select("id", "title", "period_id"), on="id", how="inner")
        .join(slots, on="slot", how="inner")
        .select(pl.col("id").alias("objective_id"), "title", "period_id", "date", "progress")
    )
    pace_end = objectives.select(
        pl.col("id").alias("objective_id"), "title", "period_id", pl.lit(period["end_date"]).alias("date"),
        pl.lit(None, pl.Float64).alias("progress"),
    )
    frame = pl.concat([actual, pace_end.filter(pl.col("date") > dates[-1])])
    return (
        _with_pace(frame, snapshot, pl.col("date"), settings)
        .select("objective_id", "title", "date", "progress", "expected", "status")
        .sort(["title", "date"])
    )


# --- heatmaps: objective x region and objective x team ------------------------------------------------------------


def _slot_objectives(
    snapshot: Snapshot, filters: Filters, settings: Settings, members: pl.DataFrame,
    carried: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Per slot of `members` (slot, id) and objective the slot carries: progress as of the filters' date, expected,
    pace ratio, status and the slot's in-scope goals that ladder up to the objective. `carried` (slot, id) may be
    given when known."""
    graph = year_graph(snapshot, filters.period_id)
    objectives = _objectives(snapshot, graph, filters.period_id).select("id", "title", "period_id")
    carried = _carried(graph, members) if carried is None else carried
    needy = pl.concat([_needing_roll_up(graph, carried), carried.join(objectives, on="id", how="semi")])
    kr = _own_progress(period_progress(snapshot, filters.period_id, filters.as_of, settings))
    kr_slots = needy.unique().join(kr, left_on="id", right_on="goal_id", how="inner").select(
        "slot", pl.col("id").alias("goal_id"), "weight", "progress"
    )
    rolled = _roll_up_slots(graph, needy.unique(), kr_slots).join(objectives, on="id", how="inner")
    related = related_period_ids(snapshot, filters.period_id)
    below = graph.goals.filter(
        pl.col("period_id").is_in(related) & (pl.col("kind") == "business") & (pl.col("level") != "company")
    ).select("id")
    contributing = (
        members.join(below, on="id", how="semi")
        .join(period_alignment(snapshot, filters.period_id), on="id", how="inner")
        .filter(pl.col("objective_id").is_not_null())
        .group_by("slot", "objective_id")
        .agg(pl.len().cast(pl.Int64).alias("goals"))
    )
    return (
        _with_pace(rolled, snapshot, filters.as_of, settings)
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
    graph = year_graph(snapshot, filters.period_id)
    carried = None
    if by == "region":
        regions = snapshot.region.sort("name")
        if filters.region_ids:
            regions = regions.filter(pl.col("id").is_in(list(filters.region_ids)))
        columns = regions.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("slot"), pl.col("id").alias("column_id"),
            pl.col("name").alias("column"),
        )
        members = _members(snapshot, graph.goals, replace(filters, region_ids=()))
        slotted = members.join(columns, left_on="region_id", right_on="column_id", how="inner").select("slot", "id")
        if len(filters.region_ids) == 1:  # the one column is the scope itself, whose goal sets are known
            carried = scope_goals(snapshot, filters).carried
    elif by == "team":
        members = _members(snapshot, graph.goals, filters)
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
    owners = snapshot.employee.select(pl.col("id").alias("owner_employee_id"), pl.col("name").alias("owner"))
    units = snapshot.org_unit.select(pl.col("id").alias("org_unit_id"), pl.col("name").alias("team"))
    objective_titles = snapshot.goal.filter(pl.col("level") == "company").select(
        pl.col("id").alias("objective_id"), pl.col("title").alias("objective")
    )
    return (
        goals.join(owners, on="owner_employee_id", how="left")
        .join(units, on="org_unit_id", how="left")
        .join(period_alignment(snapshot, period_id), on="id", how="left")
        .join(objective_titles, on="objective_id", how="left")
    )


def goals_at_risk(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS,
    limit: int = AT_RISK_LIMIT,
) -> pl.DataFrame:
    """The scope's business goals that are behind or at risk, furthest behind pace first (lowest progress /
    expected), with owner, team and objective; at most `limit` rows."""
    progress = carried_progress(snapshot, filters, settings)
    risky = (
        progress.filter(
            pl.col("in_scope") & (pl.col("kind") == "business") & pl.col("status").is_in(["behind", "at risk"])
        )
        .sort(["pace_ratio", "id"])
        .head(limit)
    )
    return (
        _named(snapshot, risky, filters.period_id)
        .with_columns((pl.col("expected") - pl.col("progress")).alias("gap"))
        .select("id", "title", "level", "owner", "team", "objective", "progress", "expected", "pace_ratio",
                "gap", "status")
        .sort(["pace_ratio", "id"])
    )


def status_counts(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """How many of the scope's business goals are on track, at risk, behind and not started."""
    progress = carried_progress(snapshot, filters, settings).filter(pl.col("in_scope") & (pl.col("kind") == "business"))
    counts = progress.group_by("status").agg(pl.len().cast(pl.Int64).alias("goals"))
    order = pl.DataFrame({"status": ["on track", "at risk", "behind", "not started"]})
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
    now = scoped_objectives(snapshot, filters, settings)
    then = carried_progress(snapshot, replace(filters, as_of=since), settings).select(
        "id", pl.col("progress").alias("progress_then"), pl.col("expected").alias("expected_then"),
        pl.col("status").alias("status_then"),
    )
    return (
        now.join(then, on="id", how="left")
        .with_columns(
            pl.col("status_then").fill_null("not started"),
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
    now = carried_progress(snapshot, filters, settings).filter(pl.col("in_scope") & (pl.col("kind") == "business"))
    then = carried_progress(snapshot, replace(filters, as_of=since), settings).select(
        "id", pl.col("status").alias("status_then")
    )
    started = snapshot.period.filter(pl.col("start_date") < since).select(pl.col("id").alias("period_id"))
    return (
        now.join(then, on="id", how="left")
        .with_columns(
            pl.when(pl.col("period_id").is_in(started["period_id"].implode()))
            .then(pl.col("status_then").fill_null("not started"))
            .otherwise(pl.lit("new"))
            .alias("from_status")
        )
        .group_by("from_status", pl.col("status").alias("to_status"))
        .agg(pl.len().cast(pl.Int64).alias("goals"))
        .sort(["from_status", "to_status"])
    )
