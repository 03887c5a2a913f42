"""Check-in cadence on the tiny organisation (tests/tiny_org.py), numbers worked out on paper.

Active people 1..7 (Old, 8, has left). The people expected to have check-ins are those with a manager: 2..7 (the
Ceo has none, so is never counted, covered or lapsed). Check-ins held on or before AS_OF = 2026-11-15:
    Bob 1 Oct, 1 Nov;  Cat 1 Sep;  Ann 10 Nov;  Max 17 Oct;  Dana 16 Oct;  Ceo and Lee none (Old 1 Nov: inactive).
Days since last check-in: Ann 5, Bob 14, Max 29, Dana 30, Cat 75, Lee never.
Covered = a check-in at most 30 days before AS_OF (16 Oct .. 15 Nov): Ann, Bob, Max and Dana at exactly 30 days:
4 of 6. Lapsed = more than 30 days: Cat; never: Lee. So each of the 6 is exactly one of covered, lapsed and never,
and "lapsed people" (lapsed or never) = Cat, Lee = 2.
Q4 so far = 1 Oct .. 15 Nov = 46 days; check-ins held in it: Bob 2, Ann 1, Max 1, Dana 1 = 5, over 6 people.
"""

from datetime import date

import polars as pl
import pytest

from queries.checkins import (
    cadence_progress_association,
    cadence_vs_progress,
    checkin_coverage,
    checkin_kpis,
    days_since_distribution,
    elapsed_days,
    lapsed_people,
    manager_cadence,
    person_cadence,
    weekly_checkins,
)
from queries.model import Settings, Viewer
from tests.tiny_org import ALPHA, AS_OF, BETA, NORTH, Q3, Q4, SOUTH, tiny_filters, tiny_snapshot, tiny_tables

HR = Viewer("hr@acme.example", "hr")
SETTINGS = Settings()
DAYS = 46  # 1 Oct .. 15 Nov


def kpis(**filters) -> dict[str, tuple[float | None, float | None]]:
    frame = checkin_kpis(tiny_snapshot(), tiny_filters(**filters), HR)
    return {row["kpi"]: (row["value"], row["previous"]) for row in frame.to_dicts()}


def by_name(frame: pl.DataFrame, key: str = "manager") -> dict[str, dict]:
    return {row[key]: row for row in frame.to_dicts()}


def with_checkins(*extra: tuple[int, int, date]) -> dict[str, pl.DataFrame]:
    """The tiny check-ins plus `extra` (employee, manager, held_at) rows."""
    base = tiny_tables()["checkin"]
    rows = pl.DataFrame(
        {
            "id": [100 + i for i in range(len(extra))],
            "employee_id": [e for e, _, _ in extra],
            "manager_id": [m for _, m, _ in extra],
            "held_at": [d for _, _, d in extra],
            "kind": ["1:1"] * len(extra),
        },
        schema=base.schema,
    )
    return {"checkin": pl.concat([base, rows])}


class TestPersonCadence:
    def test_days_since_covered_and_lapsed(self):
        frame = person_cadence(tiny_snapshot(), Q4, AS_OF, SETTINGS)
        rows = by_name(frame, "name")
        assert {n: r["days_since"] for n, r in rows.items()} == {
            "Dana": 30, "Ann": 5, "Bob": 14, "Cat": 75, "Lee": None, "Max": 29,
        }  # fmt: skip
        assert sorted(n for n, r in rows.items() if r["covered"]) == ["Ann", "Bob", "Dana", "Max"]
        assert sorted(n for n, r in rows.items() if r["lapsed"]) == ["Cat", "Lee"]
        assert "Old" not in rows and "Ceo" not in rows  # inactive people and people without a manager never count

    def test_the_boundary_day_is_covered_and_one_day_more_is_lapsed(self):
        # Dana's last check-in was 16 Oct: 30 days before 15 Nov (covered), 31 days before 16 Nov (lapsed).
        on_the_day = by_name(person_cadence(tiny_snapshot(), Q4, AS_OF, SETTINGS), "name")["Dana"]
        day_after = by_name(person_cadence(tiny_snapshot(), Q4, date(2026, 11, 16), SETTINGS), "name")["Dana"]
        assert (on_the_day["days_since"], on_the_day["covered"], on_the_day["state"]) == (30, True, "covered")
        assert (day_after["days_since"], day_after["covered"], day_after["state"]) == (31, False, "lapsed")

    def test_every_person_is_exactly_one_of_covered_lapsed_and_never(self):
        for as_of in (date(2026, 10, 1), AS_OF, date(2026, 11, 16), date(2026, 12, 31)):
            frame = person_cadence(tiny_snapshot(), Q4, as_of, SETTINGS)
            states = frame.select(
                pl.col("covered").cast(pl.Int8) + (pl.col("lapsed") & ~pl.col("never")).cast(pl.Int8)
                + pl.col("never").cast(pl.Int8)
            ).to_series()
            assert states.to_list() == [1] * frame.height, as_of
            assert set(frame["state"]) <= {"covered", "lapsed", "never"}

    def test_checkins_so_far_this_period(self):
        rows = by_name(person_cadence(tiny_snapshot(), Q4, AS_OF, SETTINGS), "name")
        assert {n: r["checkins"] for n, r in rows.items()} == {
            "Dana": 1, "Ann": 1, "Bob": 2, "Cat": 0, "Lee": 0, "Max": 1,
        }  # fmt: skip
        assert elapsed_days(tiny_snapshot(), Q4, AS_OF) == DAYS

    def test_the_lapse_threshold_is_a_setting(self):
        rows = by_name(person_cadence(tiny_snapshot(), Q4, AS_OF, Settings(lapse_days=14)), "name")
        # more than 14 days: Dana 30, Max 29, Cat 75, and Lee who never had one; Bob at exactly 14 is not
        assert sorted(n for n, r in rows.items() if r["lapsed"]) == ["Cat", "Dana", "Lee", "Max"]


