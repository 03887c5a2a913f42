"""Exports: CSV and Excel downloads of frames with formula text neutralised, PNG of charts, and the buttons."""

from __future__ import annotations

import csv
import io
import struct
from datetime import date

import altair as alt
import polars as pl
import pytest

from components.export import PNG_SCALE, PNG_WIDTH, csv_bytes, file_stem, neutralise, png_bytes, xlsx_bytes

INJECTIONS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def risky_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "team": [*INJECTIONS, "Alpha", None],
            "progress": [0.5, -0.25, 1.0, 0.0, -3.0, 2.5, 0.75, None],
            "people": [1, -2, 3, 4, 5, 6, 7, 8],
            "as_of": [date(2026, 11, 15)] * 8,
        }
    )


class TestNeutralise:
    def test_text_that_starts_like_a_formula_gets_a_leading_apostrophe(self):
        out = neutralise(risky_frame())
        assert out["team"].to_list() == [f"'{text}" for text in INJECTIONS] + ["Alpha", None]

    def test_numbers_and_dates_stay_as_they_are(self):
        frame = risky_frame()
        out = neutralise(frame)
        assert out.schema == frame.schema
        assert out.select("progress", "people", "as_of").equals(frame.select("progress", "people", "as_of"))

    def test_categories_and_lists_are_neutralised_as_text(self):
        frame = pl.DataFrame(
            {"status": pl.Series(["=x", "on track"], dtype=pl.Categorical), "owners": [["=evil", "Ann"], ["Bob"]]}
        )
        out = neutralise(frame)
        assert out["status"].to_list() == ["'=x", "on track"]
        assert out["owners"].to_list() == ["'=evil, Ann", "Bob"]


class TestFiles:
    def test_csv_cells(self):
        content = csv_bytes(risky_frame())
        assert content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the byte-order mark
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
        assert rows[0] == ["team", "progress", "people", "as_of"]
        assert [r[0] for r in rows[1:7]] == [f"'{text}" for text in INJECTIONS]
        # Negative numbers are numbers: no apostrophe in front of -0.25 or -2.
        assert rows[2][1:] == ["-0.25", "-2", "2026-11-15"]

    def test_times_keep_their_seconds(self):
        from datetime import datetime

        frame = pl.DataFrame({"at": [datetime(2026, 11, 25, 9, 30, 5)]})
        assert csv_bytes(frame).decode("utf-8-sig").splitlines() == ["at", "2026-11-25 09:30:05"]

    def test_excel_cells(self):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(xlsx_bytes(risky_frame(), "Most behind: Q4/2026"))).active
        assert sheet.title == "Most behind  Q4 2026"
        values = list(sheet.iter_rows(min_row=2, values_only=True))
        # (openpyxl hands back the carriage return of the last one in its XML escape, _x000D_.)
        assert [v[0] for v in values[:5]] == [f"'{text}" for text in INJECTIONS[:5]]
        assert values[5][0].startswith("'")
        cells = [sheet.cell(row=r, column=1) for r in range(2, 8)]
        assert all(cell.data_type == "s" for cell in cells), "text stays text, never a formula"
        assert values[1][1] == -0.25 and values[1][2] == -2
        assert values[0][3].date() == date(2026, 11, 15)

    def test_chart_png(self):
        chart = alt.Chart(pl.DataFrame({"team": ["Alpha", "Beta"], "progress": [0.4, 0.8]})).mark_bar()
        chart = chart.encode(x="progress:Q", y="team:N").properties(width="container")
        content = png_bytes(chart)
        assert content[:8] == b"\x89PNG\r\n\x1a\n"
        width, _height = struct.unpack(">II", content[16:24])
        assert width >= PNG_WIDTH * PNG_SCALE

    @pytest.mark.parametrize(
        ("name", "stem"),
        [("Most behind pace", "ladder-most-behind-pace"), ("Q4 / 2026!", "ladder-q4-2026"), ("", "ladder-export")],
    )
    def test_file_names(self, name, stem):
        assert file_stem(name) == stem


def test_a_table_downloads_as_shown_under_its_headings_with_shares_in_percent():
    import streamlit as st

    from components.tables import as_shown

    frame = pl.DataFrame({"team": ["Alpha"], "share": [0.25], "lapsed": [0.5], "n": [7], "team_id": [3], "raw": [1]})
    shown = as_shown(
        frame,
        {
            "team": "Team",
            "share": st.column_config.NumberColumn("Share", format="percent"),
            "lapsed": st.column_config.ProgressColumn("Lapsed", format="percent", min_value=0, max_value=1),
            "n": st.column_config.NumberColumn("People", format="%d"),
            "team_id": None,
        },
    )
    assert shown.columns == ["Team", "Share (%)", "Lapsed (%)", "People", "raw"]
    assert shown.row(0) == ("Alpha", 25.0, 50.0, 7, 1)
    assert as_shown(frame).equals(frame)


