"""Each objective's trend over the year's quarters on the tiny organisation (tests/tiny_org.py), worked out by hand.

Q4 filter, as of 2026-11-15: Q1, Q2 and Q3 ended before it, so the points are 31 Mar, 30 Jun, 30 Sep and now.
Objective 1 "Grow revenue" (2026) = goal 10 = mean of 20, 21, 22; a key result with no update yet stands at its start.
- 31 Mar and 30 Jun: no update at all: 20 = 0, 21 = 0, 22 = 0 -> 0.0.
- 30 Sep: KR107 (goal 22, Q3) reached 10 of 10 on 20 Sep: 22 = 1.0; 20, 21 still 0 -> 1/3.
- now: 0.725, the figure every screen shows.
Expected for a 2026 objective: 90/365, 181/365, 273/365, 319/365. Objective 2 has nothing under it: no data.
"""

import pytest

from queries.model import Settings, Viewer
from queries.overview import objective_progress
from queries.review import objective_trend, trend_dates
from tests.tiny_org import Q3, tiny_filters, tiny_snapshot

HR = Viewer("hr@acme.example", "hr")


def test_the_points_are_the_past_quarter_ends_and_now():
    assert [p for p, _ in trend_dates(tiny_snapshot(), tiny_filters())] == ["2026-Q1", "2026-Q2", "2026-Q3", "now"]


def test_an_early_as_of_date_has_fewer_points():
    filters = tiny_filters(period_id=Q3, as_of=tiny_filters().as_of.replace(month=8, day=1))
    assert [p for p, _ in trend_dates(tiny_snapshot(), filters)] == ["2026-Q1", "2026-Q2", "now"]


def test_objective_trend_replays_each_quarter_end():
    trend = objective_trend(tiny_snapshot(), tiny_filters(), HR, Settings())
    grow = trend.filter(trend["objective_id"] == 1)
    assert grow["point"].to_list() == ["2026-Q1", "2026-Q2", "2026-Q3", "now"]
    assert grow["progress"].to_list() == pytest.approx([0.0, 0.0, 1 / 3, 0.725])
    assert grow["expected"].to_list() == pytest.approx([90 / 365, 181 / 365, 273 / 365, 319 / 365])
    assert trend.filter(trend["objective_id"] == 2)["status"].unique().to_list() == ["no data"]


def test_now_is_the_screens_figure():
    snapshot, filters = tiny_snapshot(), tiny_filters(org_unit_id=5)
    trend = objective_trend(snapshot, filters, HR, Settings())
    now = trend.filter(trend["point"] == "now").sort("objective_id")
    screen = objective_progress(snapshot, filters, HR, Settings()).sort("id")
    assert now["progress"].to_list() == pytest.approx(screen["progress"].to_list(), nan_ok=True)