class TestKpis:
    def test_current_values(self):
        values = kpis()
        assert values["coverage"][0] == pytest.approx(4 / 6)
        assert values["median_days_since"][0] == 29  # median of 5, 14, 29, 30, 75
        assert values["checkins_per_person"][0] == pytest.approx(5 / 6 / DAYS * 30)
        assert values["lapsed_people"][0] == 2

    def test_previous_period_at_the_comparable_date(self):
        # Q3 as of 15 Aug (45 days in, like 15 Nov in Q4): nobody had a check-in yet
        values = kpis()
        assert values["coverage"][1] == 0.0
        assert values["median_days_since"][1] is None
        assert values["checkins_per_person"][1] == 0.0
        assert values["lapsed_people"][1] == 6

    def test_team_filter(self):
        values = kpis(org_unit_id=ALPHA)  # Ann 5, Bob 14, Cat 75
        assert values["coverage"][0] == pytest.approx(2 / 3)
        assert values["median_days_since"][0] == 14
        assert values["checkins_per_person"][0] == pytest.approx(3 / 3 / DAYS * 30)
        assert values["lapsed_people"][0] == 1

    def test_region_filter(self):
        values = kpis(region_ids=(SOUTH,))  # Cat 75, Lee never, Max 29
        assert values["coverage"][0] == pytest.approx(1 / 3)
        assert values["median_days_since"][0] == 52  # median of 29 and 75
        assert values["lapsed_people"][0] == 2

    def test_coverage_query_is_unchanged(self):
        assert checkin_coverage(tiny_snapshot(), tiny_filters(), HR)["coverage"][0] == pytest.approx(4 / 6)

    def test_nobody_in_scope_gives_no_numbers(self):
        values = kpis(region_ids=(99,))
        assert all(now is None for now, _ in values.values())


class TestOneSnapshotManyChoices:
    def test_each_filter_choice_and_setting_keeps_its_own_figures(self):
        """The cadence in scope is memoised per filters and settings on the snapshot: one snapshot answering several
        choices in a row gives each its own figures (the same as on a fresh snapshot, above)."""
        snapshot = tiny_snapshot()

        def figures(filters, settings=SETTINGS):
            frame = checkin_kpis(snapshot, filters, HR, settings)
            return {row["kpi"]: row["value"] for row in frame.to_dicts()}

        whole, alpha, south = (
            figures(tiny_filters()),
            figures(tiny_filters(org_unit_id=ALPHA)),
            figures(tiny_filters(region_ids=(SOUTH,))),
        )
        assert (whole["coverage"], alpha["coverage"], south["coverage"]) == pytest.approx((4 / 6, 2 / 3, 1 / 3))
        assert figures(tiny_filters(), Settings(lapse_days=14))["lapsed_people"] == 4  # Cat, Dana, Lee, Max
        assert figures(tiny_filters())["lapsed_people"] == 2  # Cat, Lee again at 30 days
        assert sorted(lapsed_people(snapshot, tiny_filters(as_of=date(2026, 12, 1)), HR)["name"]) == [
            "Cat", "Dana", "Lee", "Max",
        ]  # fmt: skip


