"""Altair charts of the ratings screen. They take the queries' protected frames and draw only visible groups."""

from __future__ import annotations

import functools

import altair as alt
import polars as pl

from components.charts import ACCENT, INK, MUTED, FilledChart, filled

ABOVE, BELOW = ACCENT, "#e07a2e"
FLAG_COLORS = {"outlier": "#c8423b", "watch": "#e0a100", "within": "#9aa5b1"}
GRID_BLUES = "blues"
VERDICTS = {"at or above four-fifths": ACCENT, "below four-fifths": "#c8423b", "hidden groups combined": "#9aa5b1"}


def _visible(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(~pl.col("hidden")) if "hidden" in frame.columns else frame


@functools.cache
def _guideline_template() -> dict:
    """The guideline chart over a dataset "rows", validated once."""
    base = alt.Chart(alt.NamedData(name="rows")).encode(
        x=alt.X("rating:O", title="Final rating", axis=alt.Axis(labelAngle=0))
    )
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
    return (bars + ticks + labels).properties(height=320).to_dict(validate=True)


def guideline_bars(distribution: pl.DataFrame) -> FilledChart:
    """Share of people per final rating (bars) against the guideline (dark ticks), for one group."""
    return FilledChart(_guideline_template(), {"rows": distribution})


@functools.cache
def _gap_template(group_title: str) -> dict:
    """The diverging gap bars over a dataset "rows"; the groups' order, the x domain and the height are set per
    frame."""
    bars = alt.Chart().mark_bar(cornerRadius=2).encode(
        x=alt.X("gap:Q", title=None, axis=alt.Axis(format="+.0%", tickCount=3), scale=alt.Scale(domain=[-1, 1])),
        y=alt.Y("label:N", sort=[], title=None, axis=alt.Axis(labelLimit=240)),
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
    return alt.layer(bars, zero, data=alt.NamedData(name="rows")).properties(width=135, height=24).facet(
        column=alt.Column("rating:O", title="Final rating: share minus guideline",
                          header=alt.Header(labelFontSize=13, labelExpr="'Rating ' + datum.value")),
        spacing=12,
    ).to_dict(validate=True)


def gap_bars(distribution: pl.DataFrame, *, group_title: str) -> FilledChart:
    """Diverging bars: per group (rows) and rating (columns), share minus guideline in percentage points."""
    data = distribution.with_columns(
        pl.when(pl.col("gap") >= 0).then(pl.lit("above guideline")).otherwise(pl.lit("below guideline")).alias("side"),
        pl.format("{} ({} rated)", "group", "n").alias("label"),
    )
    order = data.unique("label", maintain_order=True)["label"].to_list()
    limit = max(0.05, float(data["gap"].abs().max() or 0.0))
    spec = filled(_gap_template(group_title), {
        ("spec", "layer", 0, "encoding", "y", "sort"): order,
        ("spec", "layer", 0, "encoding", "x", "scale", "domain"): [-limit, limit],
        ("spec", "height"): max(len(order), 1) * 24,
    })  # fmt: skip
    return FilledChart(spec, {"rows": data})


def rating_grid(
    cells: pl.DataFrame, *, row: str, col: str, row_title: str, col_title: str, row_order: list, col_order: list,
    diagonal: bool = False, cell_height: int = 56,
) -> alt.LayerChart:
    """A heatmap of people per cell with the count written in it; hidden cells are left blank."""
    data = _visible(cells).with_columns(
        pl.format("{} · {}%", "n", (pl.col("share") * 100).round(0).cast(pl.Int64)).alias("label")
    )
    if diagonal:
        data = data.with_columns((pl.col(row) == pl.col(col)).alias("unchanged"))
    x = alt.X(f"{col}:O", title=col_title, axis=alt.Axis(labelAngle=0, orient="top"),
              scale=alt.Scale(domain=col_order))
    y = alt.Y(f"{row}:O", title=row_title, scale=alt.Scale(domain=row_order))
    # Every square of the grid in pale grey, drawn from the scale alone: a hidden cell stays an empty square.
    squares = pl.DataFrame({row: row_order}).join(pl.DataFrame({col: col_order}), how="cross")
    background = alt.Chart(squares).mark_rect(fill="#f5f7fa", stroke="white", strokeWidth=2).encode(x=x, y=y)
    base = alt.Chart(data).encode(x=x, y=y)
    tooltip = [
        alt.Tooltip(f"{row}:O", title=row_title),
        alt.Tooltip(f"{col}:O", title=col_title),
        alt.Tooltip("n:Q", title="People", format=","),
        alt.Tooltip("share:Q", title="Share of everyone rated", format=".1%"),
    ]
    rects = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("n:Q", title="People", scale=alt.Scale(scheme=GRID_BLUES), legend=None),
        tooltip=tooltip,
    )
    layers = [background, rects]
    if diagonal:
        layers.append(
            base.transform_filter("datum.unchanged").mark_rect(fill=None, stroke=INK, strokeWidth=2)
        )
    layers.append(
        base.mark_text(fontSize=14).encode(
            text="label:N",
            color=alt.condition(f"datum.n > {max(int(data['n'].max() or 0), 1) / 2}", alt.value("white"),
                                alt.value(INK)),
            tooltip=tooltip,
        )
    )
    # Streamlit fits the whole chart, axes included, into the height: leave room for them.
    return alt.layer(*layers).properties(height=max(len(row_order), 1) * cell_height + 60)


def shift_bars(shift: pl.DataFrame, *, group_title: str) -> alt.Chart:
    """Mean calibration shift per group (final minus pre-calibration rating), diverging around zero."""
    data = shift.with_columns(
        pl.when(pl.col("mean_shift") >= 0).then(pl.lit("raised")).otherwise(pl.lit("lowered")).alias("direction"),
        pl.format("{} ({} rated)", "group", "n").alias("label"),
    )
    limit = max(0.1, float(data["mean_shift"].abs().max() or 0.0))
    return alt.Chart(data).mark_bar(cornerRadius=2).encode(
        x=alt.X("mean_shift:Q", title="Mean change in calibration (rating points)",
                scale=alt.Scale(domain=[-limit, limit]), axis=alt.Axis(format="+.2f")),
        y=alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.Color("direction:N", title=None,
                        scale=alt.Scale(domain=["raised", "lowered"], range=[ABOVE, BELOW])),
        tooltip=[
            alt.Tooltip("group:N", title=group_title),
            alt.Tooltip("n:Q", title="People rated", format=","),
            alt.Tooltip("mean_shift:Q", title="Mean change", format="+.2f"),
            alt.Tooltip("up_share:Q", title="Moved up", format=".0%"),
            alt.Tooltip("down_share:Q", title="Moved down", format=".0%"),
            alt.Tooltip("mean_pre:Q", title="Mean before calibration", format=".2f"),
            alt.Tooltip("mean_final:Q", title="Mean final", format=".2f"),
        ],
    ).properties(height=max(data.height, 1) * 28 + 80)


def funnel_plot(points: pl.DataFrame, limits: pl.DataFrame, *, rating_title: str) -> alt.LayerChart:
    """Each rater's mean rating against how many people they rated, inside the organisation's control limits:
    a small team's mean wanders further by chance, so the funnel widens to the left."""
    domain = [float(limits["n"].min()) - 0.5, float(limits["n"].max()) + 0.5]
    band = alt.Chart(limits).mark_area(color="#e4e7eb", opacity=0.7).encode(
        x=alt.X("n:Q", title="People rated by the manager (in scope)",
                axis=alt.Axis(tickMinStep=1, format="d"), scale=alt.Scale(domain=domain, nice=False)),
        y="low95:Q", y2="high95:Q",
    )
    lines = [
        alt.Chart(limits).mark_line(color=MUTED, strokeDash=dash, strokeWidth=1).encode(x="n:Q", y=f"{field}:Q")
        for field, dash in (("low3", [4, 3]), ("high3", [4, 3]), ("low95", [1, 0]), ("high95", [1, 0]))
    ]
    centre = alt.Chart(limits).mark_line(color=INK, strokeWidth=1.5).encode(x="n:Q", y="mean:Q")
    dots = alt.Chart(points).mark_circle(opacity=0.85, stroke="white", strokeWidth=0.5).encode(
        x="n:Q",
        y=alt.Y("mean:Q", title=rating_title, scale=alt.Scale(zero=False)),
        size=alt.Size("raters:Q", title="Raters", scale=alt.Scale(range=[40, 400]), legend=None),
        color=alt.Color("flag:N", title="Leniency",
                        scale=alt.Scale(domain=list(FLAG_COLORS), range=list(FLAG_COLORS.values()))),
        tooltip=[
            alt.Tooltip("label:N", title="Manager"),
            alt.Tooltip("n:Q", title="People rated"),
            alt.Tooltip("mean:Q", title="Mean rating", format=".2f"),
            alt.Tooltip("z:Q", title="z-score", format="+.2f"),
            alt.Tooltip("flag:N", title="Flag"),
        ],
    )
    return alt.layer(band, *lines, centre, dots).properties(height=420)


def rate_bars(groups: pl.DataFrame, *, outcome: str, floor: float) -> alt.LayerChart:
    """Each group's outcome rate, with a dashed line at `floor` x the highest group's rate (four-fifths)."""
    data = groups.with_columns(
        pl.when(pl.col("pooled")).then(pl.lit("hidden groups combined"))
        .when(pl.col("below_four_fifths").fill_null(False)).then(pl.lit("below four-fifths"))
        .otherwise(pl.lit("at or above four-fifths")).alias("verdict"),
        pl.format("{} ({} rated)", "group", "n").alias("label"),
    )
    reference = data.filter(pl.col("reference"))["rate"]
    threshold = pl.DataFrame({"line": [float(reference[0]) * floor if reference.len() else 0.0]})
    bars = alt.Chart(data).mark_bar(cornerRadiusEnd=3).encode(
        x=alt.X("rate:Q", title=outcome, axis=alt.Axis(format="%")),
        y=alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.Color("verdict:N", title=None, scale=alt.Scale(
            domain=[v for v in VERDICTS if v in data["verdict"].to_list()],
            range=[VERDICTS[v] for v in VERDICTS if v in data["verdict"].to_list()])),
        tooltip=[
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip("n:Q", title="People rated", format=","),
            alt.Tooltip("rate:Q", title=outcome, format=".1%"),
            alt.Tooltip("impact_ratio:Q", title="Impact ratio", format=".2f"),
            alt.Tooltip("p_value:Q", title="p-value", format=".3f"),
        ],
    )
    line = alt.Chart(threshold).mark_rule(color=INK, strokeDash=[5, 3], strokeWidth=2).encode(
        x="line:Q", tooltip=[alt.Tooltip("line:Q", title=f"{floor:.0%} of the highest rate", format=".1%")]
    )
    return (bars + line).properties(height=max(data.height, 1) * 34 + 80)
