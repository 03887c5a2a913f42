"""Alignment gaps, distributed work and career growth on the tiny organisation (tests/tiny_org.py).

Q4 counts the live goals of Q4 and of 2026. Business goals below company level: 10, 20, 21, 30, 31, 32.
They reach objective 1 through parents: 10 directly, 20 and 21 through 10, 30 through 20 -> 10, 32 through
21 -> 10 (three levels). 31 has no parent, only a "supports" link, which does not count: an orphan.
Development goal 33 (Bob) is career growth, never alignment. Objective 2 has no contributors.
Goal regions: 10 Engineering (North), 20 Alpha (North), 30 Bob (North); 21 Beta, 31 Cat, 32 Max (South).
"""

import polars as pl
import pytest

from queries.alignment import (
    aligned_goals,
    alignment_by_group,
    alignment_summary,
    career_growth,
    objective_support,
    orphan_goals,
    teams_without_alignment,
    work_mode_comparison,
)
from queries.model import Settings, Viewer
from tests.tiny_org import ALPHA, BETA, NORTH, Q4, SOUTH, YEAR, tiny_filters, tiny_snapshot, tiny_tables

HR = Viewer("hr@acme.example", "hr")
Q4_EXPECTED, YEAR_EXPECTED = 0.5, 319 / 365


def with_goal_parents(**parents: int | None) -> dict[str, pl.DataFrame]:
    """The tiny goals with some parents replaced: with_goal_parents(g21=None)."""
    goals = tiny_tables()["goal"]
    for name, parent in parents.items():
        goal_id = int(name[1:])
        replaced = pl.when(pl.col("id") == goal_id).then(pl.lit(parent, pl.Int64)).otherwise(pl.col("parent_id"))
        goals = goals.with_columns(replaced.alias("parent_id"))
    return {"goal": goals}


def rows(frame: pl.DataFrame, key: str = "group") -> dict:
    return {row[key]: row for row in frame.to_dicts()}


class TestRates:
    def test_summary(self):
        row = alignment_summary(tiny_snapshot(), tiny_filters(), HR).row(0, named=True)
        assert (row["goals"], row["aligned"], row["orphans"]) == (6, 5, 1)
        assert row["rate"] == pytest.approx(5 / 6) and row["org_rate"] == pytest.approx(5 / 6)
        assert row["growth_share"] == pytest.approx(1 / 7)  # Bob of the 7 active people

    def test_team_filter_keeps_the_organisation_average(self):
        row = alignment_summary(tiny_snapshot(), tiny_filters(org_unit_id=ALPHA), HR).row(0, named=True)
        assert row["rate"] == pytest.approx(2 / 3)  # 20, 30 of 20, 30, 31
        assert row["org_rate"] == pytest.approx(5 / 6)
        assert row["growth_share"] == pytest.approx(1 / 3)  # Bob of Ann, Bob, Cat

    def test_by_team_lowest_first(self):
        frame = alignment_by_group(tiny_snapshot(), tiny_filters(), HR, by="team")
        assert frame.select("group", "goals", "aligned").rows() == [
            ("Alpha", 3, 2),
            ("Beta", 2, 2),
            ("Engineering", 1, 1),
        ]

    def test_by_region(self):
        frame = alignment_by_group(tiny_snapshot(), tiny_filters(), HR, by="region")
        assert frame.select("group", "goals", "aligned").rows() == [("South", 3, 2), ("North", 3, 3)]

    def test_region_filter(self):
        frame = alignment_by_group(tiny_snapshot(), tiny_filters(region_ids=(NORTH,)), HR, by="team")
        assert rows(frame)["Alpha"]["rate"] == 1.0  # 20 and 30; Cat's orphan 31 is a South goal

    def test_development_goals_are_not_counted(self):
        assert 33 not in aligned_goals(tiny_snapshot(), Q4)["id"].to_list()

    def test_alignment_through_three_levels_breaks_when_the_top_link_does(self):
        # Cut 10 from objective 1: 10, 20, 21, 30, 32 all become orphans, though 32 is three levels down
        snap = tiny_snapshot(**with_goal_parents(g10=None))
        assert aligned_goals(snap, Q4)["aligned"].sum() == 0

    def test_yearly_period(self):
        # 2026 with its quarters: 22 (Alpha, Q3) joins and reaches objective 1 through 10
        row = alignment_summary(tiny_snapshot(), tiny_filters(period_id=YEAR), HR).row(0, named=True)
        assert (row["goals"], row["aligned"]) == (7, 6)


