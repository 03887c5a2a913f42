"""The Scope: everything one filter choice selects, built once and read by every screen.

A `Scope` is made per (snapshot, filters) by `scope_of` and kept in the per-filters memo (queries/derived.py). The
snapshot is already the viewer's (queries/access.py), so a scope never holds anything the viewer may not see. It
owns:

- the narrowing: `narrow(frame)` keeps the rows whose org unit lies in the team subtree and whose region is among
  the filtered ones; it is the only place a team or region filter narrows anything;
- the people in scope (`people`);
- the goals: the scope's own goals of the year (`members`, each with `region_id`), the goals it carries (those plus
  every goal they ladder up to) and, of those, the goals whose progress depends on the scope (`needing_roll_up`);
- the carried roll-up (`progress`) and the company objectives it carries (`objectives`).

Two facts keep a filter change cheap. A goal with key results takes its progress from them alone, so its progress
is the same in every scope and is read from the organisation's roll-up; only goals without key results (and the
children they read) are rolled up again. And the goal sets depend on the year, team and regions only, so a change
of as-of date or quarter reuses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import polars as pl

from queries.frames import rows_with_ids
from queries.goal_graph import GoalGraph, Measured, one_slot
from queries.model import Filters, Settings, Snapshot
from queries.periods import related_period_ids, year_family_ids
from queries.rollup import (
    PACED,
    ROLLED_COLUMNS,
    measured_progress,
    period_progress,
    rollup_goals,
    with_pace,
    year_edges,
)


def org_closure(snapshot: Snapshot) -> pl.DataFrame:
    """Every (org unit, ancestor-or-self) pair; memoised per snapshot. A cycle cannot hang it."""

    def compute() -> pl.DataFrame:
        units = snapshot.org_unit.select("id", "parent_id")
        pairs = units.select(pl.col("id").alias("unit_id"), pl.col("id").alias("ancestor_id"))
        frontier = units.filter(pl.col("parent_id").is_not_null()).select(
            pl.col("id").alias("unit_id"), pl.col("parent_id").alias("ancestor_id")
        )
        # One pass per level of the tree; a pass that adds nothing new ends it.
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


def with_names(snapshot: Snapshot, frame: pl.DataFrame, *, owner: str = "owner", team: str = "team") -> pl.DataFrame:
    """`frame` (with `owner_employee_id` and `org_unit_id`) with the owner's and the owning unit's names."""
    # Only the people and units the frame names are joined: a few rows hashed instead of the whole organisation.
    people = rows_with_ids(snapshot.employee, frame["owner_employee_id"].drop_nulls())
    owners = people.select(pl.col("id").alias("owner_employee_id"), pl.col("name").alias(owner))
    named_units = rows_with_ids(snapshot.org_unit, frame["org_unit_id"].drop_nulls())
    units = named_units.select(pl.col("id").alias("org_unit_id"), pl.col("name").alias(team))
    return frame.join(owners, on="owner_employee_id", how="left").join(units, on="org_unit_id", how="left")


def year_goals(snapshot: Snapshot, period_id: int) -> pl.DataFrame:
    """The live goals of the period's year with their `region_id`: the roll-up universe; memoised per snapshot."""
    year_id = year_family_ids(snapshot, period_id)[0]
    return snapshot.derived(("year_goals", year_id), lambda: goal_region(snapshot, rollup_goals(snapshot, year_id)))


def goal_graph(snapshot: Snapshot, period_id: int) -> GoalGraph:
    """The goal graph of the period's year; memoised per snapshot."""
    year_id = year_family_ids(snapshot, period_id)[0]

    def compute() -> GoalGraph:
        goals = year_goals(snapshot, year_id)
        measured = snapshot.key_result.filter(pl.col("weight") > 0).select(pl.col("goal_id").alias("id"))
        without = goals.select("id").join(measured, on="id", how="anti")["id"]
        return GoalGraph(goals, year_edges(snapshot, year_id), without)

    return snapshot.derived(("goal_graph", year_id), compute)


def measured_on_graph(snapshot: Snapshot, period_id: int, as_of: date, settings: Settings) -> Measured:
    """The own progress of the year's goals with key results as of the date (`measured_progress`), read onto the
    goal graph's positions once per snapshot, so that every scope's roll-up only picks its goals from it."""
    year_id = year_family_ids(snapshot, period_id)[0]
    return snapshot.derived(
        ("measured_on_graph", year_id, as_of, settings),
        lambda: goal_graph(snapshot, year_id).measured(measured_progress(snapshot, year_id, as_of, settings), PACED),
    )


