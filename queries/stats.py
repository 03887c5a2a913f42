"""The statistics behind the ratings screen: independence, effect size, exact and approximate two-group tests.

Each function states its formula and returns plain Python numbers (None where the statistic is undefined,
for example a table in which everyone or no one reached the outcome). scipy does the distributions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sp

Z_95 = 1.959963984540054  # two-sided 95 % limit of the standard normal (the funnel plot's inner band)
Z_3SIGMA = 3.0  # the funnel plot's outer band: three standard errors
SMALL_EXPECTED = 5.0  # Cochran's rule: below this expected count an approximate test is not trusted


MONTE_CARLO_DRAWS = 4000  # tables drawn for a Monte-Carlo p-value: its standard error is at most 0.008
MONTE_CARLO_SEED = 20261205  # fixed, so the same table always gets the same p-value


@dataclass(frozen=True)
class Independence:
    """A chi-square test of independence on a groups x outcomes table, with Cramér's V; `p_method` says whether
    the p-value is the chi-square approximation or a Monte-Carlo one (small expected counts)."""

    chi2: float
    dof: int
    p_value: float
    cramers_v: float
    min_expected: float
    n: int
    p_method: str = "chi-square"


def chi_square_independence(table: Sequence[Sequence[float]]) -> Independence | None:
    """chi2 = sum (observed - expected)^2 / expected with expected = row total x column total / n (no Yates
    correction, so that Cramér's V = sqrt(chi2 / (n (min(rows, cols) - 1))) is the textbook one); None when a
    row or column is empty or the table has fewer than two rows or columns."""
    observed = np.asarray(table, dtype=float)
    if observed.ndim != 2 or min(observed.shape) < 2:
        return None
    if (observed.sum(axis=0) == 0).any() or (observed.sum(axis=1) == 0).any():
        return None
    chi2, p_value, dof, expected = sp.chi2_contingency(observed, correction=False)
    n = float(observed.sum())
    return Independence(
        chi2=float(chi2),
        dof=int(dof),
        p_value=float(p_value),
        cramers_v=cramers_v(float(chi2), n, *observed.shape),
        min_expected=float(expected.min()),
        n=int(round(n)),
    )


def monte_carlo_p_value(table: Sequence[Sequence[float]], chi2: float, draws: int = MONTE_CARLO_DRAWS) -> float:
    """p = (1 + tables with chi2 >= observed) / (1 + draws), over tables drawn at random with the observed row and
    column totals (scipy's random_table: the exact null distribution of independence given the margins)."""
    observed = np.asarray(table, dtype=np.int64)
    rows, cols = observed.sum(axis=1), observed.sum(axis=0)
    expected = np.outer(rows, cols) / observed.sum()
    tables = sp.random_table(rows, cols, seed=MONTE_CARLO_SEED).rvs(size=draws)
    simulated = ((tables - expected) ** 2 / expected).sum(axis=(1, 2))
    return float((1 + np.count_nonzero(simulated >= chi2 - 1e-9)) / (1 + draws))


def rating_independence(table: Sequence[Sequence[float]]) -> Independence | None:
    """The chi-square test of groups x every rating (empty rating columns dropped), with dof = (groups - 1) x
    (ratings - 1) and Cramér's V; when an expected count is below 5 the p-value is a Monte-Carlo one."""
    observed = np.asarray(table, dtype=float)
    if observed.ndim != 2 or observed.size == 0:
        return None
    observed = observed[:, observed.sum(axis=0) > 0]
    result = chi_square_independence(observed)
    if result is None or result.min_expected >= SMALL_EXPECTED:
        return result
    p_value = monte_carlo_p_value(observed, result.chi2)
    return Independence(result.chi2, result.dof, p_value, result.cramers_v, result.min_expected, result.n,
                        f"Monte Carlo ({MONTE_CARLO_DRAWS:,} tables)")


@dataclass(frozen=True)
class StratifiedComparison:
    """One group against a reference within strata (Cochran-Mantel-Haenszel): the test and the pooled ratios."""

    chi2: float
    p_value: float
    odds_ratio: float | None
    impact_ratio: float | None  # the Mantel-Haenszel risk ratio: the stratified rate ratio
    strata: int


def stratified_comparison(strata: Sequence[tuple[int, int, int, int]]) -> StratifiedComparison | None:
    """Per stratum (hits, n, reference hits, reference n): the Cochran-Mantel-Haenszel chi-square (no continuity
    correction) and p-value, the Mantel-Haenszel odds ratio, and impact ratio = sum(a n0 / N) / sum(c n1 / N),
    the Mantel-Haenszel risk ratio (statsmodels' StratifiedTable). Strata with no variation add nothing and are
    left out; None when none is left."""
    # statsmodels is imported here: it takes a second to load, and only this panel needs it.
    from statsmodels.stats.contingency_tables import StratifiedTable

    tables = [
        np.array([[hits, n - hits], [ref_hits, ref_n - ref_hits]], dtype=float)
        for hits, n, ref_hits, ref_n in strata
        if n and ref_n and 0 < hits + ref_hits < n + ref_n
    ]
    if not tables:
        return None
    table = StratifiedTable(tables)
    test = table.test_null_odds(correction=False)
    odds, risk = float(table.oddsratio_pooled), float(table.riskratio_pooled)
    return StratifiedComparison(
        chi2=float(test.statistic), p_value=float(test.pvalue),
        odds_ratio=odds if math.isfinite(odds) else None, impact_ratio=risk if math.isfinite(risk) else None,
        strata=len(tables),
    )


def p_text(p: float | None) -> str:
    """A p-value as words use it: '= 0.042', '< 0.001', or '—' when there is none."""
    if p is None:
        return "—"
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def cramers_v(chi2: float, n: float, rows: int, cols: int) -> float:
    """Cramér's V = sqrt(chi2 / (n x (min(rows, cols) - 1))): 0 means no association, 1 a perfect one."""
    return math.sqrt(chi2 / (n * (min(rows, cols) - 1)))


@dataclass(frozen=True)
class TwoGroupTest:
    """A comparison of one group's outcome rate with a reference group's."""

    test: str  # "Fisher's exact" or "two-proportion z"
    statistic: float | None  # z for the z-test, the odds ratio for Fisher's test
    p_value: float


def fisher_exact(hits: int, n: int, ref_hits: int, ref_n: int) -> TwoGroupTest:
    """Fisher's exact test, two-sided, of the 2x2 table [[hits, n - hits], [ref_hits, ref_n - ref_hits]]."""
    odds_ratio, p_value = sp.fisher_exact([[hits, n - hits], [ref_hits, ref_n - ref_hits]], alternative="two-sided")
    statistic = None if math.isnan(odds_ratio) or math.isinf(odds_ratio) else float(odds_ratio)
    return TwoGroupTest("Fisher's exact", statistic, float(p_value))


def two_proportion_z(hits: int, n: int, ref_hits: int, ref_n: int) -> TwoGroupTest | None:
    """z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)) with the pooled rate p = (x1 + x2) / (n1 + n2); two-sided
    p = 2 (1 - Phi(|z|)). None when the pooled rate is 0 or 1 (no variation to test)."""
    pooled = (hits + ref_hits) / (n + ref_n)
    if pooled in (0.0, 1.0):
        return None
    z = (hits / n - ref_hits / ref_n) / math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / ref_n))
    return TwoGroupTest("two-proportion z", z, float(2 * sp.norm.sf(abs(z))))


