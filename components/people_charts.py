"""Altair charts of the people screens (check-ins, alignment, career growth), in the one Ladder theme.

Every builder takes an aggregate frame from a query and never more than a few thousand marks. Each chart is a
Vega-Lite template validated once (`FilledChart`) and filled with the frame on every render; the parts that follow
the data (a sort order, a scale's domain, a height) are set in a copy of the template.
"""

from __future__ import annotations

import functools

import altair as alt
import polars as pl

from components.charts import ACCENT, INK, MUTED, STATUS_COLORS, FilledChart, filled

LAPSED_COLORS = {"not lapsed": ACCENT, "lapsed": STATUS_COLORS["behind"]}
_MAX_POINTS = 1500  # beyond this many teams the scatter becomes a density grid
_GRID = 30
_PACE_CAP = 3.0  # progress / expected above this is drawn at the edge (early in a period a ratio can soar)


def _rows(name: str = "rows") -> alt.NamedData:
    return alt.NamedData(name=name)


@functools.cache
def _days_since_template(lapse_days: int, order: tuple[str, ...]) -> dict:
    """The histogram over a dataset "rows"; its bins are fixed, so one template per threshold serves every scope."""
    return (
        alt.Chart(_rows())
        .mark_bar()
        .encode(
            x=alt.X("days:N", sort=list(order), title="Days since last check-in", axis=alt.Axis(labelAngle=-40)),
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
        .to_dict(validate=True)
    )


def days_since_histogram(frame: pl.DataFrame, lapse_days: int) -> FilledChart:
    """People per bin of days since their last check-in, lapsed bins in the warning colour."""
    order = tuple(frame.sort("order")["days"].unique(maintain_order=True).to_list())
    return FilledChart(_days_since_template(lapse_days, order), {"rows": frame})


@functools.cache
def _heatmap_template(group_title: str) -> dict:
    """The weekly heatmap over a dataset "rows"; the groups' order and the height are set per frame."""
    return (
        alt.Chart(_rows())
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("yearmonthdate(week):O", title="Week starting", axis=alt.Axis(format="%d %b", labelAngle=-40)),
            y=alt.Y("group:N", sort=[], title=group_title, axis=alt.Axis(labelLimit=220)),
            color=alt.Color("per_person:Q", title="Check-ins per person", scale=alt.Scale(scheme="blues", domainMin=0)),
            tooltip=[
                alt.Tooltip("group:N", title=group_title),
                alt.Tooltip("yearmonthdate(week):T", title="Week starting", format="%d %b %Y"),
                alt.Tooltip("checkins:Q", title="Check-ins", format=","),
                alt.Tooltip("people:Q", title="People", format=","),
                alt.Tooltip("per_person:Q", title="Check-ins per person", format=".2f"),
            ],
        )
        .properties(height=40)
        .to_dict(validate=True)
    )


def weekly_heatmap(frame: pl.DataFrame, group_title: str) -> FilledChart:
    """Groups (rows, largest first) by week (columns); colour = check-ins per person that week."""
    order = frame["group"].unique(maintain_order=True).to_list()
    spec = filled(_heatmap_template(group_title), {("encoding", "y", "sort"): order})
    return FilledChart(spec, {"rows": frame}, height=max(len(order), 1) * 22 + 40)


_CADENCE_X, _CADENCE_Y = "Check-ins per person per 30 days", "Progress ÷ expected (1 = on pace)"


@functools.cache
def _scatter_template(density: bool, with_line: bool) -> dict:
    """The cadence scatter (or its density grid) over "rows", the on-pace rule over "on_pace" and, when there is
    one, the fitted line over "line"; the y domain is set per frame."""
    y_scale = alt.Scale(domain=[0, 1])
    if not density:
        marks = (
            alt.Chart(_rows())
            .mark_circle(opacity=0.6, color=ACCENT)
            .encode(
                x=alt.X("checkins_per_person:Q", title=_CADENCE_X),
                y=alt.Y("pace_shown:Q", title=_CADENCE_Y, scale=y_scale),
                size=alt.Size("people:Q", title="People", legend=None, scale=alt.Scale(range=[30, 300])),
                tooltip=[
                    alt.Tooltip("team:N", title="Team"),
                    alt.Tooltip("people:Q", title="People"),
                    alt.Tooltip("goals:Q", title="Measured goals"),
                    alt.Tooltip("checkins_per_person:Q", title=_CADENCE_X, format=".2f"),
                    alt.Tooltip("pace:Q", title="Progress ÷ expected", format=".2f"),
                ],
            )
        )
    else:
        marks = (
            alt.Chart(_rows())
            .mark_rect()
            .encode(
                x=alt.X("x0:Q", title=_CADENCE_X, bin="binned"),
                x2="x1:Q",
                y=alt.Y("y0:Q", title=_CADENCE_Y, bin="binned", scale=y_scale),
                y2="y1:Q",
                color=alt.Color("teams:Q", title="Teams", scale=alt.Scale(scheme="blues")),
                tooltip=[alt.Tooltip("teams:Q", title="Teams")],
            )
        )
    on_pace = alt.Chart(_rows("on_pace")).mark_rule(color=MUTED, strokeDash=[4, 4]).encode(y="y:Q")
    layers = [marks, on_pace]
    if with_line:
        layers.append(alt.Chart(_rows("line")).mark_line(color=INK, strokeWidth=2).encode(x="x:Q", y="y:Q"))
    return alt.layer(*layers).properties(height=360).to_dict(validate=True)


