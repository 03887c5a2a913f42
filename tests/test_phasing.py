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
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from data.schema import table_schema
from queries.phasing import key_result_expected, phased_goal_expected
from queries.scope import scope_of
from tests.tiny_org import AS_OF, tiny_filters, tiny_snapshot, tiny_tables


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

    def test_goals_without_phased_key_results_keep_the_calendar(self):
        settings = _settings()
        linear = scope_of(tiny_snapshot(), tiny_filters()).progress(settings).sort("id")
        phased = scope_of(tiny_snapshot(key_result_milestone=PHASED), tiny_filters()).progress(settings).sort("id")
        others = pl.col("id") != 20
        assert phased.filter(others)["expected"].to_list() == linear.filter(others)["expected"].to_list()


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
