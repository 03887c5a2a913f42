"""What the filters select: the org subtree, the people and the goals in scope."""

from __future__ import annotations

import polars as pl

from queries.model import Filters, Snapshot
from queries.periods import year_family_ids
from queries.rollup import ladder_edges, period_goals, rollup_goals


def org_closure(snapshot: Snapshot) -> pl.DataFrame:
    """Every (org unit, ancestor-or-self) pair, with the ancestor's depth; memoised per snapshot."""

    def compute() -> pl.DataFrame:
        units = snapshot.org_unit.select("id", "parent_id")
        pairs = units.select(pl.col("id").alias("unit_id"), pl.col("id").alias("ancestor_id"))
        frontier = units.filter(pl.col("parent_id").is_not_null()).select(
            pl.col("id").alias("unit_id"), pl.col("parent_id").alias("ancestor_id")
        )
        # One pass per level of the tree; a pass that adds nothing new ends it, so a cycle cannot hang it.
        while frontier.height:
            frontier = frontier.join(pairs, on=["unit_id", "ancestor_id"], how="anti")
            pairs = pl.concat([pairs, frontier])
            frontier = (
                frontier.join(units, left_on="ancestor_id", right_on="id", how="inner")
                .select("unit_id", pl.col("parent_id").alias("ancestor_id"))
                .filter(pl.col("ancestor_id").is_not_null())
            )
        return pairs.unique()

    return snapshot.derived("org_closure", compute)


def subtree_unit_ids(snapshot: Snapshot, org_unit_id: int | None) -> pl.Series | None:
    """Ids of the unit and every unit below it; None means no team filter (the whole organisation)."""
    if org_unit_id is None:
        return None
    closure = org_closure(snapshot)
    return closure.filter(pl.col("ancestor_id") == org_unit_id)["unit_id"]


def people_in_scope(snapshot: Snapshot, filters: Filters, *, active_only: bool = True) -> pl.DataFrame:
    """Employees in the team subtree and regions the filters name (active ones unless told otherwise)."""
    return snapshot.derived(
        ("people_in_scope", filters.org_unit_id, filters.region_ids, active_only),
        lambda: _people_in_scope(snapshot, filters, active_only),
        per_filters=True,
    )


def _people_in_scope(snapshot: Snapshot, filters: Filters, active_only: bool) -> pl.DataFrame:
    people = snapshot.employee
    if active_only:
        people = people.filter(pl.col("active"))
    units = subtree_unit_ids(snapshot, filters.org_unit_id)
    if units is not None:
        people = people.filter(pl.col("org_unit_id").is_in(units.implode()))
    if filters.region_ids:
        people = people.filter(pl.col("region_id").is_in(list(filters.region_ids)))
    return people


def goal_region(snapshot: Snapshot, goals: pl.DataFrame) -> pl.DataFrame:
    """The goals with a `region_id`: the owner's region for individual goals, the owning unit's region otherwise."""
    owners = snapshot.employee.select(
        pl.col("id").alias("owner_employee_id"), pl.col("region_id").alias("owner_region")
    )
    units = snapshot.org_unit.select(pl.col("id").alias("org_unit_id"), pl.col("region_id").alias("unit_region"))
    return (
        goals.join(owners, on="owner_employee_id", how="left")
        .join(units, on="org_unit_id", how="left")
        .with_columns(
            pl.when(pl.col("level") == "individual")
            .then(pl.coalesce("owner_region", "unit_region"))
            .otherwise(pl.coalesce("unit_region", "owner_region"))
            .alias("region_id")
        )
        .drop("owner_region", "unit_region")
    )


def narrow_goals(snapshot: Snapshot, goals: pl.DataFrame, filters: Filters) -> pl.DataFrame:
    """The goals owned inside the filters' team subtree and regions, with their `region_id`."""
    units = subtree_unit_ids(snapshot, filters.org_unit_id)
    if units is not None:
        goals = goals.filter(pl.col("org_unit_id").is_in(units.implode()))
    if "region_id" not in goals.columns:
        goals = goal_region(snapshot, goals)
    if filters.region_ids:
        goals = goals.filter(pl.col("region_id").is_in(list(filters.region_ids)))
    return goals


def goals_in_scope(snapshot: Snapshot, filters: Filters) -> pl.DataFrame:
    """Live goals of the filtered period (and its quarters or year) owned inside the team subtree and regions."""
    return narrow_goals(snapshot, period_goals(snapshot, filters.period_id), filters)


def is_unfiltered(filters: Filters) -> bool:
    return filters.org_unit_id is None and not filters.region_ids


def year_goals(snapshot: Snapshot, period_id: int) -> pl.DataFrame:
    """The live goals of the period's year with their `region_id`: the roll-up universe; memoised per snapshot."""
    year_id = year_family_ids(snapshot, period_id)[0]
    return snapshot.derived(("year_goals", year_id), lambda: goal_region(snapshot, rollup_goals(snapshot, year_id)))


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