class TestGaps:
    def test_orphan_goal_with_its_reason(self):
        frame = orphan_goals(tiny_snapshot(), tiny_filters(), HR)
        assert frame.select("id", "team", "owner", "region").rows() == [(31, "Alpha", "Cat", "South")]
        assert "supports" in frame["reason"][0]

    def test_orphans_below_a_broken_parent(self):
        frame = orphan_goals(tiny_snapshot(**with_goal_parents(g21=None)), tiny_filters(region_ids=(SOUTH,)), HR)
        reasons = dict(zip(frame["id"], frame["reason"], strict=True))
        assert set(reasons) == {21, 31, 32}
        assert reasons[21] == "No parent goal"
        assert reasons[32] == "Its parents reach no company objective of this period"

    def test_objectives_with_no_support(self):
        frame = objective_support(tiny_snapshot(), tiny_filters(), HR)
        assert frame.select("title", "contributing_goals", "support").rows() == [("Delight customers", 0, "none")]

    def test_thin_support_is_a_setting(self):
        # objective 1 has 5 contributors: 10, 20, 21, 30, 32
        frame = objective_support(tiny_snapshot(), tiny_filters(), HR, Settings(thin_support=6))
        assert frame.select("title", "contributing_goals", "support").rows() == [
            ("Delight customers", 0, "none"),
            ("Grow revenue", 5, "thin"),
        ]

    def test_support_counts_only_the_scope(self):
        # Beta carries objective 1 with 21 and 32: two, which is not thin (thin means fewer than 2)
        frame = objective_support(tiny_snapshot(), tiny_filters(org_unit_id=BETA), HR)
        assert frame["title"].to_list() == ["Delight customers"]
        frame = objective_support(tiny_snapshot(), tiny_filters(org_unit_id=BETA), HR, Settings(thin_support=3))
        assert rows(frame, "title")["Grow revenue"]["contributing_goals"] == 2

    def test_every_team_contributes(self):
        assert teams_without_alignment(tiny_snapshot(), tiny_filters(), HR).is_empty()

    def test_a_team_whose_goals_reach_nothing(self):
        frame = teams_without_alignment(tiny_snapshot(**with_goal_parents(g21=None)), tiny_filters(), HR)
        assert frame.select("team", "department", "people", "goals").rows() == [("Beta", "Engineering", 2, 2)]

    def test_a_team_with_no_goals_in_scope(self):
        # In the South, Alpha's only goal is Cat's orphan 31: Alpha (Cat) contributes nothing there
        frame = teams_without_alignment(tiny_snapshot(), tiny_filters(region_ids=(SOUTH,)), HR)
        assert frame.select("team", "people", "goals").rows() == [("Alpha", 1, 1)]


