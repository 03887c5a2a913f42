"""Tables: the same column formats everywhere."""

from __future__ import annotations

import polars as pl
import streamlit as st

from components.export import table_downloads


def status_table(
    frame: pl.DataFrame, *, label: str = "Goal", height: int | str = "auto", name: str | None = None
) -> None:
    """Goals or objectives with progress bars, expected progress, status and contributing goals.

    With a `name`, CSV and Excel downloads of the table (as shown, shares in percent) sit under it.
    """
    if frame.is_empty():
        st.caption("Nothing to show for these filters.")
        return
    columns = [
        c
        for c in ("title", "progress", "expected", "status", "contributing_goals", "owner", "team", "note")
        if c in frame.columns
    ]
    shares = [c for c in ("progress", "expected") if c in columns]
    shown = frame.select(columns).with_columns(pl.col(shares) * 100)
    st.dataframe(
        shown,
        hide_index=True,
        height=height,
        column_config={
            "title": st.column_config.TextColumn(label, width="medium"),
            "progress": st.column_config.ProgressColumn(
                "Progress", format="%.0f%%", min_value=0, max_value=100, width="small"
            ),
            "expected": st.column_config.NumberColumn("Expected", format="%.0f%%", width="small"),
            "status": st.column_config.TextColumn("Status", width="small"),
            "contributing_goals": st.column_config.NumberColumn("Contributing goals"),
            "owner": st.column_config.TextColumn("Owner"),
            "team": st.column_config.TextColumn("Team"),
            "note": st.column_config.TextColumn("Latest note", width="medium"),
        },
    )
    if name:
        headers = {"title": label, "contributing_goals": "contributing goals"} | {c: f"{c} (%)" for c in shares}
        table_downloads(shown.rename(lambda c: headers.get(c, c)), name)


def as_shown(frame: pl.DataFrame, column_config: dict | None = None) -> pl.DataFrame:
    """The frame as a table with this `column_config` shows it: columns under their headings, shares the table
    formats as percent multiplied by 100 with "(%)" after the heading, and columns it hides left out."""
    columns: dict[str, pl.Expr] = {}
    for name in frame.columns:
        config = (column_config or {}).get(name, name)
        if config is None:
            continue
        if isinstance(config, str):
            label, column = config, pl.col(name)
        elif (config.get("type_config") or {}).get("format") == "percent" and frame.schema[name].is_numeric():
            label, column = f"{config.get('label') or name} (%)", pl.col(name) * 100
        else:
            label, column = config.get("label") or name, pl.col(name)
        label = label if label not in columns else f"{label} ({name})"
        columns[label] = column.alias(label)
    return frame.select(columns.values())


def data_table(
    frame: pl.DataFrame,
    name: str,
    column_config: dict | None = None,
    *,
    height: int | str = "auto",
    width: int | str = "stretch",
    limit: int = 1000,
    key: str | None = None,
) -> None:
    """Any frame as a table with CSV and Excel downloads of all its rows as the table shows them (see `as_shown`);
    the screen shows at most `limit`."""
    if frame.is_empty():
        st.caption("Nothing to show for these filters.")
        return
    st.dataframe(frame.head(limit), hide_index=True, width=width, height=height, column_config=column_config, key=key)
    if frame.height > limit:
        st.caption(f"Showing the first {limit:,} of {frame.height:,} rows; the downloads hold all of them.")
    table_downloads(as_shown(frame, column_config), name, key=key)
