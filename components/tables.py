"""Tables: the same column formats everywhere."""

from __future__ import annotations

import polars as pl
import streamlit as st


def status_table(frame: pl.DataFrame, *, label: str = "Goal", height: int | str = "auto") -> None:
    """Goals or objectives with progress bars, expected progress, status and contributing goals."""
    if frame.is_empty():
        st.caption("Nothing to show for these filters.")
        return
    columns = [
        c
        for c in ("title", "progress", "expected", "status", "contributing_goals", "owner", "team")
        if c in frame.columns
    ]
    shares = [c for c in ("progress", "expected") if c in columns]
    st.dataframe(
        frame.select(columns).with_columns(pl.col(shares) * 100),
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
        },
    )
