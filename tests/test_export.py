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