def _components_script():
    import altair as alt
    import polars as pl

    from components.charts import show
    from components.tables import data_table, status_table

    frame = pl.DataFrame({"title": ["Grow revenue"], "progress": [0.725], "expected": [0.87], "status": ["at risk"]})
    chart = alt.Chart(frame).mark_bar().encode(x="progress:Q", y="title:N")
    status_table(frame, label="Objective")
    show(chart)
    status_table(frame, label="Objective", name="Most behind pace")
    show(chart, name="Objectives against pace")
    data_table(pl.DataFrame({"n": list(range(30))}), "Numbers", limit=10)


def test_buttons_appear_only_where_a_name_is_given_and_pages_that_give_none_are_unchanged():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_components_script, default_timeout=60).run()
    assert not at.exception
    labels = [button.label for button in at.get("download_button")]
    assert labels == ["CSV", "Excel", "PNG", "CSV", "Excel"]
    assert len(at.dataframe) == 3
    assert "Showing the first 10 of 30 rows" in at.caption[0].value


# --- every screen: a CSV and an Excel button under every table, a PNG button under every chart ----------------

TABLE, CHART = "dataframe", "vega_lite_chart"
BUTTONS = ("CSV", "Excel", "PNG")


def in_order(at) -> list[str]:
    """The page's tables, charts and CSV, Excel and PNG buttons, top to bottom."""
    found = []

    def walk(node) -> None:
        kind = getattr(node, "type", None)
        if kind in (TABLE, CHART):
            found.append(kind)
        elif kind == "download_button" and node.proto.label in BUTTONS:
            found.append(node.proto.label)
        for _, child in sorted(getattr(node, "children", {}).items()):
            walk(child)

    walk(at.main)
    return found


def assert_every_table_and_chart_downloads(at, where: str) -> tuple[int, int]:
    """Each table is followed by its CSV and Excel buttons and each chart by its PNG button, and no button is
    left over; returns how many tables and charts there are."""
    assert not at.exception, where
    seen = in_order(at)
    expected = []
    for kind in seen:
        if kind == TABLE:
            expected += [TABLE, "CSV", "Excel"]
        elif kind == CHART:
            expected += [CHART, "PNG"]
    assert seen == expected, (where, seen)
    assert len(at.dataframe) == seen.count("CSV") == seen.count("Excel"), where
    assert len(at.get(CHART)) == seen.count("PNG"), where
    return seen.count(TABLE), seen.count(CHART)


def _opened(app_test, page: str, state: dict | None = None, sidebar: dict | None = None):
    at = app_test(page=page)
    for key, value in (sidebar or {}).items():
        at.sidebar.selectbox(key=key).set_value(value).run()
    for key, value in (state or {}).items():
        at.session_state[key] = value
    return at.run() if state else at


# Page, then the states to look at it in (session state: the open tab of tabs that draw only when open); and the
# fewest tables and charts the tiny demo shows over those states, so that a screen drawing nothing cannot pass.
SCREENS = {
    "pages/review/overview.py": ([{}], 1, 1),
    "pages/review/progress.py": (
        [{}, {"progress_heatmap": "By team", "progress_detail": "What changed since the last review"}], 3, 3
    ),
    "pages/review/strategy_map.py": ([{}, {"map_depth": 4}], 2, 0),
    "pages/people/ratings.py": (
        [{"ratings_tab": tab} for tab in ("Distribution", "Calibration", "Rater leniency", "Bias tests", "9-box")]
        + [{"ratings_tab": "Distribution", "ratings_by": "manager"}],
        5, 7,
    ),  # fmt: skip
    "pages/people/checkins.py": ([{}, {"checkins_heatmap_by": "Region"}], 2, 3),
    "pages/people/alignment.py": ([{}, {"alignment_by": "Region", "alignment_growth_by": "Team"}], 3, 3),
    "pages/admin/access_log.py": ([{}], 1, 1),
    "pages/admin/data.py": ([{}], 1, 0),
}


@pytest.mark.parametrize("page", list(SCREENS))
def test_every_table_and_chart_on_a_screen_has_its_downloads(app_test, page):
    states, fewest_tables, fewest_charts = SCREENS[page]
    tables = charts = 0
    for state in states:
        shown = assert_every_table_and_chart_downloads(_opened(app_test, page, state), f"{page} {state}")
        tables, charts = tables + shown[0], charts + shown[1]
    assert tables >= fewest_tables and charts >= fewest_charts, (page, tables, charts)


def test_every_table_and_chart_on_my_team_has_its_downloads(app_test):
    at = _opened(app_test, "pages/team/my_team.py", sidebar={"viewer_role": "manager"})
    assert assert_every_table_and_chart_downloads(at, "direct reports")[0] == 1
    at.toggle(key="my_team_subtree").set_value(True).run()
    assert assert_every_table_and_chart_downloads(at, "everyone below") == (1, 1)


