"""KPI cards with deltas against the previous period, drawn as each figure's record (queries/kpis.py) says."""

from __future__ import annotations

import polars as pl
import streamlit as st

from components.format import EMPTY, count, pct, pct_points


def written(unit: str, value: float | None, previous: float | None) -> tuple[str, str | None]:
    """The value and its delta as the unit is written: shares in percent (deltas in points), counts whole, days
    whole, rates with two decimals."""
    if unit == "share":
        return pct(value), None if value is None or previous is None else pct_points(value - previous)
    spec = {"count": ",.0f", "days": ".0f", "rate": ".2f"}[unit]
    shown = count(value) if unit == "count" else (EMPTY if value is None else format(value, spec))
    return shown, None if value is None or previous is None else format(value - previous, "+" + spec)


def kpi_row(kpis: pl.DataFrame, *, columns: int = 4) -> None:
    """One st.metric per card row of a KPI frame (queries/kpis.py `kpi_frame`), `columns` to a line."""
    rows = kpis.filter(pl.col("card")).to_dicts()
    for start in range(0, len(rows), columns):
        cells = st.columns(columns)
        for cell, row in zip(cells, rows[start : start + columns], strict=False):
            shown, delta = written(row["unit"], row["value"], row["previous"])
            cell.metric(
                row["label"],
                shown,
                delta=delta,
                border=True,
                help=row["help"] or None,
                delta_color="normal" if row["rise_is_good"] else "inverse",
            )
