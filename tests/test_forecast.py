"""The forecast engine on synthetic histories with known drift and noise, its properties, and its roll-up.

A synthetic key result runs 0 -> 1000 over a 92-day period (1 Oct - 31 Dec 2026); its value is a random walk with
daily increments N(drift, noise^2), recorded every 7 days up to the as-of date. Given the last recorded value, the
true end value is N(last + drift x R, noise^2 x R) for the R days left: P10-P90 should hold it about 80% of the time,
and P50 should sit on it on average.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queries.forecast import (
    FORECAST_SAMPLES,
    OwnSamples,
    objective_forecast,
    own_samples,
    rolled_samples,
    sample_progress,
    walk_parameters,
)
from queries.goal_graph import one_slot
from queries.model import Settings, Viewer
from queries.scope import scope_of
from tests.tiny_org import tiny_filters, tiny_snapshot

START, END = date(2026, 10, 1), date(2026, 12, 31)
TARGET = 1000.0
EXECUTIVE = Viewer("ceo@acme.example", "executive", 1)


def _walks(histories: list[list[tuple[int, float]]], as_of: date, start_value: float = 0.0) -> pl.DataFrame:
    """walk_parameters of key results 1..n of goal 1 whose updates are (day of period, value) pairs."""
    n = len(histories)
    key_results = pl.DataFrame(
        {"id": range(1, n + 1), "goal_id": [1] * n, "weight": [1.0] * n, "start_value": [start_value] * n,
         "target_value": [TARGET] * n}
    )
    updates = pl.DataFrame(
        [{"key_result_id": k + 1, "at": START + timedelta(days=day), "value": value}
         for k, history in enumerate(histories) for day, value in history],
        schema={"key_result_id": pl.Int64, "at": pl.Date, "value": pl.Float64},
    )
    periods = pl.DataFrame({"goal_id": [1], "start_date": [START], "end_date": [END]})
    return walk_parameters(key_results, updates, periods, as_of)


def _simulate(rng: np.random.Generator, count: int, drift: float, noise: float, seen_days: int):
    """`count` walks from 100 over the period's 91 steps; histories recorded weekly up to `seen_days`, and the
    true end values."""
    steps = 100.0 + np.cumsum(rng.normal(drift, noise, size=(count, 91)), axis=1)
    days = list(range(7, seen_days + 1, 7))
    histories = [[(d, float(path[d - 1])) for d in days] for path in steps]
    return histories, steps[:, -1], days[-1]


class TestSyntheticHistories:
    def test_the_p10_p90_band_holds_the_outcome_about_80_percent_of_the_time(self):
        rng = np.random.default_rng(1)
        histories, truth, _ = _simulate(rng, 1500, drift=3.0, noise=4.0, seen_days=49)
        walks = _walks(histories, START + timedelta(days=49), start_value=100.0)
        progress = sample_progress(walks, 400)
        low, high = np.quantile(progress, 0.1, axis=1), np.quantile(progress, 0.9, axis=1)
        outcome = (truth - 100.0) / (TARGET - 100.0)
        inside = (outcome >= low) & (outcome <= high)
        assert 0.75 <= inside.mean() <= 0.86

    def test_p50_sits_on_the_outcome_and_closes_in_as_history_grows(self):
        """Seen for 21, 49 and 84 days (70, 42 and 7 left): the mean error of P50 is within 3 standard errors of 0
        (2000 samples, so the shock all key results share in one sample averages out), and the mean absolute error
        falls as the days left fall."""
        absolute = []
        for seen_days in (21, 49, 84):
            rng = np.random.default_rng(2)
            histories, truth, _ = _simulate(rng, 1500, drift=3.0, noise=4.0, seen_days=seen_days)
            walks = _walks(histories, START + timedelta(days=seen_days), start_value=100.0)
            p50 = 100.0 + np.median(sample_progress(walks, 2000), axis=1) * (TARGET - 100.0)
            error = p50 - truth
            assert abs(error.mean()) < 3 * error.std() / np.sqrt(error.size)
            absolute.append(np.abs(error).mean())
        assert absolute[0] > absolute[1] > absolute[2]
        assert absolute[2] < 4.0 * np.sqrt(7 + 7**2 / 84)  # about one noise-sd of the last week

    def test_the_drift_converges_to_the_truth(self):
        rng = np.random.default_rng(3)
        histories, _, _ = _simulate(rng, 800, drift=3.0, noise=4.0, seen_days=84)
        walks = _walks(histories, START + timedelta(days=84), start_value=100.0)
        assert walks["drift"].mean() == pytest.approx(3.0, abs=0.1)
        assert walks["noise"].mean() == pytest.approx(4.0, abs=0.3)

    def test_too_little_history_is_not_forecast(self):
        """One update, or two over fewer than 14 days, is too little; two over 14 days or more is enough."""
        walks = _walks([[(20, 50.0)], [(3, 10.0), (10, 20.0)], [(10, 20.0), (24, 40.0)]], date(2026, 11, 1))
        assert walks.sort("key_result_id")["forecastable"].to_list() == [False, False, True]


histories = st.lists(
    st.tuples(st.integers(1, 60), st.floats(-200, 1200, allow_nan=False, allow_infinity=False)), min_size=2,
    max_size=8, unique_by=lambda pair: pair[0],
)


class TestProperties:
    @given(history=histories)
    @settings(max_examples=60, deadline=None)
    def test_p10_p50_p90_are_ordered(self, history):
        walks = _walks([sorted(history)], date(2026, 12, 1))
        samples = sample_progress(walks, 100)[0]
        p10, p50, p90 = np.quantile(samples, [0.1, 0.5, 0.9])
        assert 0.0 <= p10 <= p50 <= p90 <= 1.0

    @given(history=histories, lift=st.floats(0.01, 20))
    @settings(max_examples=60, deadline=None)
    def test_more_drift_never_forecasts_less(self, history, lift):
        """Adding `lift` a day to every value (value + lift x day) raises the drift and leaves the noise: every
        sample (same seed) is at least as high."""
        base = sorted(history)
        lifted = [(day, value + lift * day) for day, value in base]
        as_of = date(2026, 12, 1)
        before = sample_progress(_walks([base], as_of), 100)
        after = sample_progress(_walks([lifted], as_of), 100)
        assert np.all(after >= before - 1e-12)

    @given(history=histories)
    @settings(max_examples=40, deadline=None)
    def test_a_finished_key_result_forecasts_its_final_value(self, history):
        ordered = sorted(history)
        walks = _walks([ordered], date(2027, 1, 15))
        final = min(max(ordered[-1][1] / TARGET, 0.0), 1.0)
        assert walks["forecastable"].item()
        assert np.allclose(sample_progress(walks, 50), final)


class TestRollUp:
    def test_the_stand_in_roll_up_equals_the_goal_graph_roll_up(self):
        """rolled_samples (leaves pre-averaged per parent) against GoalGraph.roll_up with one slot per sample."""
        snapshot, filters = tiny_snapshot(), tiny_filters()
        scope = scope_of(snapshot, filters)
        own = own_samples(snapshot, filters.period_id, filters.as_of)
        needing = pl.concat([scope.goals.needing_roll_up, scope.objectives(Settings())["id"]]).unique()
        fast = rolled_samples(scope.graph, needing, own).sort("id", "slot")
        rows, found = own.rows(own.goal_ids)
        measured = pl.DataFrame(
            {"slot": np.tile(np.arange(FORECAST_SAMPLES), own.goal_ids.size),
             "goal_id": np.repeat(own.goal_ids, FORECAST_SAMPLES), "weight": 1.0,
             "progress": own.progress[rows[found]].ravel()}
        )
        nodes = one_slot(needing).drop("slot").join(pl.DataFrame({"slot": range(FORECAST_SAMPLES)}), how="cross")
        reference = scope.graph.roll_up(nodes.select("slot", "id"), measured).select("slot", "id", "progress")
        joined = fast.join(reference, on=["slot", "id"], suffix="_ref")
        assert joined.height == reference.height == fast.height
        assert np.allclose(joined["progress"].fill_null(-1).to_numpy(), joined["progress_ref"].fill_null(-1).to_numpy())

    def test_only_the_wanted_goals_come_back_with_the_same_samples(self):
        snapshot, filters = tiny_snapshot(), tiny_filters()
        scope = scope_of(snapshot, filters)
        own = own_samples(snapshot, filters.period_id, filters.as_of)
        objectives = scope.objectives(Settings())["id"]
        needing = pl.concat([scope.goals.needing_roll_up, objectives]).unique()
        every = rolled_samples(scope.graph, needing, own)
        wanted = rolled_samples(scope.graph, needing, own, objectives).sort("id", "slot")
        assert wanted.equals(every.filter(pl.col("id").is_in(objectives.implode())).sort("id", "slot"))
        assert set(wanted["id"]) == set(objectives) and wanted.height == objectives.len() * FORECAST_SAMPLES

    def test_the_objective_forecast_of_the_tiny_org(self):
        """Goal 22 (Q3) ended at 10 of 10: 1.0 in every sample. Goal 20's KR 101 has one update: too little history,
        so goal 20 is KR 100 alone (50 of 100 on day 36 of 92: drift 50/35 a day, 1.43 x 56 days left > 50 to go) and
        goal 21 KR 102 (9 of 10, drift 9/40 x 51 > 1): both end near their targets, so "Grow revenue" forecasts
        about 100% and is very likely on track; "Delight customers" has nothing under it: no forecast."""
        frame = objective_forecast(tiny_snapshot(), tiny_filters(), EXECUTIVE).sort("id")
        grow, delight = frame.row(0, named=True), frame.row(1, named=True)
        assert grow["p10"] <= grow["p50"] <= grow["p90"]
        assert grow["p50"] == pytest.approx(1.0, abs=0.02) and grow["p_on_track"] > 0.8
        assert delight["p50"] is None and delight["p_on_track"] is None

    def test_own_samples_weigh_only_key_results_that_can_be_forecast(self):
        walks = _walks([[(7, 100.0), (28, 400.0)], [(7, 0.0)]], date(2026, 11, 1))
        own = OwnSamples(walks.filter(pl.col("forecastable")), samples=20)
        assert own.goal_ids.tolist() == [1] and own.progress.shape == (1, 20)


class TestPeople:
    def test_a_manager_sees_each_person_s_chance_of_finishing_on_track(self):
        """Bob's KR 103 (0 -> 4) gets a second update, 2 on 15 Oct, before 4 on 1 Nov: drift 4/31 a day, 60 days
        left: 4 + 7.7 = 11.7, far above 4 whatever the noise (sigma = 0.07 a day: spread 0.07 x sqrt(60 + 60^2/31)
        = 0.9), so goal 30 ends at 100% in every sample: P50 1.0, chance 1.0. Cat's goal 31 has one update: too
        little history."""
        from queries.access import scoped_snapshot
        from queries.forecast import people_forecast
        from tests.tiny_org import tiny_tables

        updates = tiny_tables()["progress_update"]
        extra = updates.head(1).with_columns(
            pl.lit(99, pl.Int64).alias("id"), pl.lit(103, pl.Int64).alias("key_result_id"),
            pl.lit(date(2026, 10, 15)).alias("at"),
            pl.lit(2.0).alias("value"),
        )
        ann = Viewer("ann@acme.example", "manager", 3)
        snapshot = scoped_snapshot(tiny_snapshot(progress_update=pl.concat([updates, extra])), ann)
        frame = people_forecast(snapshot, tiny_filters(), ann).sort("id")
        bob, cat = frame.row(0, named=True), frame.row(1, named=True)
        assert (bob["id"], bob["forecast_goals"], bob["unforecast_goals"]) == (4, 1, 0)
        assert bob["forecast_p50"] == pytest.approx(1.0) and bob["chance_on_track"] == pytest.approx(1.0)
        assert (cat["id"], cat["forecast_goals"], cat["unforecast_goals"], cat["chance_on_track"]) == (5, 0, 1, None)


class TestOwnersConfidence:
    def test_confidence_rolls_up_like_progress(self):
        """Latest confidence per key result: KR 100 0.9 (set on its 5 Nov update), KR 101 0.5 (weight 3), KR 102
        0.7, KR 107 0.7. Goal 20: (0.9 + 3 x 0.5) / 4 = 0.6; goal 21: 0.7; goal 22: 0.7; "Grow revenue" rolls up
        goal 10 = (0.6 + 0.7 + 0.7) / 3 = 0.6667."""
        from tests.tiny_org import tiny_tables

        updates = tiny_tables()["progress_update"].with_columns(
            pl.when((pl.col("key_result_id") == 100) & (pl.col("at") == date(2026, 11, 5))).then(0.9)
            .when(pl.col("key_result_id") == 101).then(0.5)
            .otherwise(pl.col("confidence")).alias("confidence")
        )
        frame = objective_forecast(tiny_snapshot(progress_update=updates), tiny_filters(), EXECUTIVE)
        grow = frame.filter(pl.col("id") == 1).row(0, named=True)
        assert grow["confidence"] == pytest.approx(2.0 / 3.0)


class TestPlanTime:
    """A phased key result is forecast against its plan, worked out on paper.

    KR 1 runs 0 -> 100 over Q4 (1 Oct - 31 Dec, n = 92 days); its plan is back-loaded: 10 by 15 Nov (day 46), 100 on
    the last day, so its path is (0, 0), (46, 0.1), (92, 1) and day x is 92 x 0.1 x / 46 = 0.2 x plan-days up to day 46.
    As of 15 Nov its history is the opening value 0 on 1 Oct (day 1: plan-day 0.2), then 24 Oct (day 24: 4.8) and
    15 Nov (day 46: 9.2). The plan has run 9.0 plan-days >= 5% of 92 = 4.6, so plan time is used.
    - On plan (5.1111 on 24 Oct, 10 on 15 Nov: 1.1111 per plan-day, no noise): 10 + 1.1111 x (92 - 9.2) = 102,
      progress 1.0. On the calendar: 10 / 45 days x 46 days left = +10.22 -> 0.2022.
    - At half the plan's pace (2.5556, 5): 5 + 0.5556 x 82.8 = 51 -> 0.51.
    """

    POINTS = pl.DataFrame({"key_result_id": [1, 1, 1], "x": [0.0, 46.0, 92.0], "y": [0.0, 0.1, 1.0]})
    AS_OF = date(2026, 11, 15)

    def _walk(self, values: tuple[float, float], milestones: pl.DataFrame | None) -> pl.DataFrame:
        key_results = pl.DataFrame(
            {"id": [1], "goal_id": [1], "weight": [1.0], "start_value": [0.0], "target_value": [100.0]}
        )
        updates = pl.DataFrame(
            {"key_result_id": [1, 1], "at": [date(2026, 10, 24), self.AS_OF], "value": list(values)},
            schema={"key_result_id": pl.Int64, "at": pl.Date, "value": pl.Float64},
        )
        periods = pl.DataFrame({"goal_id": [1], "start_date": [START], "end_date": [END]})
        return walk_parameters(key_results, updates, periods, self.AS_OF, milestones)

    def test_an_owner_on_a_back_loaded_plan_is_forecast_to_finish(self):
        walk = self._walk((10 / 9 * 4.6, 10.0), self.POINTS).row(0, named=True)
        assert walk["days_observed"] == pytest.approx(9.0)
        assert walk["days_left"] == pytest.approx(82.8)
        assert walk["drift"] == pytest.approx(10 / 9)
        assert walk["noise"] == pytest.approx(0.0, abs=1e-9)
        assert np.allclose(sample_progress(self._walk((10 / 9 * 4.6, 10.0), self.POINTS), 20), 1.0)

    def test_the_calendar_alone_would_say_a_fifth(self):
        walk = self._walk((10 / 9 * 4.6, 10.0), None)
        assert walk["days_left"].item() == pytest.approx(46.0)
        assert np.median(sample_progress(walk, 200)) == pytest.approx(0.2 + 0.1 / 45, abs=0.02)

    def test_half_the_plans_pace_is_forecast_at_about_half(self):
        walk = self._walk((5 / 9 * 4.6, 5.0), self.POINTS)
        assert walk["drift"].item() == pytest.approx(5 / 9)
        assert np.allclose(sample_progress(walk, 20), 0.51)

    def test_a_plan_that_has_hardly_begun_keeps_the_calendar(self):
        """A plan expecting nothing before day 46 (path (0, 0), (46, 0), (92, 1)) has run 0 plan-days by 15 Nov: the
        walk counts calendar days, exactly as without milestones."""
        flat = pl.DataFrame({"key_result_id": [1, 1, 1], "x": [0.0, 46.0, 92.0], "y": [0.0, 0.0, 1.0]})
        assert self._walk((4.0, 10.0), flat).equals(self._walk((4.0, 10.0), None))
