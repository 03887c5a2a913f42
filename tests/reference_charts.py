"""The reference definitions of the charts the screens draw from templates, built with Altair on every call.

components/people_charts.py and components/progress_charts.py fill Vega-Lite templates validated once instead;
tests/test_chart_templates.py checks that both give the same chart for the same frame.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from components.charts import ACCENT, INK, MUTED, status_scale
from components.people_charts import _MAX_POINTS, _PACE_CAP, LAPSED_COLORS, WORK_MODE_MEASURES, _density
from components.rating_charts import ABOVE, BELOW


def days_since_histogram(frame: pl.DataFrame, lapse_days: int) -> alt.Chart:
    """People per bin of days since their last check-in, lapsed bins in the warning colour."""
    order = frame.sort("order")["days"].unique(maintain_order=True).to_list()
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("days:N", sort=order, title="Days since last check-in", axis=alt.Axis(labelAngle=-40)),
            y=alt.Y("sum(people):Q", title="People"),
            color=alt.Color(
                "state:N",
                title=f"Lapsed: no check-in for more than {lapse_days} days",
                scale=alt.Scale(domain=list(LAPSED_COLORS), range=list(LAPSED_COLORS.values())),
            ),
            tooltip=[
                alt.Tooltip("days:N", title="Days since last check-in"),
                alt.Tooltip("state:N", title="State"),
                alt.Tooltip("sum(people):Q", title="People", format=","),
            ],
        )
        .properties(height=280)
    )


def weekly_heatmap(frame: pl.DataFrame, group_title: str) -> alt.Chart:
    """Groups (rows, largest first) by week (columns); colour = check-ins per person that week."""
    order = frame["group"].unique(maintain_order=True).to_list()
    return (
        alt.Chart(frame)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("yearmonthdate(week):O", title="Week starting", axis=alt.Axis(format="%d %b", labelAngle=-40)),
            y=alt.Y("group:N", sort=order, title=group_title, axis=alt.Axis(labelLimit=220)),
            color=alt.Color("per_person:Q", title="Check-ins per person", scale=alt.Scale(scheme="blues", domainMin=0)),
            tooltip=[
                alt.Tooltip("group:N", title=group_title),
                alt.Tooltip("yearmonthdate(week):T", title="Week starting", format="%d %b %Y"),
                alt.Tooltip("checkins:Q", title="Check-ins", format=","),
                alt.Tooltip("people:Q", title="People", format=","),
                alt.Tooltip("per_person:Q", title="Check-ins per person", format=".2f"),
            ],
        )
        .properties(height=max(len(order), 1) * 22 + 40)
    )


def cadence_scatter(teams: pl.DataFrame, slope: float | None, intercept: float | None) -> alt.LayerChart:
    """Teams by check-ins per person per 30 days (x) and progress / expected (y), with the fitted line and the
    on-pace line; a density grid when there are too many teams to draw one by one."""
    shown = teams.with_columns(pl.col("pace").clip(0.0, _PACE_CAP).alias("pace_shown"))
    x_title, y_title = "Check-ins per person per 30 days", "Progress ÷ expected (1 = on pace)"
    y_scale = alt.Scale(domain=[0, min(max(shown["pace_shown"].max() or 1.0, 1.2), _PACE_CAP)])
    if shown.height <= _MAX_POINTS:
        marks = (
            alt.Chart(shown)
            .mark_circle(opacity=0.6, color=ACCENT)
            .encode(
                x=alt.X("checkins_per_person:Q", title=x_title),
                y=alt.Y("pace_shown:Q", title=y_title, scale=y_scale),
                size=alt.Size("people:Q", title="People", legend=None, scale=alt.Scale(range=[30, 300])),
                tooltip=[
                    alt.Tooltip("team:N", title="Team"),
                    alt.Tooltip("people:Q", title="People"),
                    alt.Tooltip("goals:Q", title="Measured goals"),
                    alt.Tooltip("checkins_per_person:Q", title=x_title, format=".2f"),
                    alt.Tooltip("pace:Q", title="Progress ÷ expected", format=".2f"),
                ],
            )
        )
    else:
        marks = (
            alt.Chart(_density(shown))
            .mark_rect()
            .encode(
                x=alt.X("x0:Q", title=x_title, bin="binned"),
                x2="x1:Q",
                y=alt.Y("y0:Q", title=y_title, bin="binned", scale=y_scale),
                y2="y1:Q",
                color=alt.Color("teams:Q", title="Teams", scale=alt.Scale(scheme="blues")),
                tooltip=[alt.Tooltip("teams:Q", title="Teams")],
            )
        )
    on_pace = alt.Chart(pl.DataFrame({"y": [1.0]})).mark_rule(color=MUTED, strokeDash=[4, 4]).encode(y="y:Q")
    layers = [marks, on_pace]
    if slope is not None and intercept is not None and shown.height:
        xs = [float(shown["checkins_per_person"].min()), float(shown["checkins_per_person"].max())]
        line = pl.DataFrame({"x": xs, "y": [min(max(intercept + slope * x, 0.0), _PACE_CAP) for x in xs]})
        layers.append(alt.Chart(line).mark_line(color=INK, strokeWidth=2).encode(x="x:Q", y="y:Q"))
    return alt.layer(*layers).properties(height=360)


def ranked_bars(
    frame: pl.DataFrame,
    *,
    value: str,
    value_title: str,
    group_title: str,
    count: str,
    count_title: str,
    average: float | None = None,
    average_title: str = "Organisation average",
) -> alt.LayerChart:
    """Horizontal bars of a share per group in the frame's order (lowest first), with a rule at the average."""
    order = frame["group"].to_list()
    base = alt.Chart(frame).encode(
        x=alt.X(
            f"{value}:Q", title=value_title, axis=alt.Axis(format="%", tickCount=5), scale=alt.Scale(domain=[0, 1])
        ),
        y=alt.Y("group:N", sort=order, title=None, axis=alt.Axis(labelLimit=240)),
        tooltip=[
            alt.Tooltip("group:N", title=group_title),
            alt.Tooltip(f"{value}:Q", title=value_title, format=".0%"),
            alt.Tooltip(f"{count}:Q", title=count_title, format=","),
        ],
    )
    bars = base.mark_bar(cornerRadiusEnd=3, height=16, color=ACCENT)
    labels = base.mark_text(align="left", dx=4, color=MUTED, fontSize=11).encode(
        text=alt.Text(f"{value}:Q", format=".0%")
    )
    layers = [bars, labels]
    if average is not None:
        rule = pl.DataFrame({"average": [average], "label": [f"{average_title}: {average:.0%}"]})
        layers.append(
            alt.Chart(rule)
            .mark_rule(color=INK, strokeDash=[4, 3], strokeWidth=2)
            .encode(x="average:Q", tooltip=[alt.Tooltip("label:N", title="Dashed line")])
        )
    return alt.layer(*layers).properties(height=max(len(order), 1) * 24 + 30)


