"""Charts drawn from templates validated once are the charts Altair builds on every call (tests/reference_charts.py):
the same Vega-Lite spec once each dataset is put in place of its name, for frames of every shape the screens draw."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest

from components import people_charts, progress_charts, rating_charts
from tests import reference_charts


def resolved(spec: dict) -> dict:
    """The spec with each named dataset written where it is used, so that dataset names no longer matter."""
    datasets = spec.get("datasets", {})

    def walk(node):
        if isinstance(node, dict):
            if set(node) == {"name"} and node["name"] in datasets:
                return {"values": datasets[node["name"]]}
            return {key: walk(value) for key, value in node.items() if key != "datasets"}
        if isinstance(node, list):
            return [walk(value) for value in node]
        return node

    return walk(spec)


def same_chart(builder: str, *args, module=people_charts, **options) -> None:
    """The chart `builder` draws from its template is the one the reference builds with Altair."""
    template = getattr(module, builder)(*args, **options)
    reference = getattr(reference_charts, builder)(*args, **options)
    assert resolved(template.to_dict()) == resolved(reference.to_dict())


def bins(counts: list[tuple[int, int]]) -> pl.DataFrame:
    """The days-since frame: every bin, (not lapsed, lapsed) people in each."""
    labels = [f"{b * 7}–{b * 7 + 6}" for b in range(13)] + ["91+", "never"]
    rows = [(order, label, state, people) for order, label in enumerate(labels)
            for state, people in zip(["lapsed", "not lapsed"], counts[order % len(counts)], strict=True)]  # fmt: skip
    return pl.DataFrame(rows, schema=["order", "days", "state", "people"], orient="row")


def weekly(groups: list[str], weeks: int) -> pl.DataFrame:
    rows = [(i, group, 10 + i, date(2026, 10, 5) + timedelta(weeks=w), i + w, (i + w) / (10 + i))
            for i, group in enumerate(groups) for w in range(weeks)]  # fmt: skip
    return pl.DataFrame(rows, schema=["group_id", "group", "people", "week", "checkins", "per_person"], orient="row")


def teams(count: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "org_unit_id": list(range(count)),
            "team": [f"Team {i}" for i in range(count)],
            "people": [3 + i % 7 for i in range(count)],
            "goals": [1 + i % 4 for i in range(count)],
            "checkins_per_person": [0.5 + (i * 37 % 100) / 25 for i in range(count)],
            "pace": [(i * 53 % 100) / 40 for i in range(count)],
        },
        schema={"org_unit_id": pl.Int64, "team": pl.String, "people": pl.Int64, "goals": pl.Int64,
                "checkins_per_person": pl.Float64, "pace": pl.Float64},
    )  # fmt: skip


class TestCheckinCharts:
    @pytest.mark.parametrize("counts", [[(0, 5), (2, 1)], [(0, 0)]], ids=["people", "nobody"])
    @pytest.mark.parametrize("lapse", [30, 14])
    def test_days_since_histogram(self, counts, lapse):
        frame = bins(counts)
        same_chart("days_since_histogram", frame, lapse)

    @pytest.mark.parametrize(("groups", "weeks"), [(["Team 2", "Team 1", "Team 9"], 8), (["North"], 1), ([], 0)])
    @pytest.mark.parametrize("title", ["Team", "Region"])
    def test_weekly_heatmap(self, groups, weeks, title):
        frame = weekly(groups, weeks)
        same_chart("weekly_heatmap", frame, title)

    @pytest.mark.parametrize("count", [0, 2, 40, 1501], ids=["none", "two", "some", "a density grid"])
    @pytest.mark.parametrize("fit", [(0.1, 0.8), (None, None)], ids=["fitted", "no fit"])
    def test_cadence_scatter(self, count, fit):
        frame = teams(count)
        same_chart("cadence_scatter", frame, *fit)


class TestAlignmentCharts:
    @pytest.mark.parametrize("average", [0.62, None])
    @pytest.mark.parametrize("size", [0, 1, 25])
    def test_ranked_bars(self, average, size):
        frame = pl.DataFrame(
            {"group_id": list(range(size)), "group": [f"Team {i}" for i in range(size)],
             "goals": [5 + i for i in range(size)], "aligned": [i for i in range(size)],
             "rate": [i / (5 + i) for i in range(size)]},
            schema={"group_id": pl.Int64, "group": pl.String, "goals": pl.Int64, "aligned": pl.Int64,
                    "rate": pl.Float64},
        )  # fmt: skip
        options = dict(value="rate", value_title="Alignment", group_title="Team", count="goals", count_title="Goals",
                       average=average, average_title="Organisation average")  # fmt: skip
        same_chart("ranked_bars", frame, **options)

    def test_ranked_bars_of_another_measure(self):
        frame = pl.DataFrame({"group_id": [1, 2], "group": ["North", "South"], "people": [8, 9],
                              "with_development": [2, 9], "share": [0.25, 1.0]})  # fmt: skip
        options = dict(value="share", value_title="With a development goal", group_title="Region", count="people",
                       count_title="People", average=0.6, average_title="Everyone in scope")  # fmt: skip
        same_chart("ranked_bars", frame, **options)

    @pytest.mark.parametrize("pace", [[0.9, None, 1.2], [None, None, None]], ids=["measured", "nothing measured"])
    def test_work_mode_bars(self, pace):
        frame = pl.DataFrame(
            {"work_mode": ["office", "hybrid", "remote"], "people": [4, 5, 6], "goals": [3, 0, 2],
             "alignment": [0.5, None, 1.0], "coverage": [0.75, 0.8, 0.5], "pace": pace},
            schema={"work_mode": pl.String, "people": pl.Int64, "goals": pl.Int64, "alignment": pl.Float64,
                    "coverage": pl.Float64, "pace": pl.Float64},
        )  # fmt: skip
        same_chart("work_mode_bars", frame)


class TestTrendChart:
    @pytest.mark.parametrize("quarters", [3, 1, 0], ids=["Q4", "Q2", "none"])
    @pytest.mark.parametrize("columns", [4, 2])
    def test_trend_chart(self, quarters, columns):
        points = [(f"End of Q{q + 1}", date(2026, 3 * q + 3, 28)) for q in range(quarters)]
        points.append(("Now", date(2026, 11, 25)))
        rows = [(objective, title, point, at, 0.2 * (i + 1) / (objective + 1), 0.25 * (i + 1), "at risk")
                for objective, title in enumerate(["Grow", "Delight"]) for i, (point, at) in enumerate(points)]
        frame = pl.DataFrame(
            rows, orient="row",
            schema={"objective_id": pl.Int64, "title": pl.String, "point": pl.String, "date": pl.Date,
                    "progress": pl.Float64, "expected": pl.Float64, "status": pl.String},
        ).sort(["title", "date"])  # fmt: skip
        same_chart("trend_chart", frame, module=progress_charts, columns=columns)


def distribution(groups: list[tuple[str, int]], gaps: list[float]) -> pl.DataFrame:
    """rating_distribution's frame: per group and rating 1-5, the share, guideline and gap."""
    guideline = [0.05, 0.15, 0.5, 0.2, 0.1]
    rows = []
    for g, (name, n) in enumerate(groups):
        for r in range(5):
            gap = gaps[(g + r) % len(gaps)]
            rows.append((f"{g}", name, n, r + 1, guideline[r] + gap, guideline[r], gap))
    return pl.DataFrame(rows, orient="row", schema={"group_id": pl.String, "group": pl.String, "n": pl.Int64,
                                                     "rating": pl.Int64, "share": pl.Float64,
                                                     "guideline": pl.Float64, "gap": pl.Float64})


