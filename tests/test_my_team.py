"""A manager's team on the tiny organisation (tests/tiny_org.py), through the manager's own scoped snapshot.

Q4 as of AS_OF (expected 0.5 for quarterly goals):
    Ann's reports: Bob (30 at 1.0, development goal 33; last check-in 1 Nov: 14 days)
                   Cat (31 at 0.2: 0.4 of pace, behind; last check-in 1 Sep: 75 days; no development goal)
    Dana's reports: Ann (20 at 0.275: 0.55, behind; 5 days), Lee (21 at 0.9: on track; never checked in)
    Dana's subtree adds Bob, Cat and Max (32 at 0.6: 1.2, on track; 29 days).
"""

import polars as pl
import pytest

from queries.access import scoped_snapshot
from queries.model import Settings, Viewer
from queries.my_team import my_team, my_team_summary
from tests.tiny_org import SOUTH, tiny_filters, tiny_snapshot

ANN = Viewer("ann@acme.example", "manager", 3)
DANA = Viewer("dana@acme.example", "manager", 2)
SETTINGS = Settings()


def team(viewer: Viewer, settings: Settings = SETTINGS, **options) -> pl.DataFrame:
    filters = options.pop("filters", tiny_filters())
    return my_team(scoped_snapshot(tiny_snapshot(), viewer), filters, viewer, settings, **options)


def by_name(frame: pl.DataFrame) -> dict[str, dict]:
    return {row["name"]: row for row in frame.to_dicts()}


class TestDirectReports:
    def test_people_needing_attention_come_first(self):
        frame = team(ANN)
        assert frame["name"].to_list() == ["Cat", "Bob"]
        cat, bob = frame.to_dicts()
        assert cat["reasons"] == ["behind pace", "no check-in for 75 days", "no development goal"]
        assert bob["reasons"] == [] and bob["attention"] == 0

    def test_goals_progress_and_pace(self):
        people = by_name(team(ANN))
        bob, cat = people["Bob"], people["Cat"]
        assert (bob["goals"], bob["progress"], bob["expected"], bob["status"]) == (2, 1.0, 0.5, "on track")
        assert bob["has_development"] is True
        assert cat["pace_ratio"] == pytest.approx(0.4) and cat["status"] == "behind"
        assert (cat["days_since"], str(cat["last_checkin"])) == (75, "2026-09-01")

    def test_never_checked_in(self):
        frame = team(DANA)
        assert frame["name"].to_list() == ["Lee", "Ann"]  # two reasons each; Lee's "never" ranks first
        lee = by_name(frame)["Lee"]
        assert lee["reasons"] == ["no check-in yet", "no development goal"]
        assert by_name(frame)["Ann"]["reasons"] == ["behind pace", "no development goal"]

    def test_the_manager_is_not_on_their_own_team(self):
        assert "Ann" not in team(ANN)["name"].to_list()


class TestSubtree:
    def test_whole_subtree(self):
        frame = team(DANA, subtree=True)
        assert frame["name"].to_list() == ["Cat", "Lee", "Ann", "Max", "Bob"]
        assert by_name(frame)["Max"]["reasons"] == ["no development goal"]

    def test_summary(self):
        viewer = DANA
        row = my_team_summary(
            scoped_snapshot(tiny_snapshot(), viewer), tiny_filters(), viewer, subtree=True
        ).row(0, named=True)
        assert row == {
            "manager": "Dana",
            "people": 5,
            "needing_attention": 4,  # all but Bob
            "off_pace": 2,  # Cat, Ann
            "lapsed": 2,  # Cat (75 days), Lee (never)
            "without_development": 4,
        }

    def test_region_filter_narrows_the_team(self):
        frame = team(DANA, subtree=True, filters=tiny_filters(region_ids=(SOUTH,)))
        assert sorted(frame["name"]) == ["Cat", "Lee", "Max"]

    def test_lapse_threshold_is_a_setting(self):
        # more than 10 days: Bob (14) lapses too
        bob = by_name(team(ANN, Settings(lapse_days=10)))["Bob"]
        assert bob["reasons"] == ["no check-in for 14 days"]


class TestWhoIsLooking:
    @pytest.mark.parametrize("viewer", [Viewer("hr@acme.example", "hr"), Viewer("ceo@acme.example", "executive", 1)])
    def test_only_a_manager_has_a_team(self, viewer):
        frame = my_team(tiny_snapshot(), tiny_filters(), viewer)
        assert frame.is_empty()
        assert "reasons" in frame.columns

    def test_a_manager_without_reports(self):
        bob = Viewer("bob@acme.example", "manager", 4)
        assert my_team(scoped_snapshot(tiny_snapshot(), bob), tiny_filters(), bob).is_empty()


class TestPage:
    """The My team screen through AppTest: the manager comes from the viewer, never from the page."""

    PAGE = "pages/team/my_team.py"

    @staticmethod
    def metrics(at) -> dict[str, str]:
        return {m.label: m.value for m in at.metric}

    def test_someone_who_is_not_a_manager_is_told_what_to_do(self, app_test):
        at = app_test(page=self.PAGE)
        assert not at.exception
        assert not at.metric
        assert "Viewing as" in at.info[0].value and "Manager" in at.info[0].value
        at.button(key="view_as_manager").click().run()
        assert not at.exception
        assert self.metrics(at)["People"] != "0"

    def test_a_manager_sees_their_team_attention_first(self, app_test):
        at = app_test(page=self.PAGE)
        at.sidebar.selectbox(key="viewer_role").set_value("manager").run()
        assert not at.exception
        assert set(self.metrics(at)) == {
            "People", "Need attention", "Behind or at risk", "Lapsed check-ins", "No development goal",
        }  # fmt: skip
        table = at.dataframe[0].value
        attention = [len(r) for r in table["reasons"]]
        assert attention == sorted(attention, reverse=True)
        assert "direct reports" in at.caption[0].value

    def test_the_whole_subtree_and_a_filter_change_the_numbers(self, app_test):
        at = app_test(page=self.PAGE)
        at.sidebar.selectbox(key="viewer_role").set_value("manager").run()
        direct = int(self.metrics(at)["People"].replace(",", ""))
        at.toggle(key="my_team_subtree").set_value(True).run()
        assert not at.exception
        everyone = int(self.metrics(at)["People"].replace(",", ""))
        assert everyone > direct
        at.sidebar.multiselect(key="f_regions").set_value([1]).run()
        assert not at.exception
        assert int(self.metrics(at)["People"].replace(",", "")) < everyone