def min_expected_2x2(hits: int, n: int, ref_hits: int, ref_n: int) -> float:
    """The smallest expected count of the 2x2 table under independence: row total x column total / grand total."""
    total = n + ref_n
    top = hits + ref_hits
    return min(r * c / total for r in (n, ref_n) for c in (top, total - top))


def compare_with_reference(hits: int, n: int, ref_hits: int, ref_n: int) -> TwoGroupTest | None:
    """Fisher's exact test when any expected count is below 5 (small groups), else the two-proportion z-test."""
    if n == 0 or ref_n == 0:
        return None
    if min_expected_2x2(hits, n, ref_hits, ref_n) < SMALL_EXPECTED:
        return fisher_exact(hits, n, ref_hits, ref_n)
    return two_proportion_z(hits, n, ref_hits, ref_n)


def holm_adjust(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjustment for m comparisons: sorted ascending, p(i) becomes
    max over j <= i of min(1, (m - j + 1) p(j)); None stays None and does not count."""
    present = sorted((p, k) for k, p in enumerate(p_values) if p is not None)
    m = len(present)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, k) in enumerate(present):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[k] = running
    return adjusted


def impact_ratio(rate: float | None, reference_rate: float | None) -> float | None:
    """Impact ratio = a group's rate / the highest group's rate; below 0.8 fails the four-fifths rule."""
    if rate is None or reference_rate is None or reference_rate == 0:
        return None
    return rate / reference_rate


def funnel_limits(n: int, mean: float, sd: float, z: float) -> tuple[float, float]:
    """The funnel plot's control limits at group size n: mean -/+ z x sd / sqrt(n)."""
    half = z * sd / math.sqrt(n)
    return mean - half, mean + half
