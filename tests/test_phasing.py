"""Phased targets: the expected path through a key result's milestones, worked out on paper on the tiny org.

Q4 2026 runs 1 Oct to 31 Dec: n = 92 days; 15 Nov (AS_OF) is day x = 46.
KR 100 (goal 20, weight 1) runs 0 -> 100 with milestones 4 due 15 Nov (x = 46) and 40 due 15 Dec (x = 76):
the path's points are (0, 0), (46, 4), (76, 40), (92, 100).
    24 Oct, x = 24: 24/46 * 4 = 2.0870           -> expected 0.020870
    15 Nov, x = 46: 4                            -> 0.04
     1 Dec, x = 62: 4 + (62-46)/(76-46) * 36 = 23.2   -> 0.232
    20 Dec, x = 81: 40 + (81-76)/(92-76) * 60 = 58.75 -> 0.5875
KR 101 (goal 20, weight 3) has no milestone: 46/92 = 0.5.
Goal 20 expects (0.04 * 1 + 0.5 * 3) / 4 = 0.385 instead of 0.5; its progress 0.275 gives pace 0.275 / 0.385
= 0.714, "at risk" (>= 0.7), where the calendar's 0.55 said "behind".

Goals without key results roll the phase gaps up. Goal 20's gap is 0.385 - 0.5 = -0.115; goals 21 (Q4) and 22 (Q3,
ended: calendar 1) have no phased key result, gap 0. Goal 10 (2026, calendar 319/365 = 0.873973) takes its progress
from 20, 21 and 22 (weight 1 each), so it expects 0.873973 + (-0.115 + 0 + 0) / 3 = 0.835639, and objective 1, fed
by 10 alone, the same; objective 2 has nothing measured under it and keeps 0.873973.
By region: North carries 20 and 22 under 10 (Beta's 21 is South): 0.873973 - 0.115 / 2 = 0.816473; South carries
21 alone: 0.873973, the calendar.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from data.schema import table_schema
from queries.phasing import key_result_expected, phase_gaps, phased_goal_expected
from queries.scope import scope_of
from tests.tiny_org import AS_OF, NORTH, SOUTH, tiny_filters, tiny_snapshot, tiny_tables


def _milestones(*rows: tuple[int, int, date, float]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"id": i, "key_result_id": kr, "at": at, "value": v} for i, kr, at, v in rows],
        schema=table_schema("key_result_milestone"),
    )


PHASED = _milestones((1, 100, date(2026, 11, 15), 4.0), (2, 100, date(2026, 12, 15), 40.0))


def _settings():
    from queries.model import Settings

    return Settings()


class TestPath:
    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            (date(2026, 10, 24), 24 / 46 * 4 / 100),
            (date(2026, 11, 15), 0.04),
            (date(2026, 12, 1), 0.232),
            (date(2026, 12, 20), 0.5875),
            (date(2026, 12, 31), 1.0),
            (date(2026, 9, 1), 0.0),
        ],
    )
    def test_the_path_through_the_milestones(self, day, expected):
        snapshot = tiny_snapshot(key_result_milestone=PHASED)
        frame = key_result_expected(snapshot, day)
        assert frame.filter(pl.col("key_result_id") == 100)["expected"].item() == pytest.approx(expected)

    def test_a_goal_expects_the_weighted_mean_of_its_key_results(self):
        snapshot = tiny_snapshot(key_result_milestone=PHASED)
        frame = phased_goal_expected(snapshot, AS_OF)
        assert frame["id"].to_list() == [20]
        assert frame["phased_expected"].item() == pytest.approx(0.385)

    def test_a_milestone_on_the_straight_line_changes_nothing(self):
        """The tiny org's own milestone (KR 104: 5 of 10 due on day 46) lies on the calendar's line."""
        snapshot = tiny_snapshot()
        assert tiny_tables()["key_result_milestone"].height == 1
        goal_31 = phased_goal_expected(snapshot, AS_OF).filter(pl.col("id") == 31)
        assert goal_31["phased_expected"].item() == pytest.approx(0.5)


class TestBoundaryDays:
    """Goal 20's gap on the days around its quarter (1 Oct - 31 Dec, n = 92), where the figures stop moving:
    30 Sep (x = 0): KR 100 expects 0, KR 101 the calendar's 0: gap 0.
     1 Oct (x = 1): KR 100 1/46 * 4 / 100 = 0.000870, KR 101 1/92 = 0.010870: (0.000870 + 3 * 0.010870) / 4
                    = 0.008370, gap 0.008370 - 0.010870 = -0.002500.
    31 Dec (x = 92) and any later day: both expect 1: gap 0.
    With a milestone of 90 due on 31 Dec, the target's point (92, 100) still ends the path: gap 0 on 31 Dec and
    after.
    With a milestone of 2 due on 30 Sep (x = 0, the start's point), KR 100 starts at 0.02: before the quarter
    goal 20 expects 0.02 / 4 = 0.005, gap 0.005, on 30 Sep and on 1 Sep alike."""

    @pytest.mark.parametrize(
        ("day", "gap"),
        [
            (date(2026, 9, 1), 0.0),
            (date(2026, 9, 30), 0.0),
            (date(2026, 10, 1), (1 / 46 * 4 / 100 + 3 / 92) / 4 - 1 / 92),
            (date(2026, 12, 31), 0.0),
            (date(2027, 1, 1), 0.0),
        ],
    )
    def test_the_gap_around_the_quarter(self, day, gap):
        snapshot = tiny_snapshot(key_result_milestone=PHASED)
        assert phase_gaps(snapshot, day).filter(pl.col("goal_id") == 20)["phase_gap"].item() == pytest.approx(gap)

    @pytest.mark.parametrize("day", [date(2026, 12, 31), date(2027, 1, 1), date(2027, 6, 30)])
    def test_the_target_ends_the_path_whatever_is_due_on_the_last_day(self, day):
        snapshot = tiny_snapshot(key_result_milestone=_milestones(
            (1, 100, date(2026, 11, 15), 4.0), (2, 100, date(2026, 12, 31), 90.0)))
        assert phase_gaps(snapshot, day).filter(pl.col("goal_id") == 20)["phase_gap"].item() == pytest.approx(0.0)

    @pytest.mark.parametrize("day", [date(2026, 9, 1), date(2026, 9, 30)])
    def test_a_milestone_on_the_day_before_the_start_holds_before_it(self, day):
        snapshot = tiny_snapshot(key_result_milestone=_milestones(
            (1, 100, date(2026, 9, 30), 2.0), (2, 100, date(2026, 12, 15), 40.0)))
        assert phase_gaps(snapshot, day).filter(pl.col("goal_id") == 20)["phase_gap"].item() == pytest.approx(0.005)


class TestStatus:
    def test_status_and_pace_follow_the_phased_expectation(self):
        settings = _settings()
        linear = scope_of(tiny_snapshot(), tiny_filters()).progress(settings).filter(pl.col("id") == 20).row(
            0, named=True
        )
        phased = scope_of(tiny_snapshot(key_result_milestone=PHASED), tiny_filters()).progress(settings).filter(
            pl.col("id") == 20
        ).row(0, named=True)
        assert (linear["expected"], linear["status"]) == (pytest.approx(0.5), "behind")
        assert phased["expected"] == pytest.approx(0.385)
        assert phased["pace_ratio"] == pytest.approx(0.275 / 0.385)
        assert phased["status"] == "at risk"

    def test_goals_without_a_phased_key_result_beneath_them_keep_the_calendar(self):
        settings = _settings()
        linear = scope_of(tiny_snapshot(), tiny_filters()).progress(settings).sort("id")
        phased = scope_of(tiny_snapshot(key_result_milestone=PHASED), tiny_filters()).progress(settings).sort("id")
        others = ~pl.col("id").is_in([20, 10, 1])
        assert phased.filter(others)["expected"].to_list() == linear.filter(others)["expected"].to_list()

    def test_goals_without_key_results_roll_the_phase_gaps_up(self):
        settings = _settings()
        progress = scope_of(tiny_snapshot(key_result_milestone=PHASED), tiny_filters()).progress(settings)
        expected = dict(zip(progress["id"].to_list(), progress["expected"].to_list(), strict=True))
        calendar = 319 / 365
        assert expected[10] == pytest.approx(calendar - 0.115 / 3)
        assert expected[1] == pytest.approx(0.835639, abs=1e-6)
        assert expected[2] == pytest.approx(calendar)
        row = progress.filter(pl.col("id") == 1).row(0, named=True)
        assert row["pace_ratio"] == pytest.approx(0.725 / (calendar - 0.115 / 3))

    def test_a_region_scope_follows_its_own_goals_milestones(self):
        settings = _settings()
        snapshot = tiny_snapshot(key_result_milestone=PHASED)
        north = scope_of(snapshot, tiny_filters(region_ids=(NORTH,))).objectives(settings)
        south = scope_of(snapshot, tiny_filters(region_ids=(SOUTH,))).objectives(settings)
        assert north.filter(pl.col("id") == 1)["expected"].item() == pytest.approx(319 / 365 - 0.115 / 2)
        assert south.filter(pl.col("id") == 1)["expected"].item() == pytest.approx(319 / 365)

    def test_the_pace_heatmap_by_region_follows_the_milestones(self):
        from queries.progress import pace_heatmap

        settings = _settings()
        heatmap = pace_heatmap(tiny_snapshot(key_result_milestone=PHASED), tiny_filters(), None, settings)
        cells = {row["column"]: row for row in heatmap.filter(pl.col("objective_id") == 1).iter_rows(named=True)}
        assert cells["North"]["expected"] == pytest.approx(0.816473, abs=1e-6)
        assert cells["North"]["pace_ratio"] == pytest.approx((0.275 + 1.0) / 2 / (319 / 365 - 0.0575))
        assert cells["South"]["expected"] == pytest.approx(319 / 365)

    def test_the_burn_up_and_the_trend_follow_the_milestones(self):
        """The burn-up's last sample is the as-of date, where objective 1 expects 0.835639; its first sample (1 Oct)
        expects what the scope's own roll-up as of that day says; the trend's "now" point is the as-of date too."""
        from dataclasses import replace

        from queries.progress import objective_burnup
        from queries.review import objective_trend

        settings = _settings()
        snapshot = tiny_snapshot(key_result_milestone=PHASED)
        burnup = objective_burnup(snapshot, tiny_filters(), None, settings).filter(pl.col("objective_id") == 1)
        assert burnup.filter(pl.col("date") == AS_OF)["expected"].item() == pytest.approx(0.835639, abs=1e-6)
        first = burnup["date"].min()
        then = scope_of(snapshot, replace(tiny_filters(), as_of=first)).progress(settings)
        assert burnup.filter(pl.col("date") == first)["expected"].item() == pytest.approx(
            then.filter(pl.col("id") == 1)["expected"].item()
        )
        trend = objective_trend(snapshot, tiny_filters(), None, settings).filter(pl.col("objective_id") == 1)
        assert trend.filter(pl.col("point") == "now")["expected"].item() == pytest.approx(0.835639, abs=1e-6)


class TestDemo:
    def test_a_realistic_share_of_business_key_results_is_phased_inside_its_period(self):
        """About 20% of business key results (10% back-loaded, 5% stepwise, 5% front-loaded), 2-3 milestones each,
        every one inside its goal's period; development key results are never phased."""
        from data.generate import build_tables
        tables = build_tables("small", 42, date(2026, 11, 25))
        milestones, key_results, goals = tables["key_result_milestone"], tables["key_result"], tables["goal"]
        business = key_results.join(goals.filter(pl.col("kind") == "business").select(pl.col("id").alias("goal_id")),
                                    on="goal_id", how="semi")
        phased = milestones["key_result_id"].unique()
        assert 0.14 < phased.len() / business.height < 0.26
        assert set(phased.to_list()) <= set(business["id"].to_list())
        assert set(milestones.group_by("key_result_id").len()["len"].unique().to_list()) == {2, 3}
        periods = (
            milestones.join(key_results.select(pl.col("id").alias("key_result_id"), "goal_id"), on="key_result_id")
            .join(goals.select(pl.col("id").alias("goal_id"), "period_id"), on="goal_id")
            .join(tables["period"].select(pl.col("id").alias("period_id"), "start_date", "end_date"), on="period_id")
        )
        assert periods.filter((pl.col("at") < pl.col("start_date")) | (pl.col("at") > pl.col("end_date"))).is_empty()
