"""Who may see what: the one place that narrows the snapshot to a viewer's scope.

Every screen reads through `scoped_snapshot`, so a page cannot forget the rules:
- hr: everything, including the sensitive attributes used by the bias panel;
- executive: everything except individual-level sensitive attributes;
- manager: the people in their reporting subtree (themselves included) and those people's goals, key
  results, check-ins and ratings; company and department goals stay visible, as they are the strategy;
- anyone else: nothing.
"""

from __future__ import annotations

import polars as pl

from queries.model import Snapshot, Viewer


def manager_closure(snapshot: Snapshot) -> pl.DataFrame:
    """Every (employee, manager-or-self above them) pair; memoised per snapshot. A cycle cannot hang it."""

    def compute() -> pl.DataFrame:
        people = snapshot.employee.select("id", "manager_id")
        pairs = people.select(pl.col("id").alias("employee_id"), pl.col("id").alias("manager_id"))
        frontier = people.filter(pl.col("manager_id").is_not_null()).select(
            pl.col("id").alias("employee_id"), "manager_id"
        )
        while frontier.height:
            frontier = frontier.join(pairs, on=["employee_id", "manager_id"], how="anti")
            pairs = pl.concat([pairs, frontier])
            frontier = (
                frontier.join(people, left_on="manager_id", right_on="id", how="inner", suffix="_above")
                .select("employee_id", pl.col("manager_id_above").alias("manager_id"))
                .filter(pl.col("manager_id").is_not_null())
            )
        return pairs.unique()

    return snapshot.derived("manager_closure", compute)


def reporting_subtree(snapshot: Snapshot, manager_id: int) -> pl.Series:
    """Ids of the manager and everyone who reports to them, directly or not."""
    closure = manager_closure(snapshot)
    return closure.filter(pl.col("manager_id") == manager_id)["employee_id"]


def _nothing(snapshot: Snapshot, label: str) -> Snapshot:
    return snapshot.narrowed(label, **{name: getattr(snapshot, name).clear() for name in Snapshot.table_names()})


def scoped_snapshot(snapshot: Snapshot, viewer: Viewer) -> Snapshot:
    """The part of the snapshot this viewer may see; every query runs on this, never on the raw snapshot."""
    if viewer.role == "hr":
        return snapshot
    if viewer.role == "executive":
        return snapshot.narrowed("everyone", employee_sensitive=snapshot.employee_sensitive.clear())
    if viewer.role != "manager" or viewer.employee_id is None:
        return _nothing(snapshot, "no one")
    if snapshot.employee.filter(pl.col("id") == viewer.employee_id).is_empty():
        return _nothing(snapshot, "no one")

    people_ids = reporting_subtree(snapshot, viewer.employee_id).implode()
    people = snapshot.employee.filter(pl.col("id").is_in(people_ids))
    units = people["org_unit_id"].unique().implode()
    goals = snapshot.goal.filter(
        pl.col("level").is_in(["company", "department"])
        | pl.col("owner_employee_id").is_in(people_ids)
        | ((pl.col("level") == "team") & pl.col("org_unit_id").is_in(units))
    )
    goal_ids = goals["id"].implode()
    key_results = snapshot.key_result.filter(pl.col("goal_id").is_in(goal_ids))
    name = people.filter(pl.col("id") == viewer.employee_id)["name"][0]
    return snapshot.narrowed(
        f"{name}'s organisation",
        employee=people,
        employee_sensitive=snapshot.employee_sensitive.clear(),
        goal=goals,
        goal_link=snapshot.goal_link.filter(
            pl.col("goal_id").is_in(goal_ids) & pl.col("target_goal_id").is_in(goal_ids)
        ),
        key_result=key_results,
        progress_update=snapshot.progress_update.filter(pl.col("key_result_id").is_in(key_results["id"].implode())),
        checkin=snapshot.checkin.filter(pl.col("employee_id").is_in(people_ids)),
        rating=snapshot.rating.filter(pl.col("employee_id").is_in(people_ids)),
        viewer=snapshot.viewer.filter(pl.col("employee_id") == viewer.employee_id),
    )