def organisation_rows(snapshot: Snapshot, period_id: int, as_of: date, settings: Settings) -> np.ndarray:
    """For each position on the year's goal graph, the row of its goal in the organisation's roll-up
    (`period_progress`), which holds every goal of the graph; memoised per snapshot."""
    year_id = year_family_ids(snapshot, period_id)[0]

    def compute() -> np.ndarray:
        graph = goal_graph(snapshot, year_id)
        ids = period_progress(snapshot, year_id, as_of, settings)["id"].to_numpy()
        at = np.searchsorted(graph.ids, ids).clip(0, max(graph.size - 1, 0))
        known = graph.ids[at] == ids if graph.size else np.zeros(ids.size, dtype=bool)
        rows = np.full(graph.size, -1, dtype=np.int64)
        rows[at[known]] = np.flatnonzero(known)
        return rows

    return snapshot.derived(("organisation_rows", year_id, as_of, settings), compute)


def _row_mask(height: int, rows: np.ndarray) -> pl.Series:
    """A mask over `height` rows keeping `rows` (a row of -1 keeps nothing)."""
    mask = np.zeros(height, dtype=bool)
    mask[rows[rows >= 0]] = True
    return pl.Series(mask)


def year_objectives(snapshot: Snapshot, period_id: int) -> pl.DataFrame:
    """Company objectives of the period (its own, its quarters' or its year's), from the year's goals."""
    related = related_period_ids(snapshot, period_id)
    return goal_graph(snapshot, period_id).goals.filter(
        (pl.col("level") == "company") & pl.col("period_id").is_in(related)
    )


@dataclass(frozen=True)
class ScopeGoals:
    """The scope's own goals of the year (`members`, with `region_id`); the ids of the goals it carries; and the ids
    of the carried goals whose progress depends on the scope; both also as positions on the year's goal graph."""

    members: pl.DataFrame
    carried: pl.Series
    needing_roll_up: pl.Series
    carried_at: np.ndarray
    needing_at: np.ndarray


