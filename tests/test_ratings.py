"""Ratings queries on the tiny organisation, with every number worked out on paper, and the Ratings page.

The tiny organisation's one review cycle (2026 mid-year, closed 15 Jul 2026, scale 1-5):

    person  team   region  work mode  reviewer  pre  final  potential   gender      age
    3 Ann   Alpha  North   office     2 Dana     4     4       3        woman       25-34
    4 Bob   Alpha  North   remote     3 Ann      4     3       2        man         25-34
    5 Cat   Alpha  South   hybrid     3 Ann      5     5       3        woman       <25
    6 Lee   Beta   South   office     2 Dana     2     2       1        man         35-44
    7 Max   Beta   South   remote     6 Lee      3     3       2        non-binary  25-34

Guideline 5 / 15 / 50 / 20 / 10 % for ratings 1-5. Five people: exactly the default minimum group size, so the
whole scope is shown and every smaller group is hidden; `OPEN` (minimum 1) shows the raw numbers.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from queries import rating_bias as b
from queries import rating_leniency as lenient
from queries import ratings as q
from queries.model import Settings, Viewer
from queries.scope import people_in_scope
from tests.tiny_org import ALPHA, BETA, ENGINEERING, NORTH, SOUTH, tiny_filters, tiny_snapshot

HR = Viewer("hr@acme.example", "hr")


def exact_p_value(groups: list[int], ratings: list[int], observed: float) -> float:
    """Share of all orderings of `ratings` over the people of `groups` whose chi-square is at least `observed`."""
    import itertools

    import numpy as np
    from scipy.stats import chi2_contingency

    hits = total = 0
    for order in itertools.permutations(ratings):
        values = sorted(set(ratings))
        table = np.zeros((max(groups) + 1, len(values)))
        for g, r in zip(groups, order, strict=True):
            table[g, values.index(r)] += 1
        total += 1
        hits += chi2_contingency(table, correction=False)[0] >= observed - 1e-9
    return hits / total
EXECUTIVE = Viewer("ceo@acme.example", "executive", 1)
OPEN = Settings(min_group_size=1)
CYCLE = 1


@pytest.fixture(scope="module")
def tiny():
    return tiny_snapshot()


def test_cycles_are_those_closed_by_the_as_of_date(tiny):
    assert q.review_cycles(tiny, tiny_filters(), HR)["name"].to_list() == ["2026 mid-year"]
    assert q.review_cycles(tiny, tiny_filters(as_of=date(2026, 7, 14)), HR).is_empty()


def test_rated_in_scope_selects_like_people_in_scope(tiny):
    for filters in (tiny_filters(), tiny_filters(org_unit_id=ALPHA), tiny_filters(region_ids=(SOUTH,)),
                    tiny_filters(org_unit_id=BETA, region_ids=(NORTH,))):
        people = people_in_scope(tiny, filters, active_only=False)
        rated = tiny.rating.join(people.select(pl.col("id").alias("employee_id")), on="employee_id", how="semi")
        assert sorted(q.rated_in_scope(tiny, filters, CYCLE)["employee_id"]) == sorted(rated["employee_id"])


class TestSummaryAndDistribution:
    def test_summary(self, tiny):
        # final 4, 3, 5, 2, 3: mean 17 / 5 = 3.4; >= 4: Ann, Cat = 2 / 5; only Bob moved (4 -> 3, down)
        row = q.ratings_summary(tiny, tiny_filters(), HR, cycle_id=CYCLE, top_from=4).row(0, named=True)
        assert row["rated"] == 5
        assert row["mean_final"] == pytest.approx(3.4)
        assert row["top_share"] == pytest.approx(0.4)
        assert (row["up_share"], row["down_share"], row["moved_share"]) == (0.0, pytest.approx(0.2),
                                                                            pytest.approx(0.2))

    def test_scope_distribution_against_the_guideline(self, tiny):
        # ratings 1..5: 0, 1, 2, 1, 1 of 5 -> 0, .2, .4, .2, .2; gaps -.05, +.05, -.1, 0, +.1;
        # distance = (.05 + .05 + .1 + 0 + .1) / 2 = 0.15
        scope = q.rating_distribution(tiny, tiny_filters(), HR, cycle_id=CYCLE)
        assert scope["count"].to_list() == [0, 1, 2, 1, 1]
        assert scope["share"].to_list() == pytest.approx([0, 0.2, 0.4, 0.2, 0.2])
        assert scope["gap"].to_list() == pytest.approx([-0.05, 0.05, -0.1, 0.0, 0.1])
        assert scope["distance"].unique().to_list() == [pytest.approx(0.15)]

    def test_by_team_is_one_level_below_the_team_filter(self, tiny):
        # Inside Engineering: Alpha (Ann, Bob, Cat) and Beta (Lee, Max)
        open_ = q.rating_distribution(tiny, tiny_filters(org_unit_id=ENGINEERING), HR, OPEN, cycle_id=CYCLE,
                                      by="team")
        sizes = dict(open_.select("group", "n").unique().iter_rows())
        assert sizes == {"Alpha": 3, "Beta": 2}
        alpha = open_.filter(pl.col("group") == "Alpha").sort("rating")
        assert alpha["count"].to_list() == [0, 0, 1, 1, 1]
        # With the default minimum both are hidden and only their union (5 people) is shown.
        guarded = q.rating_distribution(tiny, tiny_filters(org_unit_id=ENGINEERING), HR, cycle_id=CYCLE, by="team")
        assert guarded.select("group_id", "group", "n").unique().rows() == [(q.OTHER, "Other groups (2, hidden)", 5)]

    def test_by_region_and_manager(self, tiny):
        by_region = q.rating_distribution(tiny, tiny_filters(), HR, OPEN, cycle_id=CYCLE, by="region")
        assert dict(by_region.select("group", "n").unique().iter_rows()) == {"North": 2, "South": 3}
        by_manager = q.rating_distribution(tiny, tiny_filters(), HR, OPEN, cycle_id=CYCLE, by="manager")
        assert dict(by_manager.select("group", "n").unique().iter_rows()) == {"Dana": 2, "Ann": 2, "Lee": 1}

    def test_a_scope_below_the_minimum_shows_nothing(self, tiny):
        alpha = tiny_filters(org_unit_id=ALPHA)  # 3 rated
        assert q.ratings_summary(tiny, alpha, HR, cycle_id=CYCLE, top_from=4).is_empty()
        assert q.rating_distribution(tiny, alpha, HR, cycle_id=CYCLE).is_empty()
        assert q.calibration_matrix(tiny, alpha, HR, cycle_id=CYCLE).is_empty()
        assert q.nine_box(tiny, alpha, HR, cycle_id=CYCLE).is_empty()
        assert lenient.rater_leniency(tiny, alpha, HR, cycle_id=CYCLE).is_empty()

    def test_a_manager_sees_only_their_organisation_and_it_is_too_small(self, tiny):
        from queries.access import scoped_snapshot

        ann = Viewer("ann@acme.example", "manager", 3)
        scoped = scoped_snapshot(tiny, ann)  # Ann, Bob, Cat: 3 rated
        assert q.ratings_summary(scoped, tiny_filters(), ann, cycle_id=CYCLE, top_from=4).is_empty()
        assert q.ratings_summary(scoped, tiny_filters(), ann, OPEN, cycle_id=CYCLE, top_from=4)["rated"][0] == 3


class TestCalibration:
    def test_matrix(self, tiny):
        # pre -> final: 4->4, 4->3, 5->5, 2->2, 3->3; row totals pre 2:1, 3:1, 4:2, 5:1
        matrix = q.calibration_matrix(tiny, tiny_filters(), HR, OPEN, cycle_id=CYCLE)
        assert matrix.height == 25
        moved = {(r["pre"], r["post"]): r["n"] for r in matrix.filter(pl.col("n") > 0).iter_rows(named=True)}
        assert moved == {(4, 4): 1, (4, 3): 1, (5, 5): 1, (2, 2): 1, (3, 3): 1}
        assert matrix.filter(pl.col("pre") == 4)["pre_total"].unique().to_list() == [2]
        assert matrix.filter(pl.col("post") == 3)["post_total"].unique().to_list() == [2]

    def test_every_single_person_cell_is_hidden_by_default(self, tiny):
        matrix = q.calibration_matrix(tiny, tiny_filters(), HR, cycle_id=CYCLE)
        assert matrix.filter(pl.col("hidden").not_())["n"].drop_nulls().to_list() == [0] * matrix.filter(
            pl.col("hidden").not_()).height
        assert matrix.filter(pl.col("hidden"))["n"].null_count() == matrix["hidden"].sum()

    def test_shift_by_team(self, tiny):
        # Alpha: (4-4) + (3-4) + (5-5) = -1 over 3 -> -1/3, 1 of 3 down; Beta: no change
        shift = q.calibration_shift(tiny, tiny_filters(org_unit_id=ENGINEERING), HR, OPEN, cycle_id=CYCLE, by="team")
        alpha = shift.filter(pl.col("group") == "Alpha").row(0, named=True)
        assert alpha["mean_shift"] == pytest.approx(-1 / 3)
        assert (alpha["up_share"], alpha["down_share"]) == (0.0, pytest.approx(1 / 3))
        assert shift.filter(pl.col("group") == "Beta")["mean_shift"][0] == 0.0


class TestLeniency:
    def test_reference_and_z_scores(self, tiny):
        # pre ratings 4, 4, 5, 2, 3: mean 3.6; squared deviations .16 + .16 + 1.96 + 2.56 + .36 = 5.2,
        # SD = sqrt(5.2 / 4) = 1.140175.
        # Dana rated Ann 4 and Lee 2: mean 3, z = (3 - 3.6) / (1.140175 / sqrt 2) = -0.744208
        # Ann rated Bob 4 and Cat 5: mean 4.5, z = 0.9 / 0.806226 = 1.116313
        # Lee rated Max 3: z = -0.6 / 1.140175 = -0.526235
        reference = lenient.leniency_reference(tiny, tiny_filters(), HR, OPEN, cycle_id=CYCLE).row(0, named=True)
        assert (reference["n"], reference["mean"], reference["sd"]) == (5, pytest.approx(3.6),
                                                                        pytest.approx(1.140175, abs=1e-6))
        raters = lenient.rater_leniency(tiny, tiny_filters(), HR, OPEN, cycle_id=CYCLE)
        z = dict(raters.select("group", "z").iter_rows())
        assert z == {"Dana": pytest.approx(-0.744208, abs=1e-6), "Ann": pytest.approx(1.116313, abs=1e-6),
                     "Lee": pytest.approx(-0.526235, abs=1e-6)}
        assert set(raters["flag"]) == {"within"}
        assert raters["group"][0] == "Ann"  # largest |z| first

    def test_final_basis_and_the_reference_ignores_the_filters(self, tiny):
        # final ratings 4, 3, 5, 2, 3: mean 3.4. A team filter narrows the raters, never the yardstick.
        reference = lenient.leniency_reference(tiny, tiny_filters(org_unit_id=BETA), HR, OPEN, cycle_id=CYCLE,
                                         basis="final")
        assert reference["mean"][0] == pytest.approx(3.4)
        raters = lenient.rater_leniency(tiny, tiny_filters(org_unit_id=BETA), HR, OPEN, cycle_id=CYCLE, basis="final")
        assert dict(raters.select("group", "n").iter_rows()) == {"Dana": 1, "Lee": 1}

    def test_funnel_limits(self, tiny):
        limits = lenient.funnel_limits(tiny, tiny_filters(), HR, OPEN, cycle_id=CYCLE, max_n=4)
        n4 = limits.filter(pl.col("n") == 4).row(0, named=True)
        # 3.6 -/+ 1.96 x 1.140175 / 2 and 3.6 -/+ 3 x 1.140175 / 2
        assert n4["low95"] == pytest.approx(3.6 - 1.959964 * 1.140175 / 2, abs=1e-5)
        assert n4["high3"] == pytest.approx(3.6 + 3 * 1.140175 / 2, abs=1e-5)

    def test_funnel_pools_raters_that_are_within_limits(self, tiny):
        points = lenient.leniency_funnel(tiny, tiny_filters(), HR, OPEN, cycle_id=CYCLE)
        assert points["raters"].sum() == 3


class TestBias:
    def test_work_mode_hand_worked(self, tiny):
        # office: Ann 4 (top), Lee 2 -> 1/2; remote: Bob 3, Max 3 -> 0/2; hybrid: Cat 5 -> 1/1 (the highest).
        # Impact ratios 0.5 and 0. Small groups: Fisher. remote vs hybrid [[0, 2], [1, 0]]: P(0 top) = 1/3,
        # P(1 top) = 2/3, two-sided p = 1/3; office vs hybrid [[1, 1], [1, 0]]: p = 1.
        groups = b.bias_by_group(tiny, tiny_filters(), HR, OPEN, cycle_id=CYCLE, attribute="work_mode", top_from=4)
        rows = {r["group"]: r for r in groups.iter_rows(named=True)}
        assert rows["hybrid"]["reference"] and rows["hybrid"]["impact_ratio"] == 1.0
        assert rows["office"]["rate"] == 0.5 and rows["office"]["impact_ratio"] == 0.5
        assert rows["remote"]["impact_ratio"] == 0.0 and rows["remote"]["below_four_fifths"]
        assert rows["remote"]["test"] == "Fisher's exact"
        assert rows["remote"]["p_value"] == pytest.approx(1 / 3)
        assert rows["office"]["p_value"] == pytest.approx(1.0)
        # Holm over two comparisons: 2 x 1/3 = 2/3, then max(2/3, 1 x 1) = 1
        assert rows["remote"]["p_adjusted"] == pytest.approx(2 / 3)

    def test_the_whole_distribution_hand_worked(self, tiny):
        """Final ratings by work mode (rating 1 given to nobody, so left out):

                   2  3  4  5   total
            office 1  0  1  0   2
            remote 0  2  0  0   2
            hybrid 0  0  0  1   1
            total  1  2  1  1   5

        expected = row x column / 5: office and remote .4 .8 .4 .4, hybrid .2 .4 .2 .2;
        chi2 = office (.9 + .8 + .9 + .4) + remote (.4 + 1.8 + .4 + .4) + hybrid (.2 + .4 + .2 + 3.2) = 3 + 3 + 4
        = 10; dof = (3 - 1)(4 - 1) = 6; V = sqrt(10 / (5 x (3 - 1))) = 1. Expected counts below 5: Monte Carlo.
        The top-vs-rest table [[1, 1], [0, 2], [1, 0]] would give chi2 = 2.92 instead: another question."""
        overall = b.rating_independence(tiny, tiny_filters(), HR, OPEN, cycle_id=CYCLE, attribute="work_mode"
                                        ).row(0, named=True)
        assert overall["chi2"] == pytest.approx(10.0)
        assert overall["dof"] == 6
        assert overall["cramers_v"] == pytest.approx(1.0)
        assert overall["min_expected"] == pytest.approx(0.2)
        assert overall["p_method"].startswith("Monte Carlo")
        # Exactly: every way of handing the ratings 2, 3, 3, 4, 5 to the five people is equally likely under
        # independence; p = the share of them whose table has chi2 >= 10 (scipy's chi2_contingency per table).
        exact = exact_p_value([0, 0, 1, 1, 2], [2, 3, 3, 4, 5], 10.0)
        assert overall["p_value"] == pytest.approx(exact, abs=0.02)

    def test_sensitive_attributes_need_the_hr_role(self, tiny):
        genders = b.bias_by_group(tiny, tiny_filters(), HR, OPEN, cycle_id=CYCLE, attribute="gender", top_from=4)
        assert dict(genders.select("group", "n").iter_rows()) == {"woman": 2, "man": 2, "non-binary": 1}
        for attribute in q.SENSITIVE_ATTRIBUTES:
            assert b.bias_by_group(tiny, tiny_filters(), EXECUTIVE, OPEN, cycle_id=CYCLE, attribute=attribute,
                                   top_from=4).is_empty()
        screen = b.bias_screen(tiny, tiny_filters(), EXECUTIVE, OPEN, cycle_id=CYCLE, top_from=4)
        assert screen["attribute"].to_list() == ["work_mode", "region"]

    def test_missing_attribute_values_are_a_group_of_their_own(self, tiny):
        partial = tiny.employee_sensitive.filter(pl.col("employee_id") != 7)
        snapshot = tiny_snapshot(employee_sensitive=partial)
        genders = b.bias_by_group(snapshot, tiny_filters(), HR, OPEN, cycle_id=CYCLE, attribute="gender",
                                  top_from=4)
        assert dict(genders.select("group", "n").iter_rows())[q.NOT_RECORDED] == 1

    def test_default_minimum_leaves_nothing_to_compare(self, tiny):
        groups = b.bias_by_group(tiny, tiny_filters(), HR, cycle_id=CYCLE, attribute="work_mode", top_from=4)
        assert groups.is_empty()


class TestNineBox:
    def test_cells(self, tiny):
        # performance 4 high, 3 moderate, 5 high, 2 low, 3 moderate; potential 3 high, 2 moderate, 3 high, 1 low,
        # 2 moderate -> (high, high) 2, (moderate, moderate) 2, (low, low) 1
        grid = q.nine_box(tiny, tiny_filters(), HR, OPEN, cycle_id=CYCLE)
        cells = {(r["potential"], r["performance"]): r["n"] for r in grid.filter(pl.col("n") > 0).iter_rows(named=True)}
        assert cells == {("high", "high"): 2, ("moderate", "moderate"): 2, ("low", "low"): 1}
        assert grid.height == 9

    def test_missing_potential_is_its_own_row(self, tiny):
        ratings = tiny.rating.with_columns(
            pl.when(pl.col("employee_id") == 6).then(None).otherwise(pl.col("potential")).alias("potential")
        )
        grid = q.nine_box(tiny_snapshot(rating=ratings), tiny_filters(), HR, OPEN, cycle_id=CYCLE)
        assert grid.height == 12
        assert grid.filter((pl.col("potential") == q.NOT_RECORDED) & (pl.col("performance") == "low"))["n"][0] == 1


# --- the page ------------------------------------------------------------------------------------------------

PAGE = "pages/people/ratings.py"


TABS = ("Distribution", "Calibration", "Rater leniency", "Bias tests", "9-box")


def open_tab(at, label: str):
    at.session_state["ratings_tab"] = label
    return at.run()


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def shown_counts(at) -> list[int]:
    """Every group size in every table on the page."""
    counts = []
    for frame in at.dataframe:
        data = frame.value
        assert "count" not in data.columns
        if "n" in data.columns:
            counts += [int(v) for v in data["n"].dropna()]
    return counts


class TestPage:
    def test_renders_the_latest_cycle_with_no_small_group(self, app_test):
        at = app_test(page=PAGE)
        assert not at.exception
        assert at.title[0].value == "Ratings"
        assert at.selectbox(key="ratings_cycle").value == 2  # the mid-year review, closed last
        rated = metric(at, "People rated")
        assert int(rated.replace(",", "")) >= 5
        assert len(at.tabs) == 5
        for label in TABS:
            open_tab(at, label)
            assert not at.exception, label
            counts = shown_counts(at)
            assert all(c >= 5 for c in counts), (label, counts)
        assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")

    def test_only_the_open_tab_is_drawn(self, app_test):
        at = app_test(page=PAGE)
        assert [s.value for s in at.subheader][:2] == ["Everyone in scope", "Against the guideline"]
        open_tab(at, "Calibration")
        assert "Before and after calibration" in [s.value for s in at.subheader]
        assert "Everyone in scope" not in [s.value for s in at.subheader]

    def test_cycle_change_changes_the_numbers(self, app_test):
        at = app_test(page=PAGE)
        before = metric(at, "People rated"), metric(at, "Mean final rating")
        at.selectbox(key="ratings_cycle").set_value(1).run()
        assert not at.exception
        assert (metric(at, "People rated"), metric(at, "Mean final rating")) != before
        assert "annual" in at.selectbox(key="ratings_cycle").format_func(1)

    def test_filter_change_changes_the_numbers(self, app_test):
        at = app_test(page=PAGE)
        everyone = metric(at, "People rated")
        at = app_test(page=PAGE, query={"region": "NA"})
        assert not at.exception
        assert metric(at, "People rated") != everyone
        assert all(c >= 5 for c in shown_counts(at))

    def test_grouping_and_attribute_toggles(self, app_test):
        at = app_test(page=PAGE)
        for by in ("region", "manager"):
            at.radio(key="ratings_by").set_value(by).run()
            assert not at.exception
            assert all(c >= 5 for c in shown_counts(at))
        open_tab(at, "Bias tests")
        for attribute in q.ATTRIBUTES:
            at.selectbox(key="ratings_attribute").set_value(attribute).run()
            assert not at.exception
            assert all(c >= 5 for c in shown_counts(at))

    def test_the_planted_work_mode_gap_is_flagged(self, app_test):
        at = open_tab(app_test(page=PAGE), "Bias tests")
        assert at.selectbox(key="ratings_attribute").value == "work_mode"
        assert any("remote" in w.value and "four-fifths" in w.value for w in at.warning)

    def test_executives_are_told_the_bias_panel_needs_hr(self, app_test):
        at = app_test()
        at.session_state["viewer_role"] = "executive"
        at.session_state["ratings_tab"] = "Bias tests"
        at.run()
        at.switch_page(PAGE).run()
        assert not at.exception
        assert any("HR role" in i.value for i in at.info)
        assert not any("remote" in w.value for w in at.warning)

    def test_a_scope_with_no_closed_cycle_says_so(self, app_test):
        at = app_test(page=PAGE, query={"period": "2025-Q2"})
        assert not at.exception
        assert any("No review cycle had closed" in i.value for i in at.info)
