"""Charts of the Progress screen: burn-up against pace per objective, pace heatmaps and the objectives' trend over
quarters (also on the Overview); each a Vega-Lite template validated once and filled per render."""

from __future__ import annotations

import functools

import altair as alt
import polars as pl

from components.charts import ACCENT, INK, MUTED, FilledChart, filled, status_scale

PACE_DOMAIN = [0.4, 1.0, 1.6]  # pace ratio colours saturate 60% either side of exactly on pace


@functools.cache
def _burnup_template(columns: int) -> dict:
    """The faceted burn-up over a named dataset "rows" (title, date, value, series), validated once."""
    tooltip = [
        alt.Tooltip("title:N", title="Objective"),
        alt.Tooltip("date:T", title="Date", format="%d %b %Y"),
        alt.Tooltip("series:N", title="Line"),
        alt.Tooltip("value:Q", title="Value", format=".0%"),
    ]
    lines = (
        alt.Chart(alt.NamedData(name="rows"))
        .mark_line(point=alt.OverlayMarkDef(size=18), strokeWidth=2.5)
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%d %b", labelAngle=0, tickCount=4)),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "series:N", title=None, scale=alt.Scale(domain=["Progress", "Expected (pace)"], range=[ACCENT, MUTED])
            ),
            strokeDash=alt.StrokeDash(
                "series:N", title=None, scale=alt.Scale(domain=["Progress", "Expected (pace)"], range=[[1, 0], [5, 4]])
            ),
            tooltip=tooltip,
        )
        .properties(width=250, height=160)
    )
    return lines.facet(
        facet=alt.Facet("title:N", title=None, header=alt.Header(labelFontSize=13, labelColor=INK, labelLimit=300)),
        columns=columns,
    ).resolve_axis(x="independent").to_dict(validate=True)  # each chart its own date axis: none under an empty cell


def burnup_chart(frame: pl.DataFrame, *, columns: int = 3) -> FilledChart:
    """Per objective, progress over the period (solid, replayed at sample dates) against the pace line (dashed,
    expected progress from the period's elapsed share), one small chart each."""
    long = pl.concat(
        [
            frame.select("title", "date", pl.col("progress").alias("value"), pl.lit("Progress").alias("series")),
            frame.select("title", "date", pl.col("expected").alias("value"), pl.lit("Expected (pace)").alias("series")),
        ]
    ).drop_nulls("value")
    return FilledChart(_burnup_template(columns), {"rows": long})


@functools.cache
def _heatmap_template(column_title: str) -> dict:
    """The pace heatmap over a named dataset "rows", validated once; its height is set per frame."""
    tooltip = [
        alt.Tooltip("objective:N", title="Objective"),
        alt.Tooltip("column:N", title=column_title),
        alt.Tooltip("progress:Q", title="Progress", format=".0%"),
        alt.Tooltip("expected:Q", title="Expected by now", format=".0%"),
        alt.Tooltip("pace_ratio:Q", title="Pace (1.00 = on pace)", format=".2f"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("goals:Q", title="Contributing goals here"),
    ]
    base = alt.Chart(alt.NamedData(name="rows")).encode(
        x=alt.X("column:N", title=None, axis=alt.Axis(labelAngle=-30, labelLimit=160, orient="top")),
        y=alt.Y("objective:N", title=None, axis=alt.Axis(labelLimit=320)),
    )
    cells = base.mark_rect(stroke="#ffffff", strokeWidth=2).encode(
        tooltip=tooltip,
        color=alt.Color(
            "pace_ratio:Q", title="Pace (progress / expected)",
            scale=alt.Scale(scheme="redyellowgreen", domain=PACE_DOMAIN, clamp=True),
            legend=alt.Legend(format=".1f", orient="bottom", gradientLength=260),
        )
    )
    text = base.mark_text(fontSize=13, fontWeight="bold", tooltip=None).encode(
        text=alt.Text("pace_ratio:Q", format=".2f"),
        color=alt.condition(
            (alt.datum.pace_ratio < 0.6) | (alt.datum.pace_ratio > 1.4), alt.value("#ffffff"), alt.value(INK)
        ),
    )
    return (cells + text).properties(height=200).to_dict(validate=True)


def pace_heatmap_chart(frame: pl.DataFrame, *, column_title: str) -> FilledChart:
    """Objectives down, regions or teams across; each cell coloured by pace ratio = progress / expected around 1.0
    (red behind, green ahead) and labelled with it."""
    # The frame fits the whole chart, axis labels and legend included, into its height: leave them room.
    rows = max(frame["objective"].n_unique(), 1)
    return FilledChart(_heatmap_template(column_title), {"rows": frame}, height=rows * 40 + 170)


@functools.cache
def _trend_template(columns: int) -> dict:
    """The trend's small multiples over a dataset "rows", validated once; the order of the points along x (past
    quarters' ends, then now) is set per frame."""
    x = alt.X("point:O", title=None, sort=[], axis=alt.Axis(labelAngle=0))
    y = alt.Y("progress:Q", title=None, axis=alt.Axis(format="%", tickCount=3), scale=alt.Scale(domain=[0, 1]))
    tooltip = [alt.Tooltip("title:N", title="Objective"), alt.Tooltip("point:N", title="At"),
               alt.Tooltip("progress:Q", format=".0%", title="Progress"),
               alt.Tooltip("expected:Q", format=".0%", title="Expected"), alt.Tooltip("status:N", title="Status")]
    base = alt.Chart().encode(x=x)
    line = base.mark_line(color=INK, strokeWidth=1.5).encode(y=y)
    points = base.mark_circle(size=70, opacity=1).encode(
        y="progress:Q", color=alt.Color("status:N", scale=status_scale(), title="Status"), tooltip=tooltip)
    expected = base.mark_line(color=INK, strokeDash=[4, 3], opacity=0.5).encode(y="expected:Q")
    return (
        alt.layer(expected, line, points, data=alt.NamedData(name="rows"))
        .properties(width=170, height=110)
        .facet(facet=alt.Facet("title:N", title=None, header=alt.Header(labelFontSize=12, labelLimit=200)),
               columns=columns)
        .to_dict(validate=True)
    )


def trend_chart(frame: pl.DataFrame, *, columns: int = 4) -> FilledChart:
    """Small multiples, one per objective: progress at the end of each past quarter and now (line and points coloured
    by status), against the expected progress at those dates (dashed)."""
    rows = frame.with_columns(pl.col("date").dt.strftime("%Y-%m-%d"))
    order = rows.unique("point", maintain_order=True).sort("date")["point"].to_list()
    spec = filled(_trend_template(columns), {("spec", "layer", layer, "encoding", "x", "sort"): order
                                            for layer in range(3)})  # fmt: skip
    return FilledChart(spec, {"rows": rows})