def cadence_scatter(teams: pl.DataFrame, slope: float | None, intercept: float | None) -> FilledChart:
    """Teams by check-ins per person per 30 days (x) and progress / expected (y), with the fitted line and the
    on-pace line; a density grid when there are too many teams to draw one by one."""
    shown = teams.with_columns(pl.col("pace").clip(0.0, _PACE_CAP).alias("pace_shown"))
    y_domain = [0, min(max(shown["pace_shown"].max() or 1.0, 1.2), _PACE_CAP)]
    density = shown.height > _MAX_POINTS
    datasets = {"rows": _density(shown) if density else shown, "on_pace": pl.DataFrame({"y": [1.0]})}
    with_line = slope is not None and intercept is not None and shown.height > 0
    if with_line:
        xs = [float(shown["checkins_per_person"].min()), float(shown["checkins_per_person"].max())]
        datasets["line"] = pl.DataFrame({"x": xs, "y": [min(max(intercept + slope * x, 0.0), _PACE_CAP) for x in xs]})
    spec = filled(_scatter_template(density, with_line), {("layer", 0, "encoding", "y", "scale", "domain"): y_domain})
    return FilledChart(spec, datasets)


def _density(teams: pl.DataFrame) -> pl.DataFrame:
    """Teams counted on a _GRID x _GRID grid of (cadence, pace)."""
    x_max = max(float(teams["checkins_per_person"].max()), 1e-9)
    x_step, y_step = x_max / _GRID, _PACE_CAP / _GRID
    return (
        teams.with_columns(
            (pl.col("checkins_per_person") / x_step).floor().clip(0, _GRID - 1).alias("bx"),
            (pl.col("pace_shown") / y_step).floor().clip(0, _GRID - 1).alias("by"),
        )
        .group_by("bx", "by", maintain_order=True)
        .agg(pl.len().alias("teams"))
        .with_columns(
            (pl.col("bx") * x_step).alias("x0"),
            ((pl.col("bx") + 1) * x_step).alias("x1"),
            (pl.col("by") * y_step).alias("y0"),
            ((pl.col("by") + 1) * y_step).alias("y1"),
        )
    )


@functools.cache
def _ranked_template(value: str, value_title: str, group_title: str, count: str, count_title: str,
                     with_average: bool) -> dict:  # fmt: skip
    """Ranked bars and their figures over "rows", and the average's rule over "average"; the groups' order and the
    height are set per frame."""
    base = alt.Chart(_rows()).encode(
        x=alt.X(
            f"{value}:Q", title=value_title, axis=alt.Axis(format="%", tickCount=5), scale=alt.Scale(domain=[0, 1])
        ),
        y=alt.Y("group:N", sort=[], title=None, axis=alt.Axis(labelLimit=240)),
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
    if with_average:
        layers.append(
            alt.Chart(_rows("average"))
            .mark_rule(color=INK, strokeDash=[4, 3], strokeWidth=2)
            .encode(x="average:Q", tooltip=[alt.Tooltip("label:N", title="Dashed line")])
        )
    return alt.layer(*layers).properties(height=30).to_dict(validate=True)


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
) -> FilledChart:
    """Horizontal bars of a share per group in the frame's order (lowest first), with a rule at the average."""
    order = frame["group"].to_list()
    template = _ranked_template(value, value_title, group_title, count, count_title, average is not None)
    spec = filled(template, {("layer", layer, "encoding", "y", "sort"): order for layer in (0, 1)})
    datasets = {"rows": frame}
    if average is not None:
        datasets["average"] = pl.DataFrame({"average": [average], "label": [f"{average_title}: {average:.0%}"]})
    return FilledChart(spec, datasets, height=max(len(order), 1) * 24 + 30)


WORK_MODE_MEASURES = {
    "alignment": "Alignment of goals they own",
    "coverage": "Check-in coverage",
    "pace": "Progress as a share of expected",
}
_MODES = ["office", "hybrid", "remote"]


@functools.cache
def _work_mode_template() -> dict:
    return (
        alt.Chart(_rows())
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            x=alt.X("measure:N", sort=list(WORK_MODE_MEASURES.values()), title=None, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("work_mode:N", sort=_MODES),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format="%")),
            color=alt.Color("work_mode:N", sort=_MODES, title="Work mode"),
            tooltip=[
                alt.Tooltip("work_mode:N", title="Work mode"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("value:Q", title="Value", format=".0%"),
                alt.Tooltip("people:Q", title="People", format=","),
                alt.Tooltip("goals:Q", title="Business goals they own", format=","),
            ],
        )
        .properties(height=280)
        .to_dict(validate=True)
    )


def work_mode_bars(frame: pl.DataFrame) -> FilledChart:
    """Office, hybrid and remote side by side for each measure: alignment, check-in coverage and progress as a share
    of the expected progress (100% = on pace)."""
    long = frame.unpivot(index=["work_mode", "people", "goals"], on=list(WORK_MODE_MEASURES), variable_name="measure")
    long = long.filter(pl.col("value").is_not_null()).with_columns(
        pl.col("measure").replace_strict(WORK_MODE_MEASURES).alias("measure")
    )
    return FilledChart(_work_mode_template(), {"rows": long})
