"""The backtest: forecasts made at the middle of past quarters against what happened, and the calibration maths."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from queries.backtest import brier, forecast_calibration, forecast_skill, quarter_backtest, simulated_calibration
from queries.model import Settings, Viewer
from queries.periods import period_row
from tests.tiny_org import Q3, tiny_filters, tiny_snapshot

EXECUTIVE = Viewer("ceo@acme.example", "executive", 1)


class TestCalibrationMaths:
    def test_calibrated_chances_lie_on_the_diagonal(self):
        """Chances p ~ U(0, 1), outcomes ~ Bernoulli(p): every band's share of successes is its mean chance (within
        3 standard errors), and the Brier score is E[p (1 - p)] = 1/2 - 1/3 = 1/6."""
        rng = np.random.default_rng(5)
        chances = rng.random(40_000)
        outcomes = rng.random(40_000) < chances
        bands = simulated_calibration(chances, outcomes)
        assert bands["band"].to_list() == list(range(10))
        for row in bands.iter_rows(named=True):
            error = np.sqrt(row["predicted"] * (1 - row["predicted"]) / row["goals"])
            assert abs(row["observed"] - row["predicted"]) < 3 * error + 1e-9
        frame = pl.DataFrame({"chance": chances, "on_track": outcomes.astype(float)})
        assert brier(frame, "chance") == pytest.approx(1 / 6, abs=0.005)

    def test_overconfident_chances_fall_below_the_diagonal(self):
        """Outcomes ~ Bernoulli(p^2): a predicted 75% comes true about 56% of the time."""
        rng = np.random.default_rng(6)
        chances = rng.random(40_000)
        bands = simulated_calibration(chances, rng.random(40_000) < chances**2)
        high = bands.filter(bands["band"] == 7).row(0, named=True)
        assert high["observed"] == pytest.approx(high["predicted"] ** 2, abs=0.03)
        assert high["observed"] < high["predicted"] - 0.1


class TestTinyOrganisation:
    def test_the_q3_goal_forecast_from_mid_august(self):
        """Q3 runs 1 Jul - 30 Sep; its middle day is 15 Aug. Goal 22's KR 107 (0 -> 10) had 2 on 10 Jul and 5 on 1 Aug:
        drift 5/31 a day, 60 days left -> 5 + 9.7 = 14.7; increments 2 in 9 days and 3 in 22 leave residuals +-0.548,
        sigma^2 = 2 x 0.300 / 31 x 2 = 0.0388, spread 0.197 x sqrt(60 + 60^2/31) = 2.6: P(end >= 9) = P(Z >= -2.2)
        = 0.985. It ended at 10 of 10: on track. Owners' confidence on 15 Aug: 0.7."""
        snapshot = tiny_snapshot()
        quarter = period_row(snapshot, Q3) | {"name": "2026-Q3"}
        scored = quarter_backtest(snapshot, quarter, Settings()).row(0, named=True)
        assert scored["id"] == 22 and scored["on_track"] == 1.0
        assert scored["chance"] == pytest.approx(0.985, abs=0.03)
        assert scored["confidence"] == pytest.approx(0.7)

    def test_groups_smaller_than_the_floor_are_not_shown(self):
        """The tiny organisation has one finished business goal: far too few to judge a forecast by."""
        snapshot, filters = tiny_snapshot(), tiny_filters(as_of=date(2026, 11, 15))
        assert forecast_skill(snapshot, filters, EXECUTIVE).is_empty()
        assert forecast_skill(snapshot, filters, EXECUTIVE, by="region").is_empty()
        assert forecast_calibration(snapshot, filters, EXECUTIVE).is_empty()
