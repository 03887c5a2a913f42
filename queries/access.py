"""Who may see what: the one place that decides a viewer's role and narrows the snapshot to their scope.

Every screen reads through `scoped_snapshot`, so a page cannot forget the rules:
- hr: everything, including the sensitive attributes used by the bias panel, and the Admin screens;
- executive: everything except individual-level sensitive attributes;
- manager: the people in their reporting subtree (themselves included) and those people's goals, key
  results, check-ins and ratings; company and department goals, and the team goals of the units the
  subtree works in, stay visible as the strategy they work to, but lose the identity of an owner outside
  the subtree; any other reference to a person outside the subtree (their own manager, a reviewer) is blanked;
- anyone else: nothing.

Filters narrow a scoped snapshot further and can never widen it: they only ever see what is left here.
"""

from __future__ import annotations

import polars as pl

from queries.model import Snapshot, Viewer
from queries.scope import org_closure

ROLES_WITH_ACCESS = ("executive", "hr", "manager")
NO_ACCESS = "none"
# Navigation groups that only some roles may open; every other group is open to every role, scoped.
GROUP_ROLES: dict[str, tuple[str, ...]] = {"Admin": ("hr",)}


def viewer_for_email(snapshot: Snapshot, email: str | None) -> Viewer:
    """The viewer the `viewer` table names for this e-mail (case-insensitive); role "none" when it names no one,
    or more than one row (two roles for one address: which is meant cannot be known)."""
    address = (email or "").strip()
    if not address:
        return Viewer(email="", role=NO_ACCESS)
    rows = snapshot.viewer.filter(pl.col("email").str.to_lowercase() == address.lower())
    if rows.height != 1:
        return Viewer(email=address, role=NO_ACCESS)
    row = rows.row(0, named=True)
    role = row["role"] if row["role"] in ROLES_WITH_ACCESS else NO_ACCESS
    return Viewer(email=row["email"], role=role, employee_id=row["employee_id"])


def has_access(snapshot: Snapshot, viewer: Viewer) -> bool:
    """Whether the viewer may see anything at all: a known role, and for a manager a person to anchor the scope."""
    if viewer.role in ("hr", "executive"):
        return True
    if viewer.role != "manager" or viewer.employee_id is None:
        return False
    return not snapshot.employee.filter(pl.col("id") == viewer.employee_id).is_empty()


def may_open(viewer: Viewer, group: str) -> bool:
    """Whether the viewer may open the screens of a navigation group."""
    return viewer.role in GROUP_ROLES.get(group, ROLES_WITH_ACCESS)


def sees_access_log(viewer: Viewer) -> bool:
    """Only HR reads who looked at what."""
    return viewer.role == "hr"


def may_write_notes(viewer: Viewer) -> bool:
    """Executives and HR add notes and decisions in a review; managers read those on goals they can see."""
    return viewer.role in ("executive", "hr")


def may_pin_reviews(viewer: Viewer) -> bool:
    """Executives and HR pin a review; anyone who sees the scope reads what changed since."""
    return viewer.role in ("executive", "hr")


def may_import(viewer: Viewer) -> bool:
    """Only HR loads data files into the goals database."""
    return viewer.role == "hr"


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


def visible_unit_ids(snapshot: Snapshot) -> pl.Series:
    """Org units that hold someone this snapshot shows, with their ancestors: the teams a filter may offer."""

    def compute() -> pl.Series:
        held = snapshot.employee.select(pl.col("org_unit_id").alias("unit_id")).unique()
        return org_closure(snapshot).join(held, on="unit_id", how="semi")["ancestor_id"].unique().sort()

    return snapshot.derived("visible_unit_ids", compute)


PATH_SEPARATOR = " › "


def visible_unit_paths(snapshot: Snapshot) -> pl.DataFrame:
    """The units a team filter may offer (visible_unit_ids) in tree order: id, name, `path` from the top
    ("Acme › Sales › Team 4") and `above`, the path of its parent ("Acme › Sales"; empty at the top)."""

    def compute() -> pl.DataFrame:
        closure = org_closure(snapshot)
        depth = closure.group_by("unit_id").len().select(pl.col("unit_id").alias("ancestor_id"), "len")
        names = snapshot.org_unit.select(pl.col("id").alias("ancestor_id"), "name")
        return (
            closure.filter(pl.col("unit_id").is_in(visible_unit_ids(snapshot).implode()))
            .join(depth, on="ancestor_id")
            .join(names, on="ancestor_id")
            .sort("unit_id", "len")
            .group_by("unit_id", maintain_order=True)
            .agg(pl.col("name"))
            .select(
                pl.col("unit_id").alias("id"),
                pl.col("name").list.last(),
                pl.col("name").list.join(PATH_SEPARATOR).alias("path"),
                pl.col("name").list.head(pl.col("name").list.len() - 1).list.join(PATH_SEPARATOR).alias("above"),
            )
            .sort("path")
        )

    return snapshot.derived("visible_unit_paths", compute)


def visible_region_ids(snapshot: Snapshot) -> pl.Series:
    """Regions where someone this snapshot shows works: the regions a filter may offer."""
    return snapshot.derived("visible_region_ids", lambda: snapshot.employee["region_id"].unique().sort())


def _nothing(snapshot: Snapshot, label: str) -> Snapshot:
    return snapshot.narrowed(label, **{name: getattr(snapshot, name).clear() for name in Snapshot.table_names()})


def _inside(column: str, people_ids: pl.Series) -> pl.Expr:
    """The column where it names someone in the subtree, blank where it names someone outside."""
    return pl.when(pl.col(column).is_in(people_ids)).then(pl.col(column)).otherwise(None).alias(column)


def scoped_snapshot(snapshot: Snapshot, viewer: Viewer) -> Snapshot:
    """The part of the snapshot this viewer may see; every query runs on this, never on the raw snapshot."""
    if viewer.role == "hr":
        return snapshot
    if viewer.role == "executive":
        return snapshot.narrowed("everyone", employee_sensitive=snapshot.employee_sensitive.clear())
    if not has_access(snapshot, viewer):
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
        employee=people.with_columns(_inside("manager_id", people_ids)),
        employee_sensitive=snapshot.employee_sensitive.clear(),
        goal=goals.with_columns(_inside("owner_employee_id", people_ids)),
        goal_link=snapshot.goal_link.filter(
            pl.col("goal_id").is_in(goal_ids) & pl.col("target_goal_id").is_in(goal_ids)
        ),
        key_result=key_results,
        key_result_milestone=snapshot.key_result_milestone.filter(
            pl.col("key_result_id").is_in(key_results["id"].implode())
        ),
        progress_update=snapshot.progress_update.filter(pl.col("key_result_id").is_in(key_results["id"].implode())),
        checkin=snapshot.checkin.filter(pl.col("employee_id").is_in(people_ids)).with_columns(
            _inside("manager_id", people_ids)
        ),
        rating=snapshot.rating.filter(pl.col("employee_id").is_in(people_ids)).with_columns(
            _inside("reviewer_id", people_ids)
        ),
        viewer=snapshot.viewer.filter(pl.col("employee_id") == viewer.employee_id),
    )
