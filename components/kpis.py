"""KPI cards with deltas against the previous period."""

from __future__ import annotations

import polars as pl
import streamlit as st

from components.format import EMPTY, count, pct, pct_points

# KPIs whose rise is bad news: their delta is coloured the other way round.
_RISE_IS_BAD = {"behind", "at_risk", "median_days_since", "lapsed_people"}
_COUNTS = {"objectives", "people_rated"}


def kpi_row(
    kpis: pl.DataFrame, *, helps: dict[str, str] | None = None, columns: int = 4, numbers: dict[str, str] | None = None
) -> None:
    """One st.metric per KPI row (`kpi`, `label`, `value`, `previous`), `columns` to a line.

    KPIs are shares unless `numbers` gives them a format spec (e.g. ".1f"), which the value and its delta then use."""
    helps = helps or {}
    numbers = numbers or {}
    rows = kpis.to_dicts()
    for start in range(0, len(rows), columns):
        cells = st.columns(columns)
        for cell, row in zip(cells, rows[start : start + columns], strict=False):
            value, previous, kpi = row["value"], row["previous"], row["kpi"]
            if kpi in numbers:
                shown = EMPTY if value is None else format(value, numbers[kpi])
                delta = None if value is None or previous is None else format(value - previous, "+" + numbers[kpi])
            elif kpi in _COUNTS:
                shown = count(value)
                delta = None if value is None or previous is None else f"{value - previous:+,.0f}"
            else:
                shown = pct(value)
                delta = None if value is None or previous is None else pct_points(value - previous)
            cell.metric(
                row["label"],
                shown,
                delta=delta,
                border=True,
                help=helps.get(kpi),
                delta_color="inverse" if kpi in _RISE_IS_BAD else "normal",
            )