class TestRatingCharts:
    @pytest.mark.parametrize("gaps", [[0.0], [0.02, -0.03], [0.3, -0.25, 0.1]], ids=["none", "small", "large"])
    def test_guideline_bars(self, gaps):
        same_chart("guideline_bars", distribution([("Everyone in scope", 120)], gaps), module=rating_charts)

    @pytest.mark.parametrize(
        "groups",
        [[("North", 40)], [("North", 40), ("South", 12), ("Other groups (3, hidden)", 9)]],
        ids=["one", "three"],
    )
    @pytest.mark.parametrize("gaps", [[0.0], [0.02, -0.03], [0.3, -0.25, 0.1]], ids=["none", "small", "large"])
    @pytest.mark.parametrize("title", ["Team", "Manager"])
    def test_gap_bars(self, groups, gaps, title):
        same_chart("gap_bars", distribution(groups, gaps), module=rating_charts, group_title=title)


def test_filling_a_template_leaves_it_as_it_was():
    from components.charts import filled

    template = {"layer": [{"encoding": {"y": {"sort": []}}}, {"mark": "rule"}], "height": 40}
    spec = filled(template, {("layer", 0, "encoding", "y", "sort"): ["b", "a"]})
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["b", "a"]
    assert spec["layer"][1] is template["layer"][1]  # only the path is copied
    assert template == {"layer": [{"encoding": {"y": {"sort": []}}}, {"mark": "rule"}], "height": 40}


def test_dates_and_times_are_written_as_altair_writes_them():
    import altair as alt

    from components.charts import FilledChart

    moments = [datetime(2026, 1, 2, 3, 4, 5, 120), datetime(2026, 1, 2)]
    frame = pl.DataFrame({"day": [date(2026, 1, 2), None], "moment": moments})
    by_altair = next(iter(alt.Chart(frame).mark_point().encode(x="day:T").to_dict()["datasets"].values()))
    assert FilledChart({}, {"rows": frame}).to_dict()["datasets"]["rows"] == by_altair
