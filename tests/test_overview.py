"""Overview KPIs on the tiny organisation, worked out by hand (see tests/tiny_org.py)."""

import polars as pl
import pytest

from queries.alignment import period_alignment
from queries.model import Viewer
from queries.overview import objective_progress, objectives_most_behind, overview_kpis
from tests.tiny_org import ALPHA, BETA, NORTH, Q4, SOUTH, tiny_filters, tiny_snapshot

HR = Viewer("hr@acme.example", "hr")
YEAR_PACE = 319 / 365


def kpis(**filters) -> dict[str, float | None]:
    frame = overview_kpis(tiny_snapshot(), tiny_filters(**filters), HR)
    return dict(zip(frame["kpi"].to_list(), frame["value"].to_list(), strict=True))


def previous(**filters) -> dict[str, float | None]:
    frame = overview_kpis(tiny_snapshot(), tiny_filters(**filters), HR)
    return dict(zip(frame["kpi"].to_list(), frame["previous"].to_list(), strict=True))


class TestWholeOrganisation:
    def test_status_shares(self):
        # Measured business goals in Q4 + 2026: 1 (at risk), 10 (at risk), 20 (behind), 21, 30, 32 (on track),
        # 31 (behind)
        values = kpis()
        assert values["on_track"] == pytest.approx(3 / 7)
        assert values["at_risk"] == pytest.approx(2 / 7)
        assert values["behind"] == pytest.approx(2 / 7)

    def test_progress_against_pace(self):
        # Progress is the objectives' weighted progress: objective 1 (weight 1) at 0.725; objective 2 has no data, so
        # it is counted apart and left out. The goals' plain mean stays as a second figure.
        values = kpis()
        assert values["progress"] == pytest.approx(0.725)
        assert values["expected"] == pytest.approx(YEAR_PACE)
        assert values["objectives_no_data"] == 1
        assert values["goals_progress"] == pytest.approx((0.725 + 0.725 + 0.275 + 0.9 + 1.0 + 0.2 + 0.6) / 7)
        assert values["goals_expected"] == pytest.approx((2 * YEAR_PACE + 5 * 0.5) / 7)

    def test_progress_weighs_objectives_by_their_weight(self):
        """Objective 2 gets weight 3 and one key result 0 -> 10 at 4 (0.4, no history): progress
        = (1 × 0.725 + 3 × 0.4) / (1 + 3) = 0.48125; expected = 319/365 for both, so the same; none without data."""
        snap = tiny_snapshot()
        goals = snap.goal.with_columns(pl.when(pl.col("id") == 2).then(3.0).otherwise(pl.col("weight")).alias("weight"))
        extra = pl.DataFrame(
            [{"id": 999, "goal_id": 2, "metric": "m", "start_value": 0.0, "target_value": 10.0, "current_value": 4.0,
              "direction": "increase", "weight": 1.0}],
            schema=snap.key_result.schema,
        )
        changed = tiny_snapshot(goal=goals, key_result=pl.concat([snap.key_result, extra]))
        frame = overview_kpis(changed, tiny_filters(), HR)
        values = dict(zip(frame["kpi"].to_list(), frame["value"].to_list(), strict=True))
        assert values["progress"] == pytest.approx((0.725 + 3 * 0.4) / 4)
        assert values["expected"] == pytest.approx(YEAR_PACE)
        assert values["objectives_no_data"] == 0

    def test_alignment_counts_business_goals_below_company(self):
        # 10, 20, 21, 30, 32 ladder up; 31 is an orphan (its "supports" link does not count)
        assert kpis()["alignment"] == pytest.approx(5 / 6)

    def test_checkin_coverage_and_ratings(self):
        values = kpis()
        # Bob, Ann, Max and Dana (exactly 30 days) of the 6 active people with a manager (not the Ceo)
        assert values["checkin_coverage"] == pytest.approx(4 / 6)
        assert values["people_rated"] == 5
        assert values["objectives"] == 2

    def test_previous_period_is_compared_at_the_same_point(self):
        # Q3 as of 15 Aug (46 days in, like 15 Nov in Q4). Q3 + year goals: 1, 2, 10, 22.
        # KR107 at 5 -> 22 = 0.5; Q4 KRs have no value yet -> 20 = 21 = 0; 10 = 1 = 0.5 / 3.
        values = previous()
        assert values["progress"] == pytest.approx(0.5 / 3)  # objective 1; objective 2 has no data
        assert values["goals_progress"] == pytest.approx((0.5 / 3 + 0.5 / 3 + 0.5) / 3)
        assert values["checkin_coverage"] == 0.0  # no check-in between 17 Jul and 15 Aug


