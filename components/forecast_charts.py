"""Charts of the forecasts: each objective's end-of-period progress as an interval (P10-P90) with its P50."""

from __future__ import annotations

import functools

import altair as alt
import polars as pl
import streamlit as st

from components.charts import ACCENT, INK, MUTED, FilledChart
from components.tables import data_table


@functools.cache
def _interval_template(row_height: int) -> dict:
    """Interval bars over a named dataset "rows" (title, p10, p50, p90, progress, chance), validated once."""
    base = alt.Chart(alt.NamedData(name="rows")).encode(
        y=alt.Y("title:N", sort=None, title=None, axis=alt.Axis(labelLimit=360, labelFontSize=13)),
    )
    tooltip = [
        alt.Tooltip("title:N", title="Objective"),
        alt.Tooltip("progress:Q", format=".0%", title="Progress now"),
        alt.Tooltip("p10:Q", format=".0%", title="End of period, P10"),
        alt.Tooltip("p50:Q", format=".0%", title="End of period, P50"),
        alt.Tooltip("p90:Q", format=".0%", title="End of period, P90"),
        alt.Tooltip("p_on_track:Q", format=".0%", title="Chance of finishing on track"),
    ]
    scale = alt.Scale(domain=[0, 1])
    band = base.mark_bar(color=ACCENT, opacity=0.3, height={"band": 0.5}, cornerRadius=3).encode(
        x=alt.X("p10:Q", title="Progress at the period's end: P10 to P90, tick at P50; dot = now",
                axis=alt.Axis(format="%"), scale=scale),
        x2="p90:Q", tooltip=tooltip,
    )
    middle = base.mark_tick(color=ACCENT, thickness=3, size=row_height * 0.6).encode(x="p50:Q", tooltip=tooltip)
    now = base.mark_point(color=MUTED, filled=True, size=50).encode(x="progress:Q", tooltip=tooltip)
    chance = base.mark_text(align="left", dx=8, color=INK, fontSize=12).encode(x="p90:Q", text="chance:N")
    return (band + middle + now + chance).properties(height=row_height).to_dict(validate=True)


def forecast_intervals(frame: pl.DataFrame, *, row_height: int = 36) -> FilledChart:
    """One row per objective with a forecast: the P10-P90 band, P50 tick, progress now and the chance of finishing
    on track written at the band's end."""
    rows = frame.filter(pl.col("p50").is_not_null()).select(
        "title", "progress", "p10", "p50", "p90", "p_on_track",
        pl.format("{}% on track", (pl.col("p_on_track") * 100).round(0).cast(pl.Int64)).alias("chance"),
    )
    return FilledChart(_interval_template(row_height), {"rows": rows}, height=max(rows.height, 1) * row_height)


def forecast_table(
    frame: pl.DataFrame, *, label: str = "Objective", name: str = "End-of-period forecast figures"
) -> None:
    """The forecast figures per row beside the owners' confidence, shares in percent."""
    shares = ["progress", "p10", "p50", "p90", "p_on_track", "confidence"]
    data_table(
        frame.filter(pl.col("p50").is_not_null() | pl.col("confidence").is_not_null())
        .select("title", *shares)
        .with_columns(pl.col(shares) * 100),
        name,
        {
            "title": st.column_config.TextColumn(label, width="medium"),
            "progress": st.column_config.NumberColumn("Now", format="%.0f%%"),
            "p10": st.column_config.NumberColumn("P10", format="%.0f%%", help="1 in 10 forecasts end below this"),
            "p50": st.column_config.NumberColumn("P50", format="%.0f%%", help="the middle forecast"),
            "p90": st.column_config.NumberColumn("P90", format="%.0f%%", help="1 in 10 forecasts end above this"),
            "p_on_track": st.column_config.NumberColumn("Chance on track", format="%.0f%%"),
            "confidence": st.column_config.NumberColumn(
                "Owners' confidence", format="%.0f%%", help="the owners' latest confidence, rolled up like progress"
            ),
        },
    )


@functools.cache
def _calibration_template() -> dict:
    """Predicted chance against the share that finished on track, per band and source, over a dataset "rows"."""
    tooltip = [
        alt.Tooltip("source:N", title="Source"),
        alt.Tooltip("predicted:Q", format=".0%", title="Predicted chance (mean)"),
        alt.Tooltip("observed:Q", format=".0%", title="Finished on track"),
        alt.Tooltip("goals:Q", format=",", title="Goals"),
    ]
    axis = alt.Axis(format="%")
    scale = alt.Scale(domain=[0, 1])
    diagonal = alt.Chart(alt.NamedData(name="diagonal")).mark_line(color=MUTED, strokeDash=[4, 4]).encode(
        x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale)
    )
    points = (
        alt.Chart(alt.NamedData(name="rows"))
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=60))
        .encode(
            x=alt.X("predicted:Q", title="Predicted chance of finishing on track", axis=axis, scale=scale),
            y=alt.Y("observed:Q", title="Share that finished on track", axis=axis, scale=scale),
            color=alt.Color("source:N", title=None, scale=alt.Scale(range=[ACCENT, "#e07a2e"])),
            tooltip=tooltip,
        )
    )
    return (diagonal + points).properties(height=320).to_dict(validate=True)


def calibration_chart(frame: pl.DataFrame) -> FilledChart:
    """Calibration: per band of predicted chance, the mean prediction against what happened; the dashed diagonal is
    a perfectly calibrated forecast."""
    diagonal = pl.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]})
    return FilledChart(_calibration_template(), {"rows": frame, "diagonal": diagonal})


def skill_table(frame: pl.DataFrame, name: str, *, label: str) -> None:
    """Per group: goals, finished on track, the forecast's and the owners' mean chance and Brier score, and how often
    the owners' confident calls came true."""
    shares = ["finished_on_track", "forecast_chance", "owner_confidence", "confident_came_true"]
    data_table(
        frame.with_columns(pl.col(shares) * 100),
        name,
        {
            "group": st.column_config.TextColumn(label),
            "goals": st.column_config.NumberColumn("Goals"),
            "finished_on_track": st.column_config.NumberColumn("Finished on track", format="%.0f%%"),
            "forecast_chance": st.column_config.NumberColumn("Forecast chance (mean)", format="%.0f%%"),
            "forecast_brier": st.column_config.NumberColumn(
                "Forecast Brier", format="%.3f", help="Mean squared gap between chance and outcome: 0 perfect, "
                "0.25 = always saying 50%"
            ),
            "owner_confidence": st.column_config.NumberColumn("Owners' confidence (mean)", format="%.0f%%"),
            "confidence_brier": st.column_config.NumberColumn("Confidence Brier", format="%.3f"),
            "confident_goals": st.column_config.NumberColumn("Confident calls", help="Owners' confidence 70-90%"),
            "confident_came_true": st.column_config.NumberColumn(
                "Confident calls came true", format="%.0f%%", help="Blank: too few confident calls to say"
            ),
        },
    )
