"""The Progress screen on the tiny organisation (tests/tiny_org.py), with numbers worked out on paper, and its page.

As of 15 Nov 2026 (2026-Q4): 20 = 0.275, 21 = 0.9, 22 (Q3) = 1.0, 30 = 1.0, 31 = 0.2, 32 = 0.6; 10 = 0.725 = 1.
The objectives are yearly: expected 319/365 = 0.873973; quarterly goals: 46/92 = 0.5.

Regions of goals: the owner's for individual goals, the owning unit's otherwise. North: 1, 2, 10, 20, 22, 30 (and
33, development); South: 21, 31 (Cat sits South), 32.
- carried by North: 10 rolls up from 20 and 22 only: (0.275 + 1.0) / 2 = 0.6375, and so does 1
- carried by South: 10 rolls up from 21 only: 0.9, and so does 1

Replayed on 1 Oct 2026: KR100 and KR101 (goal 20), KR102 (21), KR103 (30) and KR105 (32) have no update yet, so
they sit at their start values (progress 0); KR107 (22) reached 10 of 10 on 20 Sep: 22 = 1.0.
So 10 = (0 + 0 + 1) / 3 = 1/3 = objective 1, against an expected 274/365 = 0.750685 (behind).
On 15 Oct: KR100 = 20 of 100 (0.2), KR101 still at its start (0): 20 = (0.2 + 0) / 4 = 0.05; KR102 = 5 of 10: 21 = 0.5;
so 10 = (0.05 + 0.5 + 1) / 3 = 0.516667.
"""

from dataclasses import replace
from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from queries.model import Filters, Settings, Snapshot, Viewer
from queries.progress import (
    burnup_dates,
    default_comparison_date,
    goals_at_risk,
    objective_burnup,
    objective_changes,
    pace_heatmap,
    status_counts,
    status_moves,
)
from queries.rollup import assess, period_key_result_progress, period_progress, year_edges
from queries.scope import year_goals
from tests.reference import carried_progress, goals_in_scope, is_unfiltered, narrow_goals, with_ancestors
from tests.tiny_org import ALPHA, AS_OF, BETA, ENGINEERING, NORTH, SOUTH, YEAR, tiny_filters, tiny_snapshot

SETTINGS = Settings()
VIEWER = Viewer("exec@acme.test", "executive")


def reference_scoped_progress(snapshot: Snapshot, filters: Filters, settings: Settings) -> pl.DataFrame:
    """The definition, spelled out: roll the scope's own goals of the year, plus every goal they ladder up to,
    up through the engine from scratch; `in_scope` marks the filtered period's goals of the scope."""
    in_scope = goals_in_scope(snapshot, filters).select("id")
    if is_unfiltered(filters):
        rolled = period_progress(snapshot, filters.period_id, filters.as_of, settings)
    else:
        universe = year_goals(snapshot, filters.period_id)
        edges = year_edges(snapshot, filters.period_id)
        carried = narrow_goals(snapshot, universe, filters)
        goals = with_ancestors(snapshot, carried, universe, edges).drop("region_id")
        kr = period_key_result_progress(snapshot, filters.period_id, filters.as_of)
        rolled = assess(snapshot, goals, filters.as_of, settings, kr_progress=kr, edges=edges)
    return rolled.with_columns(pl.col("id").is_in(in_scope["id"].implode()).alias("in_scope"))
YEAR_SHARE = 319 / 365