def work_mode_bars(frame: pl.DataFrame) -> alt.Chart:
    """Office, hybrid and remote side by side for each measure: alignment, check-in coverage and progress as a share
    of the expected progress (100% = on pace)."""
    long = frame.unpivot(index=["work_mode", "people", "goals"], on=list(WORK_MODE_MEASURES), variable_name="measure")
    long = long.filter(pl.col("value").is_not_null()).with_columns(
        pl.col("measure").replace_strict(WORK_MODE_MEASURES).alias("measure")
    )
    modes = ["office", "hybrid", "remote"]
    return (
        alt.Chart(long)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            x=alt.X("measure:N", sort=list(WORK_MODE_MEASURES.values()), title=None, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("work_mode:N", sort=modes),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format="%")),
            color=alt.Color("work_mode:N", sort=modes, title="Work mode"),
            tooltip=[
                alt.Tooltip("work_mode:N", title="Work mode"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("value:Q", title="Value", format=".0%"),
                alt.Tooltip("people:Q", title="People", format=","),
                alt.Tooltip("goals:Q", title="Business goals they own", format=","),
            ],
        )
        .properties(height=280)
    )


def trend_chart(frame: pl.DataFrame, *, columns: int = 4) -> alt.FacetChart:
    """Small multiples, one per objective: progress at the end of each past quarter and now (line and points coloured
    by status), against the expected progress at those dates (dashed)."""
    rows = frame.with_columns(pl.col("date").dt.strftime("%Y-%m-%d"))
    order = rows.unique("point", maintain_order=True).sort("date")["point"].to_list()
    x = alt.X("point:O", title=None, sort=order, axis=alt.Axis(labelAngle=0))
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
        alt.layer(expected, line, points, data=rows)
        .properties(width=170, height=110)
        .facet(facet=alt.Facet("title:N", title=None, header=alt.Header(labelFontSize=12, labelLimit=200)),
               columns=columns)
    )


