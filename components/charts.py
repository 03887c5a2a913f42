"""One chart theme and the Altair chart builders every screen shares."""

from __future__ import annotations

import functools

import altair as alt

# Altair imports pandas lazily; sessions drawing their first charts at the same moment could meet a half-imported
# module, so it is imported whole here, once, before any chart is drawn.
import pandas  # noqa: F401
import polars as pl
import streamlit as st

from components.export import chart_download

STATUS_COLORS = {
    "on track": "#1b8a5a",
    "at risk": "#e0a100",
    "behind": "#c8423b",
    "not started": "#9aa5b1",
    "no data": "#d9dee3",
}
STATUS_ORDER = list(STATUS_COLORS)
INK = "#1f2933"
MUTED = "#52606d"
ACCENT = "#1f5f8b"


@alt.theme.register("ladder", enable=True)
def ladder_theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": "Source Sans Pro, Helvetica, Arial, sans-serif",
            "view": {"stroke": None},
            "axis": {
                "labelColor": MUTED,
                "titleColor": INK,
                "labelFontSize": 12,
                "titleFontSize": 12,
                "gridColor": "#e4e7eb",
                "domainColor": "#cbd2d9",
            },
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
            "title": {"fontSize": 14, "color": INK, "anchor": "start"},
            "range": {"category": [ACCENT, "#e07a2e", "#3e9a8f", "#8b5fbf", "#c8423b", "#7b8794", "#d4a72c"]},
        }
    }


def status_scale() -> alt.Scale:
    return alt.Scale(domain=STATUS_ORDER, range=[STATUS_COLORS[s] for s in STATUS_ORDER])


class FilledChart:
    """A Vega-Lite chart as a template dict (built and validated once by Altair) plus the frames that fill it.

    Screens redraw the same chart on every filter change; building and validating Altair objects each time costs
    tens of milliseconds, filling a template costs nothing. `to_dict()` gives the full spec, as Altair charts do."""

    def __init__(self, template: dict, datasets: dict[str, pl.DataFrame], **properties: object) -> None:
        self.template = template
        self.datasets = datasets
        self.properties = properties

    def spec(self) -> dict:
        """The spec with the frames as they are (Streamlit sends them as Arrow)."""
        return {**self.template, **self.properties, "datasets": dict(self.datasets)}

    def to_dict(self, validate: bool = True) -> dict:
        """The spec with the frames as JSON rows (what vl-convert and any Vega-Lite renderer read); dates and times as
        ISO text, as Altair writes them (a date is its local midnight, so Vega never shifts it by a time zone)."""
        rows = {name: frame.with_columns(_iso(pl.col(pl.Date, pl.Datetime))).to_dicts()
                for name, frame in self.datasets.items()}  # fmt: skip
        return {**self.template, **self.properties, "datasets": rows}


def _iso(column: pl.Expr) -> pl.Expr:
    """Python's `isoformat()` of a datetime: seconds, and microseconds only when there are any."""
    moment = column.cast(pl.Datetime("us"))
    return (
        pl.when(moment.dt.microsecond() == 0)
        .then(moment.dt.strftime("%Y-%m-%dT%H:%M:%S"))
        .otherwise(moment.dt.strftime("%Y-%m-%dT%H:%M:%S%.6f"))
    )


def filled(template: dict, values: dict[tuple[str | int, ...], object]) -> dict:
    """A copy of `template` with the value at each path (keys and list positions) replaced: the parts of a chart that
    follow the data (a sort order, a scale's domain). Only the dicts and lists along the paths are copied, so the
    cached template never changes."""
    spec = dict(template)
    for path, value in values.items():
        node: dict | list = spec
        for step in path[:-1]:
            child = node[step]  # type: ignore[index]
            child = dict(child) if isinstance(child, dict) else list(child)
            node[step] = child  # type: ignore[index]
            node = child
        node[path[-1]] = value  # type: ignore[index]
    return spec


def show(chart: alt.TopLevelMixin | FilledChart, *, name: str | None = None, key: str | None = None) -> None:
    """Render a chart full width in the Ladder theme; with a `name`, a PNG download button sits under it."""
    if isinstance(chart, FilledChart):
        st.vega_lite_chart(spec=chart.spec(), width="stretch", theme=None, key=key)
    else:
        st.altair_chart(chart, width="stretch", theme=None, key=key)
    if name:
        chart_download(chart, name, key=key)


@functools.cache
def _progress_template(label: str, row_height: int) -> dict:
    """The bars-ticks-figures chart of progress_vs_pace over a named dataset "rows", validated once."""
    base = alt.Chart(alt.NamedData(name="rows")).encode(
        y=alt.Y(f"{label}:N", sort=None, title=None, axis=alt.Axis(labelLimit=360, labelFontSize=13)),
    )
    tooltip = [
        alt.Tooltip(f"{label}:N", title="Name"),
        alt.Tooltip("progress:Q", format=".0%", title="Progress"),
        alt.Tooltip("expected:Q", format=".0%", title="Expected by now"),
        alt.Tooltip("status:N", title="Status"),
    ]
    bars = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.62}).encode(
        x=alt.X(
            "shown:Q",
            title="Progress (dark tick = expected by now)",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        color=alt.Color("status:N", scale=status_scale(), title="Status"),
        tooltip=tooltip,
    )
    ticks = base.mark_tick(color=INK, thickness=3, size=row_height * 0.8).encode(x="expected:Q", tooltip=tooltip)
    figures = base.mark_text(align="left", dx=6, color=INK, fontSize=12).encode(x="shown:Q", text="figure:N")
    return (bars + ticks + figures).properties(height=row_height).to_dict(validate=True)


def progress_vs_pace(frame: pl.DataFrame, *, label: str = "title", row_height: int = 36) -> FilledChart:
    """Horizontal bars of progress coloured by status, a dark tick at the expected progress, the figure at the end."""
    rows = frame.select(
        label,
        "progress",
        "expected",
        "status",
        pl.col("progress").fill_null(0.0).alias("shown"),
        pl.when(pl.col("progress").is_null())
        .then(pl.lit("nothing to measure"))
        .otherwise((pl.col("progress") * 100).round(0).cast(pl.Int64).cast(pl.String) + "%")
        .alias("figure"),
    )
    return FilledChart(
        _progress_template(label, row_height), {"rows": rows}, height=max(frame.height, 1) * row_height
    )