class TestCarriedProgress:
    @pytest.mark.parametrize(
        "changes",
        [
            {},
            {"region_ids": (NORTH,)},
            {"region_ids": (SOUTH,)},
            {"region_ids": (NORTH, SOUTH)},
            {"org_unit_id": ALPHA},
            {"org_unit_id": BETA, "region_ids": (SOUTH,)},
            {"org_unit_id": ENGINEERING},
            {"period_id": YEAR, "region_ids": (SOUTH,)},
            {"as_of": date(2026, 10, 15), "org_unit_id": ALPHA},
        ],
    )
    def test_same_figures_as_the_definition(self, changes):
        snap, filters = tiny_snapshot(), tiny_filters(**changes)
        fast = carried_progress(snap, filters, SETTINGS).sort("id")
        reference = reference_scoped_progress(snap, filters, SETTINGS).sort("id")
        assert_frame_equal(fast, reference, check_exact=False, rel_tol=1e-12)

    def test_one_snapshot_answers_every_choice_as_a_fresh_one(self):
        """The year's own progress on graph positions and the organisation's rows are kept per as-of date and
        settings: one snapshot answering every choice above in a row (and two settings) gives each its own figures."""
        shared = tiny_snapshot()
        choices = [{}, {"region_ids": (NORTH,)}, {"as_of": date(2026, 10, 15), "org_unit_id": ALPHA},
                   {"org_unit_id": ALPHA}, {"period_id": YEAR, "region_ids": (SOUTH,)}, {"region_ids": (SOUTH,)}]
        for settings in (SETTINGS, Settings(on_track_ratio=0.5, at_risk_ratio=0.2)):
            for changes in choices:
                fresh = carried_progress(tiny_snapshot(), tiny_filters(**changes), settings).sort("id")
                again = carried_progress(shared, tiny_filters(**changes), settings).sort("id")
                assert_frame_equal(again, fresh)

    def test_hand_worked_scopes(self):
        snap = tiny_snapshot()
        north = carried_progress(snap, tiny_filters(region_ids=(NORTH,)), SETTINGS)
        south = carried_progress(snap, tiny_filters(region_ids=(SOUTH,)), SETTINGS)
        assert dict(north.select("id", "progress").rows())[1] == pytest.approx(0.6375)
        assert dict(south.select("id", "progress").rows())[1] == pytest.approx(0.9)
        assert set(south["id"].to_list()) == {1, 10, 21, 31, 32}


class TestBurnup:
    def test_weekly_dates_then_the_as_of_date(self):
        dates = burnup_dates(date(2026, 10, 1), date(2026, 12, 31), AS_OF)
        assert dates == (date(2026, 10, 1), date(2026, 10, 8), date(2026, 10, 15), date(2026, 10, 22),
                         date(2026, 10, 29), date(2026, 11, 5), date(2026, 11, 12), AS_OF)

    def test_a_year_has_at_most_fifteen_points(self):
        dates = burnup_dates(date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 31))
        assert len(dates) <= 16 and dates[-1] == date(2026, 12, 31)
        assert all(b > a for a, b in zip(dates, dates[1:], strict=False))

    def test_replayed_progress_against_pace(self):
        frame = objective_burnup(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS)
        grow = frame.filter(pl.col("objective_id") == 1)
        at = {row["date"]: row for row in grow.to_dicts()}
        assert at[date(2026, 10, 1)]["progress"] == pytest.approx(1 / 3)
        assert at[date(2026, 10, 1)]["expected"] == pytest.approx(274 / 365)
        assert at[date(2026, 10, 1)]["status"] == "behind"  # 0.444 of pace
        assert at[date(2026, 10, 15)]["progress"] == pytest.approx((0.05 + 0.5 + 1) / 3)
        assert at[AS_OF]["progress"] == pytest.approx(0.725)  # the roll-up as of the as-of date
        assert at[date(2026, 12, 31)]["progress"] is None and at[date(2026, 12, 31)]["expected"] == 1.0
        # Objective 2 has nothing to measure: a pace line only.
        assert frame.filter(pl.col("objective_id") == 2)["progress"].null_count() == 9

    def test_carried_by_a_scope(self):
        frame = objective_burnup(tiny_snapshot(), tiny_filters(region_ids=(SOUTH,)), VIEWER, SETTINGS)
        assert frame["objective_id"].unique().to_list() == [1]  # South carries objective 1 only
        at = dict(frame.select("date", "progress").rows())
        assert at[date(2026, 10, 15)] == pytest.approx(0.5) and at[AS_OF] == pytest.approx(0.9)

    def test_nothing_in_scope(self):
        frame = objective_burnup(tiny_snapshot(), tiny_filters(region_ids=(99,)), VIEWER, SETTINGS)
        assert frame.is_empty()


class TestHeatmaps:
    def test_by_region(self):
        cells = pace_heatmap(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS, by="region")
        rows = {(r["objective_id"], r["column"]): r for r in cells.to_dicts()}
        assert set(rows) == {(1, "North"), (1, "South")}  # objective 2: nothing to measure, no goals anywhere
        assert rows[1, "North"]["progress"] == pytest.approx(0.6375)
        assert rows[1, "North"]["pace_ratio"] == pytest.approx(0.6375 / YEAR_SHARE)
        assert rows[1, "North"]["status"] == "at risk"  # 0.729
        assert rows[1, "South"]["progress"] == pytest.approx(0.9) and rows[1, "South"]["status"] == "on track"
        assert (rows[1, "North"]["goals"], rows[1, "South"]["goals"]) == (3, 2)  # 10, 20, 30 | 21, 32

    def test_by_region_keeps_to_the_filtered_regions(self):
        cells = pace_heatmap(tiny_snapshot(), tiny_filters(region_ids=(SOUTH,)), VIEWER, SETTINGS, by="region")
        assert cells["column"].unique().to_list() == ["South"]

    def test_by_team(self):
        cells = pace_heatmap(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS, by="team")
        progress = {r["column"]: r["progress"] for r in cells.filter(pl.col("objective_id") == 1).to_dicts()}
        assert progress == pytest.approx({"Alpha": 0.6375, "Beta": 0.9})  # 20 and 22 | 21

    def test_unknown_dimension(self):
        with pytest.raises(ValueError, match="unknown"):
            pace_heatmap(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS, by="planet")


