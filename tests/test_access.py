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


class TestWhatAManagerSees:
    """Ann (3) leads Alpha: Bob (4) and Cat (5). Dana (2) is her manager, outside her subtree."""

    def scoped(self, employee_id: int = 3) -> Snapshot:
        return scoped_snapshot(tiny_snapshot(), Viewer("ann@acme.example", "manager", employee_id))

    def test_strategy_goals_stay_visible_without_an_owner_outside_the_subtree(self):
        goals = self.scoped().goal
        owners = dict(zip(goals["id"].to_list(), goals["owner_employee_id"].to_list(), strict=True))
        # Objectives 1, 2 (Ceo's) and department goal 10 (Dana's) are the strategy Ann works to.
        assert {1, 2, 10} <= set(owners)
        assert owners[1] is None and owners[2] is None and owners[10] is None
        # Alpha's team goals are Ann's own; Beta's team goal 21 is not Alpha's, so it is not there.
        assert owners[20] == 3 and owners[22] == 3
        assert 21 not in owners
        # Individual goals: Bob's 30, 33, 34 and Cat's 31; never Max's 32.
        assert {g for g, o in owners.items() if o in (4, 5)} == {30, 31, 33, 34}

    def test_no_reference_to_a_person_outside_the_subtree_is_left(self):
        scoped = self.scoped()
        managers = dict(zip(scoped.employee["id"].to_list(), scoped.employee["manager_id"].to_list(), strict=True))
        assert managers == {3: None, 4: 3, 5: 3}  # Ann's own manager, Dana, is blanked
        # Check-ins 1-4 are Bob's, Cat's and Ann's; Ann's (4) was held by Dana, so its manager is blanked.
        checkins = scoped.checkin.sort("id")
        assert checkins["id"].to_list() == [1, 2, 3, 4]
        assert checkins["manager_id"].to_list() == [3, 3, 3, None]
        # Ratings 1-3 are Ann's (by Dana: blanked), Bob's and Cat's (by Ann).
        ratings = scoped.rating.sort("id")
        assert ratings["employee_id"].to_list() == [3, 4, 5]
        assert ratings["reviewer_id"].to_list() == [None, 3, 3]

    def test_key_results_and_updates_follow_the_visible_goals(self):
        scoped = self.scoped()
        # Goals 1, 2, 10, 20, 22, 30, 31, 33, 34: their key results are 100, 101, 103, 104, 106, 107.
        assert sorted(scoped.key_result["id"].to_list()) == [100, 101, 103, 104, 106, 107]
        assert set(scoped.progress_update["key_result_id"].to_list()) == {100, 101, 103, 104, 106, 107}
        # Cat's "supports" link to 20 stays: both ends are visible.
        assert scoped.goal_link["id"].to_list() == [1]

    def test_a_link_to_a_goal_outside_the_scope_is_dropped(self):
        links = pl.DataFrame(
            {"id": [1, 2], "goal_id": [31, 30], "target_goal_id": [20, 21], "link_type": ["supports", "contributes"],
             "weight": [1.0, 1.0]}
        )  # fmt: skip
        scoped = scoped_snapshot(tiny_snapshot(goal_link=links), Viewer("ann@acme.example", "manager", 3))
        assert scoped.goal_link["id"].to_list() == [1]

    def test_only_the_managers_own_viewer_row_is_kept(self):
        assert self.scoped().viewer["email"].to_list() == ["ann@acme.example"]

    def test_units_and_regions_offered_are_those_holding_the_subtree(self):
        from queries.access import visible_region_ids, visible_unit_ids

        ann = self.scoped()
        # Alpha holds Ann, Bob and Cat; its ancestors are Engineering, Product and Acme. Cat sits South.
        assert visible_unit_ids(ann).to_list() == [1, 2, 3, 4]
        assert visible_region_ids(ann).to_list() == [1, 2]
        lee = self.scoped(6)
        assert visible_unit_ids(lee).to_list() == [1, 2, 3, 5]
        assert visible_region_ids(lee).to_list() == [2]
        # The whole organisation: every unit holds someone or is above someone.
        assert visible_unit_ids(tiny_snapshot()).to_list() == [1, 2, 3, 4, 5]


class TestFiltersOnlyNarrow:
    def test_a_team_outside_the_subtree_leaves_nobody(self):
        from queries.scope import people_in_scope
        from tests.reference import goals_in_scope
        from tests.tiny_org import BETA, tiny_filters

        ann = scoped_snapshot(tiny_snapshot(), Viewer("ann@acme.example", "manager", 3))
        assert people_in_scope(ann, tiny_filters(org_unit_id=BETA)).is_empty()
        assert goals_in_scope(ann, tiny_filters(org_unit_id=BETA)).is_empty()

    def test_a_region_narrows_within_the_subtree(self):
        from queries.scope import people_in_scope
        from tests.tiny_org import SOUTH, tiny_filters

        ann = scoped_snapshot(tiny_snapshot(), Viewer("ann@acme.example", "manager", 3))
        assert set(people_in_scope(ann, tiny_filters(region_ids=(SOUTH,)))["id"].to_list()) == {5}  # Cat only
        assert set(people_in_scope(ann, tiny_filters())["id"].to_list()) == {3, 4, 5}


class TestWhoIsWho:
    def test_an_email_names_its_viewer_row_whatever_its_case(self):
        from queries.access import viewer_for_email

        assert viewer_for_email(tiny_snapshot(), " Ann@ACME.example ") == Viewer("ann@acme.example", "manager", 3)
        assert viewer_for_email(tiny_snapshot(), "hr@acme.example") == Viewer("hr@acme.example", "hr", None)
        assert viewer_for_email(tiny_snapshot(), "ceo@acme.example").role == "executive"

    def test_an_unknown_or_missing_email_has_no_role(self):
        from queries.access import viewer_for_email

        for email in ("bob@acme.example", "", None, "ann@acme.example.evil", "' OR 1=1 --"):
            assert viewer_for_email(tiny_snapshot(), email).role == "none", email

    def test_a_viewer_row_with_role_none_gives_no_access(self):
        from queries.access import has_access, viewer_for_email

        rows = tiny_snapshot().viewer.with_columns(
            pl.when(pl.col("id") == 3).then(pl.lit("none")).otherwise(pl.col("role")).alias("role")
        )
        snap = tiny_snapshot(viewer=rows)
        viewer = viewer_for_email(snap, "ann@acme.example")
        assert viewer.role == "none"
        assert not has_access(snap, viewer)

    def test_who_has_access(self):
        from queries.access import has_access

        snap = tiny_snapshot()
        assert has_access(snap, Viewer("hr@acme.example", "hr"))
        assert has_access(snap, Viewer("ceo@acme.example", "executive", 1))
        assert has_access(snap, Viewer("ann@acme.example", "manager", 3))
        assert not has_access(snap, Viewer("x@y", "manager", None))
        assert not has_access(snap, Viewer("x@y", "manager", 999))
        assert not has_access(snap, Viewer("x@y", "none"))

    def test_only_hr_opens_the_admin_screens_and_reads_the_access_log(self):
        from queries.access import may_open, sees_access_log

        for role, admin in (("hr", True), ("executive", False), ("manager", False), ("none", False)):
            viewer = Viewer("x@y", role, 3)
            assert may_open(viewer, "Admin") is admin
            assert sees_access_log(viewer) is admin
            assert may_open(viewer, "Strategy review") is (role != "none")