class TestFilteredScope:
    def test_team_alpha(self):
        # Alpha's Q4 business goals: 20 (0.275 behind), 30 (1.0 on track), 31 (0.2 behind)
        values = kpis(org_unit_id=ALPHA)
        assert values["progress"] == pytest.approx(0.6375)  # objective 1 as carried by Alpha (see below)
        assert values["goals_progress"] == pytest.approx((0.275 + 1.0 + 0.2) / 3)
        assert values["behind"] == pytest.approx(2 / 3)
        assert values["alignment"] == pytest.approx(2 / 3)
        assert values["checkin_coverage"] == pytest.approx(2 / 3)  # Ann and Bob, not Cat
        assert values["people_rated"] == 3
        assert values["objectives"] == 1

    def test_objective_as_carried_by_a_team(self):
        # Alpha carries 10 through 20 (0.275) and 22 (1.0): 1 = 10 = 0.6375
        frame = objective_progress(tiny_snapshot(), tiny_filters(org_unit_id=ALPHA), HR)
        assert frame["title"].to_list() == ["Grow revenue"]
        assert frame["progress"][0] == pytest.approx(0.6375)
        assert frame["contributing_goals"][0] == 2  # 20 and 30 (Q4 goals in scope)

    def test_region_filter_uses_the_owner_region_for_individual_goals(self):
        # South: Beta's goals (team region South) and Cat's goal 31 (Cat sits South); Lee, Max and Cat are South people.
        values = kpis(region_ids=(SOUTH,))
        assert values["checkin_coverage"] == pytest.approx(1 / 3)  # Max of Cat, Lee, Max
        north = kpis(region_ids=(NORTH,))
        assert north["checkin_coverage"] == pytest.approx(3 / 3)  # Bob, Ann, Dana (30 days); the Ceo has no manager

    def test_empty_scope_gives_empty_figures_not_errors(self):
        values = kpis(org_unit_id=BETA, region_ids=(NORTH,))
        assert values["objectives"] == 0
        assert values["progress"] is None


def test_objectives_most_behind_puts_the_worst_first():
    frame = objectives_most_behind(tiny_snapshot(), tiny_filters(), HR)
    assert frame["title"].to_list() == ["Grow revenue"]  # "Delight customers" has nothing to measure


def test_alignment_follows_parents_and_contributes_links_within_the_year():
    frame = period_alignment(tiny_snapshot(), Q4)
    objective = dict(zip(frame["id"].to_list(), frame["objective_id"].to_list(), strict=True))
    assert objective[30] == 1 and objective[32] == 1 and objective[10] == 1
    assert objective[31] is None and objective[33] is None
    # A cross-team "contributes" link makes the orphan aligned.
    snap = tiny_snapshot()
    links = snap.goal_link.with_columns(pl.lit("contributes").alias("link_type"))
    frame = period_alignment(tiny_snapshot(goal_link=links), Q4)
    assert frame.filter(pl.col("id") == 31)["objective_id"][0] == 1


def test_settings_that_are_not_numbers_are_errors_not_defaults():
    from data.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="lapse_days"):
        load_config({"ladder": {"on_track_ratio": "0.8", "lapse_days": "soon"}}, {})
    assert load_config({"ladder": {"on_track_ratio": "0.8"}}, {}).settings.on_track_ratio == 0.8
