"""Association between two measures over groups: Pearson's r with a confidence interval, and a fitted line.

An association, not a cause: these numbers say how two measures move together across groups, nothing more.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np


def _clean(x: Sequence[float | None], y: Sequence[float | None]) -> tuple[np.ndarray, np.ndarray]:
    """Pairs where both values are finite numbers."""
    xs = np.array([np.nan if v is None else v for v in x], dtype=float)
    ys = np.array([np.nan if v is None else v for v in y], dtype=float)
    keep = np.isfinite(xs) & np.isfinite(ys)
    return xs[keep], ys[keep]


def pearson_with_ci(x: Sequence[float | None], y: Sequence[float | None], confidence: float = 0.95) -> dict:
    """Pearson's r = cov(x, y) / (sd(x) sd(y)) over complete pairs, with a Fisher-z interval:
    tanh(atanh(r) ± z_(1+c)/2 / sqrt(n - 3)). r needs n >= 3 and some spread in both; the interval n >= 4."""
    xs, ys = _clean(x, y)
    n = len(xs)
    result = {"n": n, "r": None, "ci_low": None, "ci_high": None}
    if n < 3:
        return result
    dx, dy = xs - xs.mean(), ys - ys.mean()
    spread = math.sqrt(float(dx @ dx) * float(dy @ dy))
    if spread == 0:
        return result
    r = max(-1.0, min(1.0, float(dx @ dy) / spread))
    result["r"] = r
    if n >= 4 and abs(r) < 1:
        z = math.atanh(r)
        half = NormalDist().inv_cdf((1 + confidence) / 2) / math.sqrt(n - 3)
        result["ci_low"], result["ci_high"] = math.tanh(z - half), math.tanh(z + half)
    elif n >= 4:
        result["ci_low"] = result["ci_high"] = r
    return result


def fitted_line(x: Sequence[float | None], y: Sequence[float | None]) -> dict:
    """Least-squares line y = intercept + slope × x over complete pairs (null with fewer than 2 distinct x)."""
    xs, ys = _clean(x, y)
    if len(xs) < 2:
        return {"slope": None, "intercept": None}
    dx = xs - xs.mean()
    sxx = float(dx @ dx)
    if sxx == 0:
        return {"slope": None, "intercept": None}
    slope = float(dx @ (ys - ys.mean())) / sxx
    return {"slope": slope, "intercept": float(ys.mean() - slope * xs.mean())}


_STRENGTH = ((0.1, "no association to speak of"), (0.3, "a weak"), (0.5, "a moderate"), (math.inf, "a strong"))


def describe_association(
    r: float | None, ci_low: float | None, ci_high: float | None, n: int, *, x: str, y: str, of: str = "groups"
) -> str:
    """Plain words for Pearson's r across `n` groups: strength (|r| < 0.1 none to speak of, < 0.3 weak, < 0.5
    moderate, else strong), direction, and whether the 95% interval leaves room for no association at all."""
    if r is None:
        return f"Too few {of} with enough spread ({n}) to measure an association between {x} and {y}."
    size = abs(r)
    strength = next(word for limit, word in _STRENGTH if size < limit)
    if size < 0.1:
        words = f"Across {n} {of} there is {strength} between {x} and {y} (r = {r:.2f}"
    else:
        direction = "positive" if r > 0 else "negative"
        tendency = "higher" if r > 0 else "lower"
        words = (
            f"Across {n} {of} there is {strength} {direction} association: where {x} is higher, {y} tends to be "
            f"{tendency} (r = {r:.2f}"
        )
    if ci_low is None or ci_high is None:
        return words + f"; too few {of} for a confidence interval)."
    words += f", 95% CI {ci_low:.2f} to {ci_high:.2f})."
    if ci_low <= 0 <= ci_high:
        words += " The interval includes zero, so these data are also consistent with no association."
    return words