class TestAtRisk:
    def test_furthest_behind_first_with_names(self):
        risky = goals_at_risk(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS)
        # 31: 0.2 / 0.5 = 0.4; 20: 0.55; 1 and 10: 0.725 / 0.874 = 0.83 (at risk)
        assert risky["id"].to_list() == [31, 20, 1, 10]
        first = risky.to_dicts()[0]
        assert (first["owner"], first["team"], first["objective"], first["status"]) == ("Cat", "Alpha", None, "behind")
        assert risky.filter(pl.col("id") == 20)["objective"][0] == "Grow revenue"
        assert risky.filter(pl.col("id") == 20)["gap"][0] == pytest.approx(0.5 - 0.275)

    def test_each_goal_at_risk_carries_its_forecast(self):
        """Goal 20 is forecast from KR 100 alone (KR 101 has one update): 50 of 100 on day 36, drift 50/35 a day for
        56 more days ends far past 100, so P50 = 100% and the chance of finishing on track is about 1. Cat's goal 31
        has one update: too little history, blank."""
        risky = goals_at_risk(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS)
        goal_20 = risky.filter(pl.col("id") == 20).row(0, named=True)
        goal_31 = risky.filter(pl.col("id") == 31).row(0, named=True)
        assert goal_20["p50"] == pytest.approx(1.0) and goal_20["p_on_track"] > 0.9
        assert goal_31["p50"] is None and goal_31["p_on_track"] is None

    def test_limit(self):
        assert goals_at_risk(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS, limit=2)["id"].to_list() == [31, 20]

    def test_status_counts(self):
        counts = dict(status_counts(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS).rows())
        # Objective 2 has nothing measured under it: "no data", apart from goals whose period has not begun (none).
        assert counts == {"on track": 3, "at risk": 2, "behind": 2, "not started": 0, "no data": 1}


class TestWhatChanged:
    def test_default_date_is_the_start_of_the_quarter(self):
        assert default_comparison_date(AS_OF) == date(2026, 10, 1)
        assert default_comparison_date(date(2026, 10, 1)) == date(2026, 7, 1)  # on the first day: the one before
        assert default_comparison_date(date(2026, 1, 1)) == date(2025, 10, 1)

    def test_objective_moves(self):
        changes = objective_changes(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS)
        grow = changes.filter(pl.col("objective_id") == 1).to_dicts()[0]
        assert grow["progress_then"] == pytest.approx(1 / 3) and grow["status_then"] == "behind"
        assert grow["progress"] == pytest.approx(0.725) and grow["status"] == "at risk"
        assert grow["delta"] == pytest.approx(0.725 - 1 / 3)
        delight = changes.filter(pl.col("objective_id") == 2).to_dicts()[0]
        assert (delight["status_then"], delight["status"], delight["delta"]) == ("no data", "no data", None)

    def test_goal_status_moves(self):
        moves = status_moves(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS)
        # Yearly 1 and 10 were behind on 1 Oct and are at risk now; 2 had and has nothing to measure. The
        # quarter's goals began on 1 Oct itself, so they are new: 20 and 31 behind, 21, 30 and 32 on track.
        assert sorted(moves.rows()) == [
            ("behind", "at risk", 2), ("new", "behind", 2), ("new", "on track", 3),
            ("no data", "no data", 1),
        ]  # fmt: skip

    def test_another_date(self):
        changes = objective_changes(tiny_snapshot(), tiny_filters(), VIEWER, SETTINGS, since=date(2026, 10, 15))
        assert changes.filter(pl.col("objective_id") == 1)["progress_then"][0] == pytest.approx(1.55 / 3)


