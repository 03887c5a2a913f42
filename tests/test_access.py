"""Who may see what: the one place in queries/access.py, on the tiny organisation."""

import polars as pl

from queries.access import scoped_snapshot
from queries.model import Snapshot, Viewer
from tests.tiny_org import tiny_snapshot


def people(snapshot: Snapshot) -> set[int]:
    return set(snapshot.employee["id"].to_list())


class TestRoles:
    def test_hr_sees_everything_including_sensitive_attributes(self):
        snap = tiny_snapshot()
        scoped = scoped_snapshot(snap, Viewer("hr@acme.example", "hr"))
        assert scoped is snap

    def test_executive_sees_everyone_but_no_sensitive_attributes(self):
        scoped = scoped_snapshot(tiny_snapshot(), Viewer("ceo@acme.example", "executive", 1))
        assert people(scoped) == set(range(1, 9))
        assert scoped.employee_sensitive.is_empty()

    def test_manager_sees_their_reporting_subtree_only(self):
        scoped = scoped_snapshot(tiny_snapshot(), Viewer("ann@acme.example", "manager", 3))
        assert people(scoped) == {3, 4, 5}
        assert set(scoped.checkin["employee_id"].to_list()) <= {3, 4, 5}
        assert set(scoped.rating["employee_id"].to_list()) == {3, 4, 5}
        assert scoped.employee_sensitive.is_empty()
        individual = scoped.goal.filter(pl.col("level") == "individual")
        assert set(individual["owner_employee_id"].to_list()) <= {3, 4, 5}
        assert 32 not in scoped.goal["id"].to_list()  # Max's goal is Beta's
        assert set(scoped.key_result["goal_id"].to_list()) <= set(scoped.goal["id"].to_list())

    def test_manager_of_managers_sees_the_whole_subtree(self):
        scoped = scoped_snapshot(tiny_snapshot(), Viewer("dana@acme.example", "manager", 2))
        assert people(scoped) == {2, 3, 4, 5, 6, 7, 8}

    def test_unknown_role_or_person_sees_nothing(self):
        for viewer in (Viewer("x@y", "none"), Viewer("x@y", "manager", None), Viewer("x@y", "manager", 999)):
            scoped = scoped_snapshot(tiny_snapshot(), viewer)
            assert all(getattr(scoped, name).is_empty() for name in Snapshot.table_names()), viewer
