"""Pearson's r, its Fisher-z interval and the fitted line, by hand and against scipy."""

import math

import numpy as np
import pytest
from scipy import stats

from queries.association import describe_association, fitted_line, pearson_with_ci

# x = 1..5, y = 2, 4, 5, 4, 5: means 3 and 4; Σdx·dy = 4 + 0 + 0 + 0 + 2 = 6, Σdx² = 10, Σdy² = 6
X = [1, 2, 3, 4, 5]
Y = [2, 4, 5, 4, 5]
R = 6 / math.sqrt(60)  # 0.7746


class TestPearson:
    def test_hand_worked(self):
        result = pearson_with_ci(X, Y)
        assert result["n"] == 5
        assert result["r"] == pytest.approx(R)
        # atanh(0.7746) = 1.0317; 1.96 / sqrt(5 - 3) = 1.3859 -> tanh(-0.3542), tanh(2.4176)
        assert result["ci_low"] == pytest.approx(-0.340, abs=1e-3)
        assert result["ci_high"] == pytest.approx(0.984, abs=1e-3)

    @pytest.mark.parametrize("seed", [1, 2, 3])
    @pytest.mark.parametrize("n", [4, 12, 200])
    def test_matches_scipy(self, seed, n):
        rng = np.random.default_rng(seed)
        x = rng.normal(size=n)
        y = 0.5 * x + rng.normal(size=n)
        ours = pearson_with_ci(x.tolist(), y.tolist())
        theirs = stats.pearsonr(x, y)
        interval = theirs.confidence_interval(0.95)
        assert ours["r"] == pytest.approx(theirs.statistic)
        assert ours["ci_low"] == pytest.approx(interval.low)
        assert ours["ci_high"] == pytest.approx(interval.high)

    def test_missing_values_are_dropped_pairwise(self):
        result = pearson_with_ci([*X, None, 7.0], [*Y, 3.0, float("nan")])
        assert result["n"] == 5 and result["r"] == pytest.approx(R)

    def test_too_few_or_no_spread(self):
        assert pearson_with_ci([1, 2], [3, 4])["r"] is None
        three = pearson_with_ci([1, 2, 3], [1, 3, 2])
        assert three["r"] == pytest.approx(0.5) and three["ci_low"] is None  # an interval needs n >= 4
        assert pearson_with_ci([1, 1, 1, 1], [1, 2, 3, 4])["r"] is None

    def test_perfect_correlation(self):
        result = pearson_with_ci([1, 2, 3, 4], [2, 4, 6, 8])
        assert result["r"] == pytest.approx(1.0) and result["ci_low"] == pytest.approx(1.0)


class TestFittedLine:
    def test_hand_worked(self):
        line = fitted_line(X, Y)
        assert line["slope"] == pytest.approx(0.6)  # 6 / 10
        assert line["intercept"] == pytest.approx(2.2)  # 4 - 0.6 × 3

    def test_matches_scipy(self):
        rng = np.random.default_rng(9)
        x, y = rng.normal(size=50), rng.normal(size=50)
        ours, theirs = fitted_line(x.tolist(), y.tolist()), stats.linregress(x, y)
        assert ours["slope"] == pytest.approx(theirs.slope)
        assert ours["intercept"] == pytest.approx(theirs.intercept)

    def test_no_spread_in_x(self):
        assert fitted_line([2, 2, 2], [1, 2, 3]) == {"slope": None, "intercept": None}


class TestWords:
    def test_says_association_with_strength_and_interval(self):
        words = describe_association(0.42, 0.2, 0.6, 40, x="check-ins", y="progress", of="teams")
        assert "Across 40 teams" in words and "moderate positive association" in words
        assert "95% CI 0.20 to 0.60" in words and "includes zero" not in words

    def test_an_interval_around_zero_is_said_out_loud(self):
        words = describe_association(-0.15, -0.4, 0.12, 30, x="check-ins", y="progress")
        assert "weak negative" in words and "includes zero" in words

    def test_no_r(self):
        assert "Too few teams" in describe_association(None, None, None, 2, x="a", y="b", of="teams")

    def test_no_cause_is_claimed(self):
        words = describe_association(0.9, 0.8, 0.95, 100, x="a", y="b")
        assert "cause" not in words