class Scope:
    """What one filter choice selects on one (viewer's) snapshot; see the module's docstring."""

    def __init__(self, snapshot: Snapshot, filters: Filters) -> None:
        self.snapshot = snapshot
        self.filters = filters

    @cached_property
    def whole_organisation(self) -> bool:
        """No region filter, and no team filter or one whose subtree holds every unit (the company itself): the
        same figures as no filter at all."""
        if self.filters.region_ids:
            return False
        return self.unit_ids is None or self.unit_ids.len() >= self.snapshot.org_unit.height

    @cached_property
    def graph(self) -> GoalGraph:
        """The goal graph of the filtered period's year."""
        return goal_graph(self.snapshot, self.filters.period_id)

    @cached_property
    def unit_ids(self) -> pl.Series | None:
        """Ids of the filtered unit and every unit below it; None without a team filter."""
        if self.filters.org_unit_id is None:
            return None
        closure = org_closure(self.snapshot)
        return closure.filter(pl.col("ancestor_id") == self.filters.org_unit_id)["unit_id"]

    def narrow(self, frame: pl.DataFrame, *, unit: str = "org_unit_id", region: str = "region_id") -> pl.DataFrame:
        """The rows of `frame` whose `unit` lies in the team subtree and whose `region` is a filtered one."""
        keep = self._keeps(unit, region)
        return frame if keep is None else frame.filter(keep)

    def _keeps(self, unit: str = "org_unit_id", region: str = "region_id") -> pl.Expr | None:
        """Whether a row's `unit` lies in the team subtree and its `region` is a filtered one; None: every row."""
        keeps = []
        if self.unit_ids is not None:
            keeps.append(pl.col(unit).is_in(self.unit_ids.implode()))
        if self.filters.region_ids:
            keeps.append(pl.col(region).is_in(list(self.filters.region_ids)))
        return pl.all_horizontal(keeps) if keeps else None

    def people(self, *, active_only: bool = True) -> pl.DataFrame:
        """The employees in scope (the active ones unless told otherwise)."""
        filters = self.filters

        def compute() -> pl.DataFrame:
            keeps = [pl.col("active")] if active_only else []
            keep = self._keeps()
            keeps += [keep] if keep is not None else []
            return self.snapshot.employee.filter(*keeps) if keeps else self.snapshot.employee

        key = ("scope_people", filters.org_unit_id, filters.region_ids, active_only)
        return self.snapshot.derived(key, compute)

    @cached_property
    def goals(self) -> ScopeGoals:
        """The scope's goal sets; memoised per (year, team, regions), since they do not move with dates."""
        graph, filters = self.graph, self.filters

        def compute() -> ScopeGoals:
            keep = self._keeps()
            rows = None if keep is None else graph.goals.select(keep.fill_null(False)).to_series().to_numpy()
            members = graph.goals if rows is None else graph.goals.filter(pl.Series(rows))
            carried_at, needing_at = graph.one_scope(None if self.whole_organisation else rows)
            carried = graph.goals["id"] if self.whole_organisation else pl.Series("id", graph.ids[carried_at])
            needing = pl.Series("id", graph.ids[needing_at])
            return ScopeGoals(members, carried, needing, carried_at, needing_at)

        year_id = year_family_ids(self.snapshot, filters.period_id)[0]
        key = ("scope_goals", year_id, filters.org_unit_id, filters.region_ids)
        return self.snapshot.derived(key, compute)

    @property
    def members(self) -> pl.DataFrame:
        return self.goals.members

    def progress(self, settings: Settings) -> pl.DataFrame:
        """The year's goals the scope carries, rolled up as carried by it (its goals plus those they ladder up to),
        with `in_scope` marking the scope's own goals of the filtered period: the roll-up behind every screen."""
        snapshot, filters = self.snapshot, self.filters

        def compute() -> pl.DataFrame:
            organisation = period_progress(snapshot, filters.period_id, filters.as_of, settings)
            related = related_period_ids(snapshot, filters.period_id)
            in_scope = self.members.filter(pl.col("period_id").is_in(related))["id"]
            rolled = organisation if self.whole_organisation else self._rolled_again(organisation, settings)
            return rolled.with_columns(pl.col("id").is_in(in_scope.implode()).alias("in_scope"))

        return snapshot.derived(("scope_progress", filters, settings), compute)

    def _rolled_again(self, organisation: pl.DataFrame, settings: Settings) -> pl.DataFrame:
        """The carried goals: the organisation's figures, except for the goals needing a roll-up for this scope. The
        organisation's rows are picked by position (`organisation_rows`) with a row mask, in the frame's order."""
        snapshot, filters, goals = self.snapshot, self.filters, self.goals
        measured = measured_on_graph(snapshot, filters.period_id, filters.as_of, settings)
        rerolled = self.graph.roll_up(one_slot(goals.needing_roll_up), measured, PACED).drop("slot", "id")
        rows = organisation_rows(snapshot, filters.period_id, filters.as_of, settings)
        needing_rows = rows[goals.needing_at]
        base = [c for c in organisation.columns if c not in ROLLED_COLUMNS]
        # The roll-up's rows follow the positions of the goals needing it; put them in the order of their rows.
        recomputed = with_pace(
            organisation.filter(_row_mask(organisation.height, needing_rows)).select(base).hstack(
                rerolled[np.argsort(needing_rows, kind="stable")]
            ),
            snapshot, filters.as_of, settings,
        ).select(organisation.columns)  # fmt: skip
        unchanged = rows[np.setdiff1d(goals.carried_at, goals.needing_at, assume_unique=True)]
        return pl.concat([organisation.filter(_row_mask(organisation.height, unchanged)), recomputed])

    def objectives(self, settings: Settings) -> pl.DataFrame:
        """The company objectives the scope carries (all of them for the whole organisation), rolled up as carried."""
        snapshot, filters = self.snapshot, self.filters

        def compute() -> pl.DataFrame:
            objectives = self.progress(settings).filter(pl.col("level") == "company").join(
                year_objectives(snapshot, filters.period_id).select("id"), on="id", how="semi"
            )
            return objectives if self.whole_organisation else objectives.filter(pl.col("progress").is_not_null())

        return snapshot.derived(("scope_objectives", filters, settings), compute)


def scope_of(snapshot: Snapshot, filters: Filters) -> Scope:
    """The scope of one filter choice on a (viewer's) snapshot; built once per filters and kept with the snapshot."""
    return snapshot.derived(("scope", filters), lambda: Scope(snapshot, filters))


def people_in_scope(snapshot: Snapshot, filters: Filters, *, active_only: bool = True) -> pl.DataFrame:
    """The employees the filters select (active ones unless told otherwise): `scope_of(...).people()`."""
    return scope_of(snapshot, filters).people(active_only=active_only)