class TestDistribution:
    def test_weekly_bins_with_never_last(self):
        frame = days_since_distribution(tiny_snapshot(), tiny_filters(), HR).filter(pl.col("people") > 0)
        assert frame.select("days", "state", "people").rows() == [
            ("0–6", "not lapsed", 1),  # Ann 5
            ("14–20", "not lapsed", 1),  # Bob 14
            ("28–34", "not lapsed", 2),  # Max 29, Dana 30
            ("70–76", "lapsed", 1),  # Cat 75
            ("never", "lapsed", 1),  # Lee
        ]

    def test_every_bin_is_present(self):
        frame = days_since_distribution(tiny_snapshot(), tiny_filters(), HR)
        assert frame.height == 15 * 2  # 13 weeks, 91+, never; lapsed and not
        assert frame["people"].sum() == 6


class TestWeekly:
    def test_by_team(self):
        frame = weekly_checkins(tiny_snapshot(), tiny_filters(), HR, by="team")
        weeks = frame["week"].unique().sort().to_list()
        assert weeks[0] == date(2026, 9, 28) and weeks[-1] == date(2026, 11, 9) and len(weeks) == 7
        alpha = frame.filter(pl.col("group") == "Alpha")
        # Bob 1 Oct (week of 28 Sep), Bob 1 Nov (a Sunday: week of 26 Oct), Ann 10 Nov (week of 9 Nov)
        assert dict(zip(alpha["week"], alpha["checkins"], strict=True)) == {
            date(2026, 9, 28): 1, date(2026, 10, 5): 0, date(2026, 10, 12): 0, date(2026, 10, 19): 0,
            date(2026, 10, 26): 1, date(2026, 11, 2): 0, date(2026, 11, 9): 1,
        }  # fmt: skip
        assert alpha.filter(pl.col("week") == date(2026, 9, 28))["per_person"][0] == pytest.approx(1 / 3)
        assert frame["checkins"].sum() == 5

    def test_largest_teams_first_and_limited(self):
        frame = weekly_checkins(tiny_snapshot(), tiny_filters(), HR, by="team", limit=2)
        assert frame["group"].unique(maintain_order=True).to_list() == ["Alpha", "Beta"]  # 3 and 2 people

    def test_by_region(self):
        frame = weekly_checkins(tiny_snapshot(), tiny_filters(), HR, by="region")
        totals = frame.group_by("group").agg(pl.col("checkins").sum(), pl.col("people").first())
        assert dict(zip(totals["group"], zip(totals["people"], totals["checkins"], strict=True), strict=True)) == {
            "North": (3, 4),  # Dana, Ann, Bob (the Ceo has no manager); Bob twice, Ann, Dana
            "South": (3, 1),  # Cat, Lee, Max; Max
        }

    def test_region_filter_narrows(self):
        frame = weekly_checkins(tiny_snapshot(), tiny_filters(region_ids=(NORTH,)), HR, by="team")
        assert set(frame["group"]) == {"Engineering", "Alpha"}  # Acme holds the Ceo alone, who has no manager
        assert frame.filter(pl.col("group") == "Alpha")["people"][0] == 2  # Ann, Bob (Cat sits South)


class TestManagers:
    def test_manager_table(self):
        rows = by_name(manager_cadence(tiny_snapshot(), tiny_filters(), HR))
        assert set(rows) == {"Ceo", "Dana", "Ann", "Lee"}
        ann = rows["Ann"]  # Bob (2 check-ins, 31 days apart) and Cat (none this quarter, 75 days: lapsed)
        assert (ann["reports"], ann["lapsed_reports"], ann["median_interval"]) == (2, 1, 31)
        assert ann["checkins_per_report"] == pytest.approx(2 / 2 / DAYS * 30)
        dana = rows["Dana"]  # Ann (1) and Lee (never: lapsed)
        assert (dana["reports"], dana["lapsed_reports"], dana["median_interval"]) == (2, 1, None)
        assert dana["checkins_per_report"] == pytest.approx(1 / 2 / DAYS * 30)
        assert rows["Lee"]["reports"] == 1  # Max; Old has left
        assert rows["Ceo"]["lapsed_reports"] == 0  # Dana at exactly 30 days is not lapsed

    def test_interval_reaches_back_before_the_period(self):
        # Cat meets Ann on 11 Oct: 40 days after 1 Sep. Ann's intervals are then 31 (Bob) and 40 (Cat).
        snap = tiny_snapshot(**with_checkins((5, 3, date(2026, 10, 11))))
        ann = by_name(manager_cadence(snap, tiny_filters(), HR))["Ann"]
        assert ann["median_interval"] == pytest.approx(35.5)
        assert ann["lapsed_reports"] == 1  # 11 Oct is 35 days before AS_OF: Cat is still lapsed

    def test_filters_keep_the_reports_in_scope(self):
        rows = by_name(manager_cadence(tiny_snapshot(), tiny_filters(org_unit_id=ALPHA), HR))
        assert set(rows) == {"Dana", "Ann"}  # Ann reports to Dana; Bob and Cat to Ann
        assert rows["Dana"]["reports"] == 1 and rows["Dana"]["lapsed_reports"] == 0

    def test_worst_first(self):
        frame = manager_cadence(tiny_snapshot(), tiny_filters(), HR)
        assert frame["lapsed_reports"].to_list() == sorted(frame["lapsed_reports"].to_list(), reverse=True)


