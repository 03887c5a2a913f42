"""Altair charts of the people screens (check-ins, alignment, career growth), in the one Ladder theme.

Every builder takes an aggregate frame from a query and never more than a few thousand marks.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from components.charts import ACCENT, INK, MUTED, STATUS_COLORS

LAPSED_COLORS = {"not lapsed": ACCENT, "lapsed": STATUS_COLORS["behind"]}
_MAX_POINTS = 1500  # beyond this many teams the scatter becomes a density grid
_GRID = 30
_PACE_CAP = 3.0  # progress / expected above this is drawn at the edge (early in a period a ratio can soar)


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


def _density(teams: pl.DataFrame) -> pl.DataFrame:
    """Teams counted on a _GRID x _GRID grid of (cadence, pace)."""
    x_max = max(float(teams["checkins_per_person"].max()), 1e-9)
    x_step, y_step = x_max / _GRID, _PACE_CAP / _GRID
    return (
        teams.with_columns(
            (pl.col("checkins_per_person") / x_step).floor().clip(0, _GRID - 1).alias("bx"),
            (pl.col("pace_shown") / y_step).floor().clip(0, _GRID - 1).alias("by"),
        )
        .group_by("bx", "by")
        .agg(pl.len().alias("teams"))
        .with_columns(
            (pl.col("bx") * x_step).alias("x0"),
            ((pl.col("bx") + 1) * x_step).alias("x1"),
            (pl.col("by") * y_step).alias("y0"),
            ((pl.col("by") + 1) * y_step).alias("y1"),
        )
    )


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


WORK_MODE_MEASURES = {
    "alignment": "Alignment of goals they own",
    "coverage": "Check-in coverage",
    "pace": "Progress as a share of expected",
}


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
