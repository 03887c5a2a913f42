"""The reference definitions of the scope's goal sets and roll-up, written as plain joins.

Production code computes these on position arrays (queries/goal_graph.py, queries/scope.py); property and unit tests
compare the two on random graphs and on the tiny organisation. They are slow and obvious on purpose.
"""

from __future__ import annotations

import polars as pl

from queries.model import Filters, Settings, Snapshot
from queries.rollup import ladder_edges, period_goals, roll_up
from queries.scope import goal_region, org_closure, scope_of


def is_unfiltered(filters: Filters) -> bool:
    return filters.org_unit_id is None and not filters.region_ids


def narrow_goals(snapshot: Snapshot, goals: pl.DataFrame, filters: Filters) -> pl.DataFrame:
    """The goals owned inside the filters' team subtree and regions, with their `region_id`."""
    if filters.org_unit_id is not None:
        units = org_closure(snapshot).filter(pl.col("ancestor_id") == filters.org_unit_id)["unit_id"]
        goals = goals.filter(pl.col("org_unit_id").is_in(units.implode()))
    if "region_id" not in goals.columns:
        goals = goal_region(snapshot, goals)
    if filters.region_ids:
        goals = goals.filter(pl.col("region_id").is_in(list(filters.region_ids)))
    return goals


def goals_in_scope(snapshot: Snapshot, filters: Filters) -> pl.DataFrame:
    """Live goals of the filtered period (and its quarters or year) owned inside the team subtree and regions."""
    return narrow_goals(snapshot, period_goals(snapshot, filters.period_id), filters)


def with_ancestors(
    snapshot: Snapshot, goals: pl.DataFrame, universe: pl.DataFrame, edges: pl.DataFrame | None = None
) -> pl.DataFrame:
    """`goals` plus every goal of `universe` they ladder up to, so a roll-up shows what this scope carries."""
    if edges is None:
        edges = ladder_edges(universe, snapshot.goal_link)
    edges = edges.select("child", "parent")
    seen = goals.select("id")
    frontier = seen
    while frontier.height:
        frontier = (
            edges.join(frontier, left_on="child", right_on="id", how="semi")
            .select(pl.col("parent").alias("id"))
            .unique()
            .join(seen, on="id", how="anti")
        )
        seen = pl.concat([seen, frontier])
    return universe.join(seen, on="id", how="semi")


def carried_progress(snapshot: Snapshot, filters: Filters, settings: Settings) -> pl.DataFrame:
    """The scope's carried roll-up, as production computes it (queries/scope.py)."""
    return scope_of(snapshot, filters).progress(settings)


# --- the goal graph's operations by joins, per slot -------------------------------------------------------------


def carried_by_joins(edges: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """(slot, id): the members of each slot and every goal they ladder up to, one layer per pass."""
    steps = edges.select("child", "parent")
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


def needing_roll_up_by_joins(edges: pl.DataFrame, without: pl.DataFrame, carried: pl.DataFrame) -> pl.DataFrame:
    """(slot, id): the carried goals without key results, and the carried goals they take their progress from."""
    needy = carried.join(without, on="id", how="semi")
    children = (
        edges.join(needy, left_on="parent", right_on="id", how="inner")
        .select("slot", pl.col("child").alias("id"))
        .join(carried, on=["slot", "id"], how="semi")
    )
    return pl.concat([needy, children]).unique()


def roll_up_by_joins(edges: pl.DataFrame, nodes: pl.DataFrame, kr_progress: pl.DataFrame) -> pl.DataFrame:
    """Each slot's nodes rolled up on their own, by stacking the slots under composite ids."""
    width = int(nodes["slot"].max()) + 1

    def composite(column: str) -> pl.Expr:
        return pl.col(column) * width + pl.col("slot")

    slotted_edges = (
        edges.join(nodes, left_on="child", right_on="id", how="inner")
        .join(nodes, left_on=["parent", "slot"], right_on=["id", "slot"], how="semi")
        .select(composite("child").alias("child"), composite("parent").alias("parent"), "weight")
    )
    key_results = kr_progress.join(nodes, left_on=["goal_id", "slot"], right_on=["id", "slot"], how="semi").select(
        composite("goal_id").alias("goal_id"), "weight", "progress"
    )
    rolled = roll_up(nodes.select(composite("id").alias("id")).unique(), slotted_edges, key_results)
    return rolled.select(
        (pl.col("id") % width).alias("slot"), (pl.col("id") // width).alias("id"), "progress", "has_key_results",
        "in_cycle",
    )


def tree_counts_by_joins(goals: pl.DataFrame) -> pl.DataFrame:
    """The Strategy map's (id, below, children) over goals with `primary_parent` and `in_scope`, walking up one layer
    of joins per pass (queries/strategy_map.py `_tree_counts` does it on positions)."""
    steps = goals.filter(pl.col("primary_parent").is_not_null()).select("id", "primary_parent")
    children = steps.group_by("primary_parent").agg(pl.len().cast(pl.Int64).alias("children"))
    scoped = goals.filter(pl.col("in_scope")).select("id")
    pairs = steps.join(scoped, on="id", how="semi").select(
        pl.col("id").alias("goal"), pl.col("primary_parent").alias("above")
    )
    seen = pairs
    frontier = pairs
    while frontier.height:
        frontier = (
            frontier.join(steps, left_on="above", right_on="id", how="inner")
            .select("goal", pl.col("primary_parent").alias("above"))
            .join(seen, on=["goal", "above"], how="anti")
        )
        seen = pl.concat([seen, frontier])
    below = seen.filter(pl.col("goal") != pl.col("above")).group_by("above").agg(pl.len().cast(pl.Int64).alias("below"))
    return (
        goals.select("id")
        .join(below, left_on="id", right_on="above", how="left")
        .join(children, left_on="id", right_on="primary_parent", how="left")
        .with_columns(pl.col("below").fill_null(0), pl.col("children").fill_null(0))
    )
