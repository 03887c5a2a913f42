"""The frame around every screen: who is looking, the shared filters, data freshness, and failures."""

from __future__ import annotations

import polars as pl
import streamlit as st

from components import data
from components.context import PageContext, set_context
from components.filters import filter_sidebar
from components.format import day, moment
from components.viewer import demo_viewer
from queries.model import Filters, Snapshot
from queries.periods import period_row


def describe_scope(snapshot: Snapshot, filters: Filters) -> str:
    """'2026-Q4 · North, South · Engineering · as of 15 Nov 2026' for captions and exports."""
    period = period_row(snapshot, filters.period_id)["name"]
    regions = snapshot.region.filter(pl.col("id").is_in(list(filters.region_ids)))["name"].to_list()
    team = "All teams"
    if filters.org_unit_id is not None:
        unit = snapshot.org_unit.filter(pl.col("id") == filters.org_unit_id)["name"]
        team = unit[0] if unit.len() else team
    return " · ".join([period, ", ".join(regions) or "All regions", team, f"as of {day(filters.as_of)}"])


def _database_problem(error: Exception) -> None:
    st.title("Ladder")
    st.error(f"**The goals database is not available.** {error}", icon=":material/database_off:")
    st.caption("Nothing was changed. Fix the connection or the database, then try again.")
    if st.button("Try again", icon=":material/refresh:"):
        data.refresh()
        st.rerun()
    st.stop()


def start() -> PageContext:
    """Read the snapshot, decide the viewer, draw the shared sidebar and publish the context for pages."""
    try:
        shared = data.snapshot()
    except data.DatabaseError as error:
        _database_problem(error)
    except Exception as error:  # noqa: BLE001 - whatever the driver raises, the screen gets words, not a trace
        _database_problem(data.DatabaseError(f"Reading it failed: {error}"))

    viewer = demo_viewer(shared)
    try:
        scoped = data.viewer_snapshot(viewer)
    except Exception as error:  # noqa: BLE001
        _database_problem(data.DatabaseError(f"Preparing your view failed: {error}"))

    if shared.period.is_empty():
        st.title("Ladder")
        st.info("The goals database is empty. Load data with `python -m data.generate` or the importer.")
        st.stop()

    filters, notices = filter_sidebar(scoped, data.today())
    for notice in notices:
        st.warning(notice, icon=":material/link_off:")

    st.sidebar.divider()
    st.sidebar.caption(f"Data as of {moment(shared.loaded_at)}")
    if st.sidebar.button("Refresh data", icon=":material/refresh:"):
        data.refresh()
        st.rerun()

    context = PageContext(filters=filters, viewer=viewer, scope_label=describe_scope(scoped, filters))
    set_context(context)
    return context
