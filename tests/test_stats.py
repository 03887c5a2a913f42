"""The ratings statistics against scipy on known tables, and against examples worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sp
from scipy.stats.contingency import association

from queries import stats

TABLES = [
    [[10, 20], [30, 40]],
    [[12, 5], [3, 9]],
    [[90, 410], [187, 378], [246, 522]],  # a work-mode table: remote, office, hybrid x (top, not top)
    [[20, 15, 5], [10, 25, 30]],
    [[1, 1], [0, 2], [1, 0]],
]


class TestChiSquare:
    @pytest.mark.parametrize("table", TABLES)
    def test_matches_scipy_without_continuity_correction(self, table):
        chi2, p, dof, expected = sp.chi2_contingency(np.array(table), correction=False)
        result = stats.chi_square_independence(table)
        assert result.chi2 == pytest.approx(chi2)
        assert result.p_value == pytest.approx(p)
        assert result.dof == dof
        assert result.min_expected == pytest.approx(expected.min())
        assert result.n == sum(map(sum, table))

    @pytest.mark.parametrize("table", TABLES)
    def test_cramers_v_matches_scipy(self, table):
        assert stats.chi_square_independence(table).cramers_v == pytest.approx(
            association(np.array(table), method="cramer", correction=False)
        )

    def test_hand_worked_three_groups(self):
        # office 1 of 2 top, remote 0 of 2, hybrid 1 of 1; n = 5, 2 top. Expected top: 0.8, 0.8, 0.4.
        # chi2 = .2²/.8 + .2²/1.2 + .8²/.8 + .8²/1.2 + .6²/.4 + .6²/.6 = .05 + .0333 + .8 + .5333 + .9 + .6
        result = stats.chi_square_independence([[1, 1], [0, 2], [1, 0]])
        assert result.chi2 == pytest.approx(2.916667, abs=1e-6)
        assert result.dof == 2
        assert result.cramers_v == pytest.approx(math.sqrt(2.916667 / 5), abs=1e-6)  # 0.7638

    @pytest.mark.parametrize("table", [[[3, 0], [4, 0]], [[0, 0], [2, 3]], [[5, 5]]])
    def test_undefined_tables_give_none(self, table):
        assert stats.chi_square_independence(table) is None


class TestTwoGroups:
    @pytest.mark.parametrize("cells", [(3, 4, 1, 4), (1, 2, 1, 1), (0, 2, 1, 1), (8, 10, 2, 12), (90, 500, 187, 565)])
    def test_fisher_matches_scipy(self, cells):
        hits, n, ref_hits, ref_n = cells
        odds, p = sp.fisher_exact([[hits, n - hits], [ref_hits, ref_n - ref_hits]])
        assert stats.fisher_exact(*cells).p_value == pytest.approx(p)

    def test_fisher_lady_tasting_tea(self):
        # [[3, 1], [1, 3]]: P(a = 0..4 top in the first row) = 1, 16, 36, 16, 1 over 70; the two-sided p adds
        # those no more likely than the observed 16/70: (1 + 16 + 16 + 1) / 70 = 0.4857
        assert stats.fisher_exact(3, 4, 1, 4).p_value == pytest.approx(34 / 70)

    def test_z_test_hand_worked(self):
        # 30/100 against 50/100: pooled 0.4, se = sqrt(0.4 x 0.6 x (1/100 + 1/100)) = 0.069282,
        # z = -0.2 / 0.069282 = -2.88675, p = 2 (1 - Phi(2.88675)) = 0.003892
        result = stats.two_proportion_z(30, 100, 50, 100)
        assert result.statistic == pytest.approx(-2.88675, abs=1e-5)
        assert result.p_value == pytest.approx(0.003892, abs=1e-6)

    @pytest.mark.parametrize("cells", [(30, 100, 50, 100), (90, 500, 187, 565), (12, 40, 30, 61)])
    def test_z_squared_is_the_uncorrected_chi_square(self, cells):
        hits, n, ref_hits, ref_n = cells
        chi2, p, _, _ = sp.chi2_contingency([[hits, n - hits], [ref_hits, ref_n - ref_hits]], correction=False)
        result = stats.two_proportion_z(*cells)
        assert result.statistic**2 == pytest.approx(chi2)
        assert result.p_value == pytest.approx(p)

    def test_small_groups_get_fishers_test_and_large_ones_the_z_test(self):
        # 2 of 6 against 5 of 7: expected top for the first group = 6 x 7 / 13 = 3.2 < 5.
        assert stats.compare_with_reference(2, 6, 5, 7).test == "Fisher's exact"
        assert stats.compare_with_reference(90, 500, 187, 565).test == "two-proportion z"
        assert stats.min_expected_2x2(2, 6, 5, 7) == pytest.approx(6 * 6 / 13)

    def test_no_variation_means_no_z_test(self):
        assert stats.two_proportion_z(0, 50, 0, 60) is None


class TestImpactRatioAndLeniency:
    def test_impact_ratio_hand_worked(self):
        # remote 90/410 = 0.21951 against office 187/565 = 0.33097: 0.21951 / 0.33097 = 0.6632 < 0.8
        assert stats.impact_ratio(90 / 410, 187 / 565) == pytest.approx(0.66323, abs=1e-5)
        assert stats.impact_ratio(0.5, 0.5) == 1.0

    def test_impact_ratio_is_undefined_without_a_reference_rate(self):
        assert stats.impact_ratio(0.2, 0.0) is None
        assert stats.impact_ratio(None, 0.3) is None

    def test_funnel_limits_hand_worked(self):
        # n = 4: 3.0 -/+ 1.96 x 1.0 / 2 = 3.0 -/+ 0.98
        low, high = stats.funnel_limits(4, 3.0, 1.0, 1.96)
        assert (low, high) == (pytest.approx(2.02), pytest.approx(3.98))
        assert stats.Z_95 == pytest.approx(sp.norm.ppf(0.975))


class TestHolm:
    def test_hand_worked(self):
        # sorted 0.01, 0.03, 0.04 -> 3 x 0.01 = 0.03; 2 x 0.03 = 0.06; max(0.06, 1 x 0.04) = 0.06
        assert stats.holm_adjust([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])

    def test_none_is_kept_and_not_counted(self):
        assert stats.holm_adjust([None, 0.02, 0.5]) == [None, pytest.approx(0.04), pytest.approx(0.5)]
        assert stats.holm_adjust([0.6, 0.7]) == [pytest.approx(1.0), pytest.approx(1.0)]


class TestWholeDistribution:
    def test_large_counts_take_scipys_chi_square(self):
        table = [[30, 50, 20], [25, 60, 35], [40, 45, 25]]
        chi2, p, dof, _ = sp.chi2_contingency(table, correction=False)
        result = stats.rating_independence(table)
        assert (result.chi2, result.p_value, result.dof) == (pytest.approx(chi2), pytest.approx(p), dof)
        assert result.cramers_v == pytest.approx(sp.contingency.association(table, method="cramer"))
        assert result.p_method == "chi-square"

    def test_ratings_nobody_got_are_left_out(self):
        with_empty = stats.rating_independence([[0, 30, 50, 20], [0, 25, 60, 35]])
        without = stats.rating_independence([[30, 50, 20], [25, 60, 35]])
        assert with_empty.chi2 == pytest.approx(without.chi2)
        assert with_empty.dof == without.dof == 2

    def test_small_counts_get_a_monte_carlo_p_value_that_agrees_with_a_permutation_test(self):
        """Scipy's permutation test shuffles the ratings among the people: the same null hypothesis, reached by
        another road; the two p-values agree within Monte-Carlo error."""
        table = np.array([[3, 1, 0, 2], [0, 4, 2, 1], [1, 0, 3, 3]])
        result = stats.rating_independence(table)
        assert result.min_expected < 5 and result.p_method.startswith("Monte Carlo")
        groups = np.repeat(np.arange(3), table.sum(axis=1))
        ratings = np.concatenate([np.repeat(np.arange(4), row) for row in table])

        def chi2(ratings_, groups_=groups):
            observed = np.zeros((3, 4))
            np.add.at(observed, (groups_, ratings_), 1)
            return sp.chi2_contingency(observed, correction=False)[0]

        permuted = sp.permutation_test((ratings,), chi2, permutation_type="pairings", n_resamples=4000,
                                       alternative="greater", random_state=7)
        assert result.chi2 == pytest.approx(chi2(ratings))
        assert result.p_value == pytest.approx(permuted.pvalue, abs=0.03)

    def test_the_same_table_always_gets_the_same_p_value(self):
        table = [[3, 1, 0, 2], [0, 4, 2, 1]]
        assert stats.rating_independence(table).p_value == stats.rating_independence(table).p_value


class TestStratifiedComparison:
    def test_hand_worked_two_bands(self):
        """Band 1: the group 3 of 10 rated top, the reference 5 of 10; band 2: 2 of 10 against 6 of 10.

        Cochran-Mantel-Haenszel, per band a = group's hits, E(a) = (a + c)(a + b) / N, var = n1 n0 m1 m0 /
        (N^2 (N - 1)): band 1 E = 8 x 10 / 20 = 4, var = 10 x 10 x 8 x 12 / (400 x 19) = 1.263158; band 2
        E = 4, var = 10 x 10 x 8 x 12 / 7600 = 1.263158. chi2 = (3 + 2 - 8)^2 / 2.526316 = 3.5625;
        p = P(chi2 with 1 dof > 3.5625) = 0.059099.
        Mantel-Haenszel rate ratio = sum(a n0 / N) / sum(c n1 / N) = (1.5 + 1) / (2.5 + 3) = 0.454545;
        odds ratio = sum(a d / N) / sum(b c / N) = (3 x 5 + 2 x 4) / 20 / ((7 x 5 + 8 x 6) / 20) = 23 / 83."""
        result = stats.stratified_comparison([(3, 10, 5, 10), (2, 10, 6, 10)])
        assert result.chi2 == pytest.approx(3.5625)
        assert result.p_value == pytest.approx(sp.chi2.sf(3.5625, 1))
        assert result.p_value == pytest.approx(0.059099, abs=1e-6)
        assert result.impact_ratio == pytest.approx(2.5 / 5.5)
        assert result.odds_ratio == pytest.approx(23 / 83)
        assert result.strata == 2

    def test_bands_without_variation_are_left_out(self):
        assert stats.stratified_comparison([(0, 5, 0, 6)]) is None
        assert stats.stratified_comparison([(0, 5, 0, 6), (3, 10, 5, 10)]).strata == 1


def test_p_values_in_words():
    assert (stats.p_text(0.0421), stats.p_text(0.0004), stats.p_text(None)) == ("= 0.042", "< 0.001", "—")