class TestLapsedPeople:
    def test_never_first_then_longest(self):
        frame = lapsed_people(tiny_snapshot(), tiny_filters(), HR)
        assert frame.select("name", "days_since", "manager").rows() == [
            ("Lee", None, "Dana"),
            ("Cat", 75, "Ann"),
        ]

    def test_scoped_by_filters(self):
        assert lapsed_people(tiny_snapshot(), tiny_filters(org_unit_id=BETA), HR)["name"].to_list() == ["Lee"]

    def test_a_later_as_of_date_lapses_more_people(self):
        # By 1 Dec: Ann 21 days, Bob 30, Max 45, Dana 46 days.
        frame = lapsed_people(tiny_snapshot(), tiny_filters(as_of=date(2026, 12, 1)), HR)
        assert sorted(frame["name"]) == ["Cat", "Dana", "Lee", "Max"]


class TestCadenceVsProgress:
    def test_per_team(self):
        rows = by_name(cadence_vs_progress(tiny_snapshot(), tiny_filters(), HR), "team")
        # Alpha: Ann, Bob, Cat held 3 check-ins; goals 20 (0.275), 30 (1.0), 31 (0.2), expected 0.5 each
        assert rows["Alpha"]["checkins_per_person"] == pytest.approx(3 / 3 / DAYS * 30)
        assert rows["Alpha"]["pace"] == pytest.approx(1.475 / 1.5)
        # Beta: Lee, Max held 1; goals 21 (0.9), 32 (0.6)
        assert rows["Beta"]["checkins_per_person"] == pytest.approx(1 / 2 / DAYS * 30)
        assert rows["Beta"]["pace"] == pytest.approx(1.5 / 1.0)

    def test_region_filter_narrows_people_and_goals(self):
        rows = by_name(cadence_vs_progress(tiny_snapshot(), tiny_filters(region_ids=(SOUTH,)), HR), "team")
        # Alpha in the South: Cat alone, no check-in this quarter; her goal 31 (0.2 of 0.5)
        assert rows["Alpha"]["checkins_per_person"] == 0.0
        assert rows["Alpha"]["pace"] == pytest.approx(0.4)

    def test_two_teams_are_too_few_for_a_correlation(self):
        row = cadence_progress_association(tiny_snapshot(), tiny_filters(), HR).row(0, named=True)
        assert row["n"] == 2 and row["r"] is None and row["ci_low"] is None

    def test_previous_period_has_no_check_ins(self):
        frame = cadence_vs_progress(tiny_snapshot(), tiny_filters(period_id=Q3, as_of=date(2026, 8, 15)), HR)
        assert frame["checkins_per_person"].to_list() == [0.0] * frame.height


class TestPage:
    """The Check-ins screen through AppTest, on the tiny demo organisation."""

    PAGE = "pages/people/checkins.py"

    @staticmethod
    def metrics(at) -> dict[str, str]:
        return {m.label: m.value for m in at.metric}

    def test_renders_kpis_charts_and_tables(self, app_test):
        at = app_test(page=self.PAGE)
        assert not at.exception
        assert [t.value for t in at.title] == ["Check-ins"]
        assert set(self.metrics(at)) == {
            "Check-in coverage", "Median days since check-in", "Check-ins / person / 30 days", "Lapsed people",
        }  # fmt: skip
        assert self.metrics(at)["Check-in coverage"].endswith("%")
        assert len(at.get("vega_lite_chart")) >= 3  # distribution, heatmap, cadence vs progress
        assert len(at.dataframe) == 2  # managers, lapsed people
        assert len(at.dataframe[0].value) > 0

    def test_a_region_filter_changes_the_numbers(self, app_test):
        at = app_test(page=self.PAGE)
        before = self.metrics(at), len(at.dataframe[0].value)
        at.sidebar.multiselect(key="f_regions").set_value([1]).run()
        assert not at.exception
        assert (self.metrics(at), len(at.dataframe[0].value)) != before
        assert "region" in at.query_params

    def test_heatmap_by_region(self, app_test):
        at = app_test(page=self.PAGE)
        at.button_group(key="checkins_heatmap_by").set_value("Region").run()
        assert not at.exception
        assert not any("largest teams" in c.value for c in at.caption)