class TestWorkModes:
    def test_side_by_side(self):
        frame = rows(work_mode_comparison(tiny_snapshot(), tiny_filters(), HR), "work_mode")
        assert list(frame) == ["office", "hybrid", "remote"]
        # Ceo, Dana, Ann, Lee; they own 10 (year), 20 and 21 (Q4); of the three with a manager, Ann (5 days) and Dana
        # (30 days) are covered, Lee never was
        office = frame["office"]
        assert (office["people"], office["goals"], office["alignment"]) == (4, 3, 1.0)
        assert office["coverage"] == pytest.approx(2 / 3)
        assert office["pace"] == pytest.approx((0.725 + 0.275 + 0.9) / (YEAR_EXPECTED + 2 * Q4_EXPECTED))
        hybrid = frame["hybrid"]  # Cat: orphan 31 at 0.2, no recent check-in
        assert (hybrid["people"], hybrid["alignment"], hybrid["coverage"]) == (1, 0.0, 0.0)
        assert hybrid["pace"] == pytest.approx(0.4)
        remote = frame["remote"]  # Bob (30 at 1.0) and Max (32 at 0.6), both covered
        assert (remote["people"], remote["alignment"], remote["coverage"]) == (2, 1.0, 1.0)
        assert remote["pace"] == pytest.approx(1.6)

    def test_filters_narrow_the_people(self):
        frame = rows(work_mode_comparison(tiny_snapshot(), tiny_filters(org_unit_id=BETA), HR), "work_mode")
        assert set(frame) == {"office", "remote"}  # Lee, Max
        assert frame["office"]["pace"] == pytest.approx(1.8)  # Lee's 21: 0.9 of 0.5


class TestCareerGrowth:
    def test_by_team(self):
        frame = career_growth(tiny_snapshot(), tiny_filters(), HR, by="team")
        shares = {r["group"]: (r["people"], r["with_development"]) for r in frame.to_dicts()}
        assert shares == {"Alpha": (3, 1), "Beta": (2, 0), "Acme": (1, 0), "Engineering": (1, 0)}
        assert frame["share"].to_list() == sorted(frame["share"].to_list())

    def test_by_region(self):
        frame = career_growth(tiny_snapshot(), tiny_filters(), HR, by="region")
        assert frame.select("group", "people", "with_development").rows() == [("South", 3, 0), ("North", 4, 1)]

    def test_another_quarter_has_no_development_goal(self):
        frame = career_growth(tiny_snapshot(), tiny_filters(period_id=20263), HR, by="region")
        assert frame["with_development"].sum() == 0  # Bob's 33 belongs to Q4


class TestPage:
    """The Alignment screen through AppTest, on the tiny demo organisation."""

    PAGE = "pages/people/alignment.py"

    @staticmethod
    def metrics(at) -> dict[str, str]:
        return {m.label: m.value for m in at.metric}

    def test_renders_rates_gaps_and_growth(self, app_test):
        at = app_test(page=self.PAGE)
        assert not at.exception
        assert [t.value for t in at.title] == ["Alignment"]
        assert set(self.metrics(at)) == {
            "Alignment", "Organisation average", "Orphan goals", "With a development goal",
        }  # fmt: skip
        assert self.metrics(at)["Alignment"] == self.metrics(at)["Organisation average"]  # nothing filtered
        assert [s.value for s in at.subheader] == ["Alignment by team and region", "Gaps", "Distributed teams",
                                                   "Career growth"]
        assert len(at.tabs) == 3 and at.tabs[0].label.startswith("Orphan goals (")
        assert len(at.get("vega_lite_chart")) == 3  # by team, work modes, career growth

    def test_a_region_filter_sets_scope_against_the_organisation(self, app_test):
        at = app_test(page=self.PAGE)
        before = self.metrics(at)
        at.sidebar.multiselect(key="f_regions").set_value([1]).run()
        assert not at.exception
        after = self.metrics(at)
        assert after["Organisation average"] == before["Organisation average"]
        assert after["Orphan goals"] != before["Orphan goals"] or after["Alignment"] != before["Alignment"]

    def test_group_by_region(self, app_test):
        at = app_test(page=self.PAGE)
        at.button_group(key="alignment_by").set_value("Region").run()
        at.button_group(key="alignment_growth_by").set_value("Team").run()
        assert not at.exception
        assert any(e.label.startswith("All ") and "regions" in e.label for e in at.expander)
