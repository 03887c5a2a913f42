"""The roll-up rules of design.md on the tiny organisation (numbers in tests/tiny_org.py's docstring)."""

from datetime import date

import polars as pl
import pytest

from queries.model import Settings
from queries.periods import expected_progress
from queries.rollup import (
    assess,
    goal_cycles,
    key_result_progress,
    ladder_edges,
    period_progress,
    roll_up,
    rollup_goals,
    update_history,
)
from tests.tiny_org import AS_OF, Q4, tiny_snapshot

SETTINGS = Settings()


def progress_by_goal(frame: pl.DataFrame) -> dict[int, float | None]:
    return dict(zip(frame["id"].to_list(), frame["progress"].to_list(), strict=True))


class TestKeyResultProgress:
    def test_value_as_of_is_the_last_update_on_or_before_the_date(self):
        snap = tiny_snapshot()
        kr = key_result_progress(snap.key_result, snap.progress_update, AS_OF)
        values = dict(zip(kr["key_result_id"].to_list(), kr["value"].to_list(), strict=True))
        assert values[100] == 50  # the update of 20 Nov comes after AS_OF
        assert values[101] == 8

    def test_decrease_metric_uses_the_same_formula(self):
        snap = tiny_snapshot()
        kr = key_result_progress(snap.key_result, snap.progress_update, AS_OF)
        # 10 -> 0 now at 8: (8 - 10) / (0 - 10) = 0.2
        assert kr.filter(pl.col("key_result_id") == 101)["progress"][0] == pytest.approx(0.2)

    def test_progress_is_clamped(self):
        snap = tiny_snapshot()
        overshoot = snap.progress_update.with_columns(
            pl.when(pl.col("key_result_id") == 103).then(40.0).otherwise(pl.col("value")).alias("value")
        )
        kr = key_result_progress(snap.key_result, overshoot, AS_OF)
        assert kr.filter(pl.col("key_result_id") == 103)["progress"][0] == 1.0

    def test_history_starting_later_means_start_value(self):
        snap = tiny_snapshot()
        kr = key_result_progress(snap.key_result, snap.progress_update, date(2026, 10, 1))
        assert kr.filter(pl.col("key_result_id") == 100)["value"][0] == 0.0

    def test_no_history_means_current_value(self):
        snap = tiny_snapshot()
        kr = key_result_progress(snap.key_result, snap.progress_update.clear(), AS_OF)
        assert kr.filter(pl.col("key_result_id") == 102)["value"][0] == 9.0