def guideline_bars(distribution: pl.DataFrame) -> alt.LayerChart:
    """Share of people per final rating (bars) against the guideline (dark ticks), for one group."""
    base = alt.Chart(distribution).encode(x=alt.X("rating:O", title="Final rating", axis=alt.Axis(labelAngle=0)))
    tooltip = [
        alt.Tooltip("rating:O", title="Rating"),
        alt.Tooltip("share:Q", title="Share", format=".1%"),
        alt.Tooltip("guideline:Q", title="Guideline", format=".0%"),
        alt.Tooltip("gap:Q", title="Share - guideline", format="+.1%"),
    ]
    bars = base.mark_bar(color=ACCENT, cornerRadiusEnd=3, size=46).encode(
        y=alt.Y("share:Q", title="Share of people rated (tick = guideline)", axis=alt.Axis(format="%")),
        tooltip=tooltip,
    )
    ticks = base.mark_tick(color=INK, thickness=3, size=60).encode(y="guideline:Q", tooltip=tooltip)
    labels = base.mark_text(dy=-8, color=INK, fontSize=12).encode(
        y="share:Q", text=alt.Text("share:Q", format=".0%")
    )
    return (bars + ticks + labels).properties(height=320)


def gap_bars(distribution: pl.DataFrame, *, group_title: str) -> alt.FacetChart:
    """Diverging bars: per group (rows) and rating (columns), share minus guideline in percentage points."""
    data = distribution.with_columns(
        pl.when(pl.col("gap") >= 0).then(pl.lit("above guideline")).otherwise(pl.lit("below guideline")).alias("side"),
        pl.format("{} ({} rated)", "group", "n").alias("label"),
    )
    order = data.unique("label", maintain_order=True)["label"].to_list()
    limit = max(0.05, float(data["gap"].abs().max() or 0.0))
    bars = alt.Chart().mark_bar(cornerRadius=2).encode(
        x=alt.X("gap:Q", title=None, axis=alt.Axis(format="+.0%", tickCount=3),
                scale=alt.Scale(domain=[-limit, limit])),
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=240)),
        color=alt.Color("side:N", title=None,
                        scale=alt.Scale(domain=["above guideline", "below guideline"], range=[ABOVE, BELOW])),
        tooltip=[
            alt.Tooltip("group:N", title=group_title),
            alt.Tooltip("n:Q", title="People rated", format=","),
            alt.Tooltip("rating:O", title="Rating"),
            alt.Tooltip("share:Q", title="Share", format=".1%"),
            alt.Tooltip("guideline:Q", title="Guideline", format=".0%"),
            alt.Tooltip("gap:Q", title="Share - guideline", format="+.1%"),
        ],
    )
    zero = alt.Chart().mark_rule(color=MUTED).encode(x=alt.datum(0))
    return alt.layer(bars, zero, data=data).properties(width=135, height=max(len(order), 1) * 24).facet(
        column=alt.Column("rating:O", title="Final rating: share minus guideline",
                          header=alt.Header(labelFontSize=13, labelExpr="'Rating ' + datum.value")),
        spacing=12,
    )
