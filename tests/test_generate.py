"""The demo organisation generator: deterministic, whole, acyclic, and carrying the facts it plants."""

from __future__ import annotations

from datetime import date, timedelta
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, UniqueConstraint, text

from data.db import make_engine, upgrade
from data.generate import PROFILES, build_tables, checkins, generate, key_results, main
from data.generate.draws import DrawRun
from data.schema import SNAPSHOT_TABLES, Base, table_schema

TODAY = date(2026, 11, 25)
LAST_YEAR_START = date(TODAY.year - 1, 1, 1)
CURRENT_CYCLE, PREVIOUS_CYCLE = 2, 1


@pytest.fixture(scope="module")
def tiny() -> dict[str, pl.DataFrame]:
    return build_tables("tiny", 7, TODAY)


@pytest.fixture(scope="module")
def small() -> dict[str, pl.DataFrame]:
    return build_tables("small", 42, TODAY)


def top_share(ratings: pl.DataFrame, column: str, value: str) -> float:
    """Share of post-calibration ratings of 4 or 5 among people whose `column` equals `value`."""
    return ratings.filter(pl.col(column) == value)["post_calibration"].ge(4).mean()


class TestDeterminism:
    def test_same_seed_and_today_give_identical_frames(self, tiny: dict[str, pl.DataFrame]) -> None:
        again = build_tables("tiny", 7, TODAY)
        for name in SNAPSHOT_TABLES:
            assert_frame_equal(tiny[name], again[name])

    def test_another_seed_gives_another_organisation(self, tiny: dict[str, pl.DataFrame]) -> None:
        other = build_tables("tiny", 8, TODAY)
        assert not tiny["employee"].equals(other["employee"])
        assert not tiny["checkin"].equals(other["checkin"])

    def test_today_moves_the_history(self, tiny: dict[str, pl.DataFrame]) -> None:
        earlier = build_tables("tiny", 7, TODAY - timedelta(days=60))
        assert earlier["checkin"]["held_at"].max() <= TODAY - timedelta(days=60)
        assert earlier["progress_update"].height < tiny["progress_update"].height

    def test_unknown_profile_is_refused(self) -> None:
        with pytest.raises(ValueError, match="huge"):
            build_tables("huge", 1, TODAY)

    def test_drawing_in_slices_gives_the_same_organisation(
        self, tiny: dict[str, pl.DataFrame], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Update histories 7 key results and check-ins 5 reports at a time: every table is as drawn in one go
        (the tables built after them also prove the generator was left where one go leaves it)."""
        monkeypatch.setattr(key_results, "SLICE_KEY_RESULTS", 7)
        monkeypatch.setattr(checkins, "SLICE_REPORTS", 5)
        sliced = build_tables("tiny", 7, TODAY)
        for name in SNAPSHOT_TABLES:
            assert_frame_equal(sliced[name], tiny[name])


DRAWS = {
    "random": lambda rng, size: rng.random(size),
    "normal": lambda rng, size: rng.normal(0, 0.03, size),
    "integers": lambda rng, size: rng.integers(-2, 3, size),
    "choice": lambda rng, size: rng.choice((-2, -1, 1, 2), size=size),
    "weighted choice": lambda rng, size: rng.choice(3, size=size, p=(0.6, 0.3, 0.1)),
}


class TestDrawRun:
    @given(
        kind=st.sampled_from(sorted(DRAWS)),
        before=st.integers(0, 3),
        cuts=st.lists(st.integers(0, 2_000), max_size=6),
        extra=st.integers(0, 3_000),
    )
    @settings(max_examples=60, deadline=None)
    def test_a_run_read_in_slices_is_the_run_drawn_in_one_call(
        self, kind: str, before: int, cuts: list[int], extra: int
    ) -> None:
        """Slices of any sizes join into the one call, and the generator ends where the one call leaves it
        (an odd number of 32-bit draws leaves half a 64-bit word behind: the next integers show it)."""
        draw = DRAWS[kind]
        total = sum(cuts) + extra
        one_call, sliced = (np.random.Generator(np.random.PCG64(11)) for _ in range(2))
        for rng in (one_call, sliced):
            rng.integers(0, 5, before)
        expected = draw(one_call, total)
        read = DrawRun(sliced, draw, total).reader()
        got = np.concatenate([read(size) for size in [*cuts, extra]])
        np.testing.assert_array_equal(got, expected)
        assert sliced.bit_generator.state == one_call.bit_generator.state
        np.testing.assert_array_equal(sliced.integers(0, 5, 3), one_call.integers(0, 5, 3))


class TestShape:
    @pytest.mark.parametrize("name", SNAPSHOT_TABLES)
    def test_frames_have_exactly_the_model_columns(self, small: dict[str, pl.DataFrame], name: str) -> None:
        assert small[name].schema == pl.Schema(table_schema(name))

    def test_profiles_have_their_headcount(self, tiny: dict[str, pl.DataFrame], small: dict[str, pl.DataFrame]) -> None:
        assert tiny["employee"].height == PROFILES["tiny"].employees
        assert small["employee"].height == PROFILES["small"].employees

    def test_org_tree_has_five_levels_with_teams_of_six_to_a_dozen(self, small: dict[str, pl.DataFrame]) -> None:
        units = small["org_unit"]
        count = dict(units["kind"].value_counts().iter_rows())
        assert count["company"] == 1 and 5 <= count["division"] <= 7
        assert count["division"] < count["department"] < count["team"]
        team_sizes = (
            small["employee"]
            .join(units.filter(pl.col("kind") == "team").select(org_unit_id="id"), on="org_unit_id")
            .group_by("org_unit_id")
            .len()["len"]
        )
        assert team_sizes.min() >= 6 and team_sizes.max() <= 14 and 7.5 <= team_sizes.mean() <= 9.5

    def test_periods_are_two_years_and_their_quarters(self, small: dict[str, pl.DataFrame]) -> None:
        periods = small["period"]
        assert sorted(periods.filter(pl.col("kind") == "year")["id"]) == [20250, 20260]
        quarters = periods.filter(pl.col("kind") == "quarter")
        assert quarters.height == 8
        assert (quarters["parent_id"] == quarters["year"] * 10).all()
        assert "2026-Q4" in quarters["name"].to_list()


class TestIntegrity:
    def test_every_foreign_key_points_at_a_row(self, small: dict[str, pl.DataFrame]) -> None:
        assert_foreign_keys_hold(small)

    @pytest.mark.parametrize("today", [date(2026, 1, 5), date(2026, 3, 10), date(2026, 7, 1)])
    def test_any_day_of_the_year_gives_a_whole_organisation(self, today: date) -> None:
        tables = build_tables("tiny", 7, today)
        assert_foreign_keys_hold(tables)
        assert tables["checkin"]["held_at"].max() <= today
        assert tables["progress_update"]["at"].max() <= today
        open_cycles = tables["review_cycle"].filter(pl.col("closed_on").is_null())
        assert (open_cycles.height == 0) == (today >= date(today.year, 7, 15))

    @pytest.mark.parametrize("name", SNAPSHOT_TABLES)
    def test_primary_and_unique_keys_are_unique(self, small: dict[str, pl.DataFrame], name: str) -> None:
        table = Base.metadata.tables[name]
        keys = [[c.name for c in table.primary_key.columns]]
        keys += [[c.name for c in constraint.columns] for constraint in table.constraints if _is_unique(constraint)]
        keys += [[c.name] for c in table.columns if c.unique]
        for columns in keys:
            assert not small[name].select(columns).is_duplicated().any(), f"{name}{columns}"

    def test_every_employee_but_the_ceo_has_a_manager_with_a_lower_id(self, small: dict[str, pl.DataFrame]) -> None:
        employees = small["employee"]
        assert employees.filter(pl.col("manager_id").is_null())["id"].to_list() == [1]
        assert (employees["manager_id"].drop_nulls() < employees["id"].filter(employees["id"] > 1)).all()

    def test_team_members_report_to_their_team_lead(self, small: dict[str, pl.DataFrame]) -> None:
        employees, units = small["employee"], small["org_unit"]
        teams = units.filter(pl.col("kind") == "team").select(org_unit_id="id")
        in_teams = employees.join(teams, on="org_unit_id")
        leads = in_teams.join(in_teams.select(manager_id="id"), on="manager_id", how="anti")
        assert leads.group_by("org_unit_id").len()["len"].max() == 1  # one lead per team
        members = in_teams.join(leads.select("id"), on="id", how="anti")
        with_lead = members.join(leads.select(manager_id="id", lead_unit="org_unit_id"), on="manager_id")
        assert with_lead.height == members.height
        assert (with_lead["org_unit_id"] == with_lead["lead_unit"]).all()

    def test_key_result_targets_differ_from_starts_and_match_direction(self, small: dict[str, pl.DataFrame]) -> None:
        results = small["key_result"]
        assert (results["target_value"] != results["start_value"]).all()
        decreasing = results["target_value"] < results["start_value"]
        assert (decreasing == (results["direction"] == "decrease")).all()
        assert 0.15 <= decreasing.mean() <= 0.25

    def test_emails_are_unique_and_on_the_demo_domain(self, small: dict[str, pl.DataFrame]) -> None:
        emails = small["employee"]["email"]
        assert emails.str.ends_with("@ladder.example").all()
        assert emails.n_unique() == emails.len()


class TestGoals:
    def test_goal_graph_has_no_cycle(self, small: dict[str, pl.DataFrame]) -> None:
        goals, links = small["goal"], small["goal_link"]
        successors: dict[int, set[int]] = {}
        for child, parent in goals.drop_nulls("parent_id").select("id", "parent_id").iter_rows():
            successors.setdefault(child, set()).add(parent)
        for source, target in links.select("goal_id", "target_goal_id").iter_rows():
            successors.setdefault(source, set()).add(target)
        try:
            tuple(TopologicalSorter(successors).static_order())
        except CycleError as cycle:  # pragma: no cover - the failure message is the point
            pytest.fail(f"goal graph has a cycle: {cycle.args[1]}")

    def test_goals_ladder_to_the_level_above_in_the_same_period(self, small: dict[str, pl.DataFrame]) -> None:
        goals, periods = small["goal"], small["period"]
        year_of = periods.select(period_id="id", year="year")
        with_parent = (
            goals.drop_nulls("parent_id")
            .join(year_of, on="period_id")
            .join(
                goals.select(parent_id="id", parent_level="level", parent_period="period_id"),
                on="parent_id",
            )
            .join(year_of.rename({"period_id": "parent_period", "year": "parent_year"}), on="parent_period")
        )
        expected_parent = {"department": "company", "team": "department", "individual": "team"}
        for level, parent_level in expected_parent.items():
            rows = with_parent.filter(pl.col("level") == level)
            assert (rows["parent_level"] == parent_level).all(), level
            assert (rows["year"] == rows["parent_year"]).all(), level
        individual = with_parent.filter(pl.col("level") == "individual")
        assert (individual["period_id"] == individual["parent_period"]).all()

    def test_planted_alignment_gaps(self, small: dict[str, pl.DataFrame]) -> None:
        goals = small["goal"]
        business = goals.filter(pl.col("kind") == "business", pl.col("level").is_in(["team", "individual"]))
        orphans = business.group_by("level").agg(pl.col("parent_id").is_null().mean().alias("share"))
        assert orphans["share"].is_between(0.02, 0.07).all()
        team_goals = goals.filter(pl.col("level") == "team")
        disconnected = team_goals.group_by("org_unit_id", "period_id").agg(pl.col("parent_id").is_null().all())
        assert disconnected["parent_id"].sum() > 0  # some teams contribute to nothing in some quarter
        support = (
            goals.filter(pl.col("level") == "company")
            .join(
                goals.filter(pl.col("level") == "department").group_by("parent_id").len(),
                left_on="id",
                right_on="parent_id",
                how="left",
            )
            .with_columns(pl.col("len").fill_null(0))
        )
        thin = support.filter(pl.col("len") <= 1).group_by("period_id").len()
        assert thin.height == 2 and thin["len"].is_between(1, 2).all()  # 1-2 thin objectives each year

    def test_development_goals_stand_alone_for_about_half_of_people(self, small: dict[str, pl.DataFrame]) -> None:
        development = small["goal"].filter(pl.col("kind") == "development")
        assert development["parent_id"].is_null().all()
        assert (development["level"] == "individual").all()
        coverage = development.group_by("period_id").agg(pl.col("owner_employee_id").n_unique())
        share = coverage["owner_employee_id"] / small["employee"].height
        assert share.is_between(0.35, 0.65).all()

    def test_links_cross_departments(self, small: dict[str, pl.DataFrame]) -> None:
        goals, units, links = small["goal"], small["org_unit"], small["goal_link"]
        department_of = _department_of_units(units)
        goal_department = goals.select("id", "org_unit_id").join(department_of, on="org_unit_id")
        linked = links.join(goal_department.select(goal_id="id", source="department"), on="goal_id").join(
            goal_department.select(target_goal_id="id", target="department"), on="target_goal_id"
        )
        assert linked.height == links.height
        assert (linked["source"] != linked["target"]).all()
        assert 0.015 <= links.height / goals.filter(pl.col("level") == "team").height <= 0.04
        assert set(links["link_type"]) == {"contributes", "supports"}


class TestProgress:
    def test_current_value_is_the_last_update(self, small: dict[str, pl.DataFrame]) -> None:
        last = small["progress_update"].sort("key_result_id", "at").group_by("key_result_id").last()
        joined = small["key_result"].join(last, left_on="id", right_on="key_result_id", how="left")
        expected = joined["value"].fill_null(joined["start_value"])
        assert (joined["current_value"] == expected).all()

    def test_updates_stay_inside_their_period_and_before_today(self, small: dict[str, pl.DataFrame]) -> None:
        updates = (
            small["progress_update"]
            .join(small["key_result"].select(key_result_id="id", goal_id="goal_id"), on="key_result_id")
            .join(small["goal"].select(goal_id="id", period_id="period_id"), on="goal_id")
            .join(small["period"].select(period_id="id", start="start_date", end="end_date"), on="period_id")
        )
        assert (updates["at"] >= updates["start"]).all() and (updates["at"] <= updates["end"]).all()
        assert updates["at"].max() <= TODAY
        assert updates["confidence"].drop_nulls().is_between(0, 1).all()

    def test_progress_varies_and_some_teams_are_clearly_behind(self, small: dict[str, pl.DataFrame]) -> None:
        quarter = small["period"].filter(pl.col("name") == f"{TODAY.year}-Q4").row(0, named=True)
        expected = (TODAY - quarter["start_date"]).days / (quarter["end_date"] - quarter["start_date"]).days
        moved = pl.col("current_value") - pl.col("start_value")
        progress = small["key_result"].with_columns(
            progress=(moved / (pl.col("target_value") - pl.col("start_value"))).clip(0, 1)
        )
        team_goals = small["goal"].filter(pl.col("level") == "team", pl.col("period_id") == quarter["id"])
        by_team = (
            progress.join(team_goals.select(goal_id="id", team="org_unit_id"), on="goal_id")
            .group_by("team")
            .agg((pl.col("progress").mean() / expected).alias("pace"))
        )
        on_track = (by_team["pace"] >= 0.9).mean()
        clearly_behind = (by_team["pace"] < 0.6).mean()
        assert 0.4 <= on_track <= 0.85
        assert clearly_behind >= 0.05


class TestCheckins:
    def test_checkins_are_with_the_manager_on_weekdays_in_the_window(self, small: dict[str, pl.DataFrame]) -> None:
        checkins = small["checkin"].join(
            small["employee"].select(employee_id="id", reports_to="manager_id"), on="employee_id"
        )
        assert (checkins["manager_id"] == checkins["reports_to"]).all()
        assert checkins["held_at"].min() >= LAST_YEAR_START and checkins["held_at"].max() <= TODAY
        assert (checkins["held_at"].dt.weekday() <= 5).all()

    def test_some_managers_have_lapsed(self, small: dict[str, pl.DataFrame]) -> None:
        last_by_manager = small["checkin"].group_by("manager_id").agg(pl.col("held_at").max())
        days_since = last_by_manager["held_at"].map_elements(lambda held: (TODAY - held).days, return_dtype=pl.Int64)
        lapsed = days_since.is_between(45, 125)
        assert 0.05 <= lapsed.mean() <= 0.3
        assert (days_since <= 14).mean() >= 0.6  # most keep meeting


class TestRatings:
    def test_guideline_shares_sum_to_one_and_calibration_lands_on_them(self, small: dict[str, pl.DataFrame]) -> None:
        guideline = small["rating_guideline"]
        for cycle_id, shares in guideline.group_by("cycle_id"):
            assert shares["target_share"].sum() == pytest.approx(1.0)
            ratings = small["rating"].filter(pl.col("cycle_id") == cycle_id[0])
            actual = ratings["post_calibration"].value_counts(normalize=True).sort("post_calibration")
            assert actual["proportion"].sum() == pytest.approx(1.0)
            target = shares.sort("rating")["target_share"]
            assert (actual["proportion"] - target).abs().max() < 0.02

    def test_reviewer_is_the_manager_and_most_people_are_rated(self, small: dict[str, pl.DataFrame]) -> None:
        managers = small["employee"].select(employee_id="id", manager="manager_id")
        ratings = small["rating"].join(managers, on="employee_id")
        assert (ratings["reviewer_id"] == ratings["manager"]).all()
        active = small["employee"].filter(pl.col("active")).height
        rated_active = (
            small["rating"]
            .filter(pl.col("cycle_id") == CURRENT_CYCLE)
            .join(small["employee"].filter(pl.col("active")).select(employee_id="id"), on="employee_id")
            .height
        )
        assert 0.8 <= rated_active / active <= 0.96

    def test_calibration_moves_about_a_fifth_mostly_down(self, small: dict[str, pl.DataFrame]) -> None:
        ratings = small["rating"]
        moved = ratings["pre_calibration"] != ratings["post_calibration"]
        down = ratings["pre_calibration"] > ratings["post_calibration"]
        assert 0.12 <= moved.mean() <= 0.3
        assert down.sum() > 2 * (moved.sum() - down.sum())
        assert ((ratings["pre_calibration"] - ratings["post_calibration"]).abs() <= 1).all()

    def test_planted_remote_disparity_in_the_current_cycle_only(self, small: dict[str, pl.DataFrame]) -> None:
        people = small["employee"].select(employee_id="id", work_mode="work_mode").join(
            small["employee_sensitive"], on="employee_id"
        )
        ratings = small["rating"].join(people, on="employee_id")
        current = ratings.filter(pl.col("cycle_id") == CURRENT_CYCLE)
        previous = ratings.filter(pl.col("cycle_id") == PREVIOUS_CYCLE)
        assert top_share(current, "work_mode", "remote") / top_share(current, "work_mode", "office") < 0.8
        assert top_share(previous, "work_mode", "remote") / top_share(previous, "work_mode", "office") > 0.85
        for cycle in (current, previous):
            assert top_share(cycle, "gender", "woman") / top_share(cycle, "gender", "man") > 0.85


class TestViewers:
    def test_executive_hr_people_and_every_manager(self, small: dict[str, pl.DataFrame]) -> None:
        viewers = small["viewer"].join(small["employee"].select(employee_id="id", unit="org_unit_id"), on="employee_id")
        assert viewers.filter(pl.col("role") == "executive")["employee_id"].to_list() == [1]
        hr = viewers.filter(pl.col("role") == "hr")
        assert 2 <= hr.height <= 3
        department_of = _department_of_units(small["org_unit"])
        hr_departments = hr.join(department_of, left_on="unit", right_on="org_unit_id")["department"]
        names = small["org_unit"].filter(pl.col("id").is_in(hr_departments.implode()))["name"]
        assert names.str.starts_with("People").all()
        people_with_reports = set(small["employee"]["manager_id"].drop_nulls()) - {1}
        assert set(viewers.filter(pl.col("role") == "manager")["employee_id"]) == people_with_reports
        with_employee = viewers.join(small["employee"].select(employee_id="id", own_email="email"), on="employee_id")
        assert (with_employee["email"] == with_employee["own_email"]).all()


class TestLoading:
    def test_tiny_profile_loads_and_reloads(self, engine: Engine) -> None:
        expected = {name: frame.height for name, frame in build_tables("tiny", 7, TODAY).items()}
        assert generate(engine, "tiny", 7, TODAY, progress=False) == expected
        # A second run replaces the rows rather than adding to them.
        assert generate(engine, "tiny", 7, TODAY, progress=False) == expected
        with engine.connect() as connection:
            held_at = connection.execute(text("SELECT held_at FROM checkin ORDER BY id LIMIT 1")).scalar_one()
        assert str(held_at)[:4].isdigit() and len(str(held_at)) == 10

    def test_indexes_and_foreign_keys_are_as_the_schema_made_them(self, engine: Engine) -> None:
        """The load sets secondary indexes and triggers (on PostgreSQL: foreign keys) aside and creates them
        again: the schema's definitions read the same before and after."""
        upgrade(engine)
        if engine.dialect.name == "sqlite":
            schema = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        else:
            schema = (
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE connamespace = 'public'::regnamespace UNION ALL SELECT tablename, indexname, indexdef "
                "FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2, 3"
            )
        with engine.connect() as connection:
            before = connection.execute(text(schema)).all()
        generate(engine, "tiny", 7, TODAY, progress=False)
        with engine.connect() as connection:
            after = connection.execute(text(schema)).all()
        assert sum("FOREIGN KEY" in str(row) or "REFERENCES" in str(row) for row in before) >= 14
        assert after == before

    def test_sqlite_keeps_indexes_and_constraints_and_stores_dates_as_text(self, tmp_path: Path) -> None:
        engine = make_engine(f"sqlite:///{tmp_path}/demo.db")
        upgrade(engine)
        indexes = "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name"
        with engine.connect() as connection:
            before = connection.execute(text(indexes)).scalars().all()
        generate(engine, "tiny", 7, TODAY, progress=False)
        frames = build_tables("tiny", 7, TODAY)
        with engine.connect() as connection:
            assert connection.execute(text(indexes)).scalars().all() == before
            held_at = connection.execute(text("SELECT held_at FROM checkin ORDER BY id")).scalars().all()
            closed_on = connection.execute(text("SELECT closed_on FROM review_cycle ORDER BY id")).scalars().all()
            stored = connection.execute(text("SELECT typeof(hire_date), hire_date, active FROM employee LIMIT 1")).one()
            assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert connection.execute(text("PRAGMA ignore_check_constraints")).scalar_one() == 0
            # The load skipped constraint checks for speed; the stored rows must satisfy them all.
            assert connection.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        assert stored[0] == "text" and date.fromisoformat(stored[1]) and stored[2] in (0, 1)
        assert held_at == [held.isoformat() for held in frames["checkin"]["held_at"]]
        assert closed_on == [closed.isoformat() for closed in frames["review_cycle"]["closed_on"]]
        engine.dispose()

    def test_if_missing_leaves_a_filled_database_alone(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        url = f"sqlite:///{tmp_path}/demo.db"
        arguments = ["--profile", "tiny", "--seed", "7", "--today", TODAY.isoformat(), "--url", url, "--quiet"]
        assert main(arguments + ["--if-missing"]) == 0
        assert "rows in" in capsys.readouterr().out
        assert main(["--profile", "small", "--seed", "1", "--url", url, "--if-missing", "--quiet"]) == 0
        assert "already holds 150 employees" in capsys.readouterr().out


def assert_foreign_keys_hold(tables: dict[str, pl.DataFrame]) -> None:
    for name in SNAPSHOT_TABLES:
        for foreign_key in Base.metadata.tables[name].foreign_keys:
            referenced = tables[foreign_key.column.table.name][foreign_key.column.name]
            values = tables[name][foreign_key.parent.name].drop_nulls()
            assert values.is_in(referenced.implode()).all(), f"{name}.{foreign_key.parent.name}"


def _is_unique(constraint: object) -> bool:
    return isinstance(constraint, UniqueConstraint)


def _department_of_units(units: pl.DataFrame) -> pl.DataFrame:
    """org_unit_id -> the id of its department (teams map to their parent, departments to themselves)."""
    departments = units.filter(pl.col("kind") == "department").select(org_unit_id="id", department="id")
    teams = units.filter(pl.col("kind") == "team").select(org_unit_id="id", department="parent_id")
    return pl.concat([departments, teams])