class TestUpdateHistory:
    def test_a_snapshot_holds_its_updates_by_key_result_then_date(self):
        # tiny_org lists KR 100's update of 20 Nov last (id 13); held in order it follows the 5 Nov one (id 2).
        snap = tiny_snapshot()
        assert snap.progress_update["id"].to_list() == [1, 2, 13, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
        history = update_history(snap)
        assert history.columns == ["key_result_id", "at", "value"]
        assert history["value"].to_list()[:3] == [20, 50, 90]

    def test_updates_of_one_day_keep_their_order_and_the_last_counts(self):
        day, before = date(2026, 11, 10), date(2026, 11, 9)
        updates = pl.DataFrame(
            {"id": [1, 2, 3], "key_result_id": [100, 100, 100], "at": [day, before, day], "value": [30.0, 10.0, 70.0]},
        ).with_columns(pl.lit(0.5).alias("confidence"))
        snap = tiny_snapshot(progress_update=updates.cast(tiny_snapshot().progress_update.schema))
        assert snap.progress_update["id"].to_list() == [2, 1, 3]
        kr = key_result_progress(snap.key_result, update_history(snap), day, history_sorted=True)
        # KR 100 runs 0 -> 100: the day's last update, 70, is its value.
        assert kr.filter(pl.col("key_result_id") == 100)["value"][0] == 70.0


class TestRollUp:
    def test_hand_worked_tree(self):
        snap = tiny_snapshot()
        rolled = progress_by_goal(period_progress(snap, Q4, AS_OF, SETTINGS))
        assert rolled[20] == pytest.approx(0.275)  # (0.5*1 + 0.2*3) / 4
        assert rolled[21] == pytest.approx(0.9)
        assert rolled[22] == pytest.approx(1.0)
        assert rolled[10] == pytest.approx((0.275 + 0.9 + 1.0) / 3)
        assert rolled[1] == pytest.approx(0.725)
        assert rolled[2] is None

    def test_archived_goals_never_count(self):
        snap = tiny_snapshot()
        rolled = period_progress(snap, Q4, AS_OF, SETTINGS)
        assert 34 not in rolled["id"].to_list()

    def test_supports_links_do_not_count_and_contributes_links_do(self):
        snap = tiny_snapshot()
        assert progress_by_goal(period_progress(snap, Q4, AS_OF, SETTINGS))[10] == pytest.approx(0.725)
        # Goal 31 (0.2) "contributes" to 10 as well: (0.275 + 0.9 + 1.0 + 0.2) / 4
        links = snap.goal_link.with_columns(
            pl.lit(10, pl.Int64).alias("target_goal_id"), pl.lit("contributes").alias("link_type")
        )
        changed = tiny_snapshot(goal_link=links)
        assert progress_by_goal(period_progress(changed, Q4, AS_OF, SETTINGS))[10] == pytest.approx(2.375 / 4)

    def test_weights_of_children(self):
        # Make 21 weigh 3: 10 = (0.275 + 3*0.9 + 1.0) / 5
        snap = tiny_snapshot()
        goals = snap.goal.with_columns(
            pl.when(pl.col("id") == 21).then(3.0).otherwise(pl.col("weight")).alias("weight")
        )
        rolled = progress_by_goal(period_progress(tiny_snapshot(goal=goals), Q4, AS_OF, SETTINGS))
        assert rolled[10] == pytest.approx((0.275 + 2.7 + 1.0) / 5)

    def test_dangling_parent_is_a_root(self):
        snap = tiny_snapshot()
        goals = snap.goal.with_columns(
            pl.when(pl.col("id") == 30).then(999).otherwise(pl.col("parent_id")).alias("parent_id")
        )
        rolled = period_progress(tiny_snapshot(goal=goals), Q4, AS_OF, SETTINGS)
        assert progress_by_goal(rolled)[30] == 1.0

    def test_a_cycle_cannot_hang_and_is_flagged(self):
        # 10 -> 1 and 1 -> 10: a cycle between the department goal and the objective.
        snap = tiny_snapshot()
        goals = snap.goal.with_columns(
            pl.when(pl.col("id") == 1).then(10).otherwise(pl.col("parent_id")).alias("parent_id")
        )
        cyclic = tiny_snapshot(goal=goals)
        rolled = period_progress(cyclic, Q4, AS_OF, SETTINGS)
        flagged = set(rolled.filter(pl.col("in_cycle"))["id"].to_list())
        assert flagged == {1, 10}
        assert progress_by_goal(rolled)[20] == pytest.approx(0.275)  # below the cycle, unharmed
        assert goal_cycles(goals) == [1, 10]

    def test_goal_above_a_cycle_still_rolls_up_its_other_children(self):
        goals = pl.DataFrame(
            {"id": [1, 2, 3, 4], "parent_id": [None, 1, 4, 3], "weight": [1.0, 1.0, 1.0, 1.0]},
            schema={"id": pl.Int64, "parent_id": pl.Int64, "weight": pl.Float64},
        )
        # 3 <-> 4 is a cycle that contributes to 2; 1 has children 2 and 5 (5 measured at 0.8).
        extra = pl.DataFrame({"id": [5], "parent_id": [1], "weight": [1.0]}, schema=goals.schema)
        goals = pl.concat([goals, extra])
        kr = pl.DataFrame({"key_result_id": [1], "goal_id": [5], "weight": [1.0], "value": [1.0], "progress": [0.8]})
        links = pl.DataFrame(
            {"goal_id": [3], "target_goal_id": [2], "link_type": ["contributes"], "weight": [1.0]},
            schema={"goal_id": pl.Int64, "target_goal_id": pl.Int64, "link_type": pl.String, "weight": pl.Float64},
        )
        rolled = roll_up(goals, ladder_edges(goals, links), kr)
        by_id = {r["id"]: r for r in rolled.to_dicts()}
        assert by_id[3]["in_cycle"] and by_id[4]["in_cycle"]
        assert by_id[1]["progress"] == pytest.approx(0.8)  # 2 has nothing to measure; 5 carries it

    def test_no_goals_at_all(self):
        snap = tiny_snapshot()
        empty = assess(snap, snap.goal.clear(), AS_OF, SETTINGS)
        assert empty.is_empty()


class TestPaceAndStatus:
    def test_expected_is_share_of_period_elapsed(self):
        frame = pl.DataFrame(
            {"start": [date(2026, 10, 1), date(2026, 1, 1)], "end": [date(2026, 12, 31), date(2026, 12, 31)]}
        )
        expected = frame.select(expected_progress(pl.col("start"), pl.col("end"), AS_OF).alias("e"))["e"].to_list()
        assert expected == pytest.approx([46 / 92, 319 / 365])

    def test_expected_is_clamped_before_and_after_the_period(self):
        frame = pl.DataFrame(
            {"start": [date(2027, 1, 1), date(2025, 1, 1)], "end": [date(2027, 3, 31), date(2025, 12, 31)]}
        )
        expected = frame.select(expected_progress(pl.col("start"), pl.col("end"), AS_OF).alias("e"))["e"].to_list()
        assert expected == [0.0, 1.0]

    def test_status_thresholds_are_settings(self):
        snap = tiny_snapshot()
        rolled = period_progress(snap, Q4, AS_OF, SETTINGS)
        status = dict(zip(rolled["id"].to_list(), rolled["status"].to_list(), strict=True))
        # 20: 0.275 / 0.5 = 0.55 behind; 21: 1.8 on track; 1: 0.725 / (319/365) = 0.83 at risk; 2: nothing
        assert (status[20], status[21], status[1], status[2]) == ("behind", "on track", "at risk", "no data")
        lenient = Settings(on_track_ratio=0.8, at_risk_ratio=0.5)
        rolled = period_progress(snap, Q4, AS_OF, lenient)
        status = dict(zip(rolled["id"].to_list(), rolled["status"].to_list(), strict=True))
        assert (status[20], status[1]) == ("at risk", "on track")


def test_no_data_is_not_the_same_as_not_started():
    """On 31 Dec 2025 no 2026 period has begun (expected 0): goals with key results sit at their start values
    (progress 0) and are "not started"; objective 2 has nothing measured under it on any day: "no data"."""
    rolled = period_progress(tiny_snapshot(), Q4, date(2025, 12, 31), SETTINGS)
    status = dict(zip(rolled["id"].to_list(), rolled["status"].to_list(), strict=True))
    progress = dict(zip(rolled["id"].to_list(), rolled["progress"].to_list(), strict=True))
    assert (status[20], progress[20]) == ("not started", 0.0)
    assert (status[2], progress[2]) == ("no data", None)


def test_rollup_universe_is_the_whole_year():
    snap = tiny_snapshot()
    assert set(rollup_goals(snap, Q4)["id"].to_list()) == {1, 2, 10, 20, 21, 22, 30, 31, 32, 33}