def test_the_data_screen_reports_and_plans_come_with_downloads(app_test, demo_database_url, tmp_path, monkeypatch):
    import shutil

    from sqlalchemy.engine import make_url

    from tests.test_page_data import new_update_csv

    path = tmp_path / "ladder.db"
    shutil.copy(make_url(demo_database_url).database, path)
    monkeypatch.setenv("LADDER_DATABASE_URL", f"sqlite:///{path}")
    at = app_test(page="pages/admin/data.py")
    at.file_uploader[0].set_value(("progress_update.csv", b"id,key_result_id,at,value\n1,1,2026-02-30,5\n", "text/csv"))
    assert assert_every_table_and_chart_downloads(at.run(), "problems") == (2, 0)
    at.file_uploader[0].set_value(("progress_update.csv", new_update_csv(path), "text/csv"))
    assert assert_every_table_and_chart_downloads(at.run(), "plan") == (2, 0)


# --- Ratings: a download holds only the groups the screen may show -------------------------------------------


def chart_sizes(chart: alt.TopLevelMixin) -> list[int]:
    """Every group size ("n") in a chart's data, as its PNG would draw it."""
    spec = chart.to_dict()
    rows = [row for data in spec.get("datasets", {}).values() for row in data]
    return [int(row["n"]) for row in rows if row.get("n") is not None]


def test_ratings_downloads_hold_no_group_below_the_minimum(app_test, monkeypatch):
    """CSV and Excel (built from the same frame) and PNG (rendered from the chart as drawn) in every tab and
    toggle, for the whole organisation and one region: no group below the minimum, and none in a team whose
    wider scope shows it only inside "other groups" (that screen offers no download at all)."""
    import components.charts
    import components.tables
    from components.data import SETTINGS
    from queries import ratings as q
    from queries.model import Viewer
    from queries.rating_bias import tested_attributes

    downloads: dict[str, pl.DataFrame] = {}
    charts: dict[str, alt.TopLevelMixin] = {}
    original_table, original_chart = components.tables.table_downloads, components.charts.chart_download

    def recording(frame: pl.DataFrame, name: str, *, key: str | None = None) -> None:
        downloads[name] = frame
        original_table(frame, name, key=key)

    def recording_chart(chart: alt.TopLevelMixin, name: str, *, key: str | None = None) -> None:
        charts[name] = chart
        original_chart(chart, name, key=key)

    monkeypatch.setattr(components.tables, "table_downloads", recording)
    monkeypatch.setattr(components.charts, "chart_download", recording_chart)
    states = [{"ratings_tab": "Distribution", "ratings_by": by} for by in q.GROUPINGS]
    states += [{"ratings_tab": "Calibration", "ratings_by": by} for by in q.GROUPINGS]
    states += [{"ratings_tab": "Rater leniency"}, {"ratings_tab": "9-box"}]
    states += [{"ratings_tab": "Bias tests", "ratings_attribute": attribute}
               for attribute in tested_attributes(Viewer("hr", "hr"))]
    hidden_somewhere = False
    for query in (None, {"region": "NA"}):
        for state in states:
            at = app_test(page="pages/people/ratings.py", query=query)
            for key, value in state.items():
                at.session_state[key] = value
            at.run()
            assert not at.exception, (query, state)
            hidden_somewhere |= any("hidden" in c.value for c in at.caption)
    sizes = []
    for name, frame in downloads.items():
        rows = list(csv.DictReader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"))))
        assert rows, name
        if "People rated" in rows[0]:
            sizes += [(name, int(row["People rated"])) for row in rows]
    assert {name for name, _ in sizes} >= {"Ratings by team", "Ratings by region", "Ratings by manager"}
    assert any(name.startswith("Bias test by") for name, _ in sizes)
    assert any(name.endswith("and goal results") for name, _ in sizes)
    assert all(n >= SETTINGS.min_group_size for _, n in sizes), [s for s in sizes if s[1] < SETTINGS.min_group_size]
    drawn = [(name, n) for name, chart in charts.items() for n in chart_sizes(chart)]
    assert {"Rater leniency", "Ratings before and after calibration", "Performance and potential"} <= set(charts)
    assert drawn and all(n == 0 or n >= SETTINGS.min_group_size for _, n in drawn), drawn
    # The scopes above do have groups below the minimum, so a download that skipped the protection would fail.
    assert hidden_somewhere

    pooled_team = next(team for team in demo_teams(app_test) if team["reason"] == q.PARENT_HIDDEN)
    at = app_test(page="pages/people/ratings.py", query={"team": str(pooled_team["id"])})
    downloads.clear()
    charts.clear()
    at.run()
    assert not at.exception
    assert any("shown only as part of a wider one" in i.value for i in at.info)
    assert not downloads and not charts


def demo_teams(app_test) -> list[dict]:
    """Every unit of the demo organisation with why the Ratings screen of its latest cycle shows nothing, if so."""
    from components.data import SETTINGS, snapshot
    from queries import ratings as q
    from queries.model import Filters, Viewer

    app_test()  # the app's environment: the demo database
    data = snapshot()
    hr = Viewer("hr", "hr")
    cycle = int(q.closed_cycles(data, date(2026, 12, 31))["id"][0])
    period = int(data.period["id"][0])
    rows = []
    for unit in data.org_unit.sort("id")["id"].to_list():
        filters = Filters(period_id=period, as_of=date(2026, 12, 31), org_unit_id=unit)
        rows.append({"id": unit, "reason": q.protection(data, filters, hr, SETTINGS, cycle_id=cycle).reason})
    return rows