class TestPage:
    PAGE = "pages/review/progress.py"

    @staticmethod
    def metrics(at) -> dict[str, str]:
        return {m.label: m.value for m in at.metric}

    def test_renders_every_part(self, app_test):
        at = app_test(page=self.PAGE)
        assert not at.exception
        assert [t.value for t in at.title] == ["Progress"]
        assert set(self.metrics(at)) == {
            "Goals on track", "Goals at risk", "Goals behind", "Goals not started", "Goals with no data",
        }  # fmt: skip
        assert [s.value for s in at.subheader] == [
            "Objectives against pace", "Trend over the year's quarters", "Where the objectives stand",
            "Goals at risk, and what changed", "Will we make it?",
        ]  # fmt: skip
        # burn-up, trend, heatmap by region, forecast intervals (only the open tabs are drawn)
        assert len(at.get("vega_lite_chart")) == 4
        assert any("furthest behind pace first" in c.value for c in at.caption)

    def test_the_team_heatmap_draws_when_its_tab_opens(self, app_test):
        at = app_test(page=self.PAGE)
        at.session_state["progress_heatmap"] = "By team"  # what a click on the tab does
        at.run()
        assert not at.exception
        assert any("ten teams" in c.value for c in at.caption)

    def test_how_far_to_trust_the_forecast_draws_when_its_tab_opens(self, app_test):
        at = app_test(page=self.PAGE)
        at.session_state["progress_forecast"] = "How far to trust it"  # a click on the tab
        at.run()
        assert not at.exception
        shown = {m.label for m in at.metric} | {c.value for c in at.caption} | {i.value for i in at.info}
        assert "Forecast Brier" in shown or any("check the forecasts against" in text for text in shown)

    def test_a_filter_changes_the_numbers(self, app_test):
        at = app_test(page=self.PAGE)
        before = self.metrics(at)
        at.sidebar.multiselect(key="f_regions").set_value([1]).run()
        assert not at.exception
        assert self.metrics(at) != before
        assert "region" in at.query_params

    def test_what_changed_since_the_start_of_the_quarter_and_another_date(self, app_test):
        at = app_test(page=self.PAGE)
        at.session_state["progress_detail"] = "What changed since the last review"  # a click on the tab
        at.run()
        assert not at.exception
        assert at.date_input(key="progress_since").value == date(2026, 10, 1)
        assert any("01 Oct 2026" in c.value for c in at.caption)
        at.date_input(key="progress_since").set_value(date(2026, 7, 1)).run()
        assert not at.exception
        assert any("01 Jul 2026" in c.value for c in at.caption)


def test_period_scope_uses_the_quarter_window():
    snap = tiny_snapshot()
    frame = objective_burnup(snap, replace(tiny_filters(), period_id=YEAR), VIEWER, SETTINGS)
    assert frame["date"].min() == date(2026, 1, 1) and frame["date"].max() == date(2026, 12, 31)


class TestPinnedReview:
    PAGE = "pages/review/progress.py"

    def test_pin_then_a_lowered_target_is_flagged_with_its_effect(self, app_test, demo_database_url):
        """Pin the review, then make the pinned target of one key result twice what it is now (as if it had since
        been lowered): the audit flags a lowered target, and the data stamp never moved."""
        from sqlalchemy import text

        from data.db import make_engine
        from data.stamp import read_stamp

        engine = make_engine(demo_database_url)
        stamp = read_stamp(engine)
        at = app_test(page=self.PAGE)
        at.session_state["progress_detail"] = "What changed since the last review"
        at.run()
        assert any("No review of this scope has been pinned yet" in c.value for c in at.caption)
        at.button(key="pin_review").click().run()
        assert not at.exception
        assert any(s.value.startswith("Review pinned as of") for s in at.success)
        assert any("No goalposts moved" in s.value for s in at.success)
        with engine.begin() as connection:
            pin = connection.execute(text("SELECT max(id) FROM review_pin")).scalar_one()
            connection.execute(text(
                "UPDATE review_pin_key_result SET target_value = start_value + 2 * (target_value - start_value) "
                "WHERE pin_id = :pin AND key_result_id = (SELECT min(key_result_id) FROM review_pin_key_result "
                "WHERE pin_id = :pin)"), {"pin": pin})
        assert read_stamp(engine) == stamp
        at.run()
        assert not at.exception
        audit = [frame.value for frame in at.dataframe if "what" in frame.value.columns]
        assert audit and "lowered target" in audit[0].iloc[:, 1].to_list()
        with engine.begin() as connection:
            for table in ("review_pin_link", "review_pin_key_result", "review_pin_goal", "review_pin_objective"):
                connection.execute(text(f"DELETE FROM {table} WHERE pin_id = :pin"), {"pin": pin})
            connection.execute(text("DELETE FROM review_pin WHERE id = :pin"), {"pin": pin})
        engine.dispose()
