"""'Pin this review' and 'Since the last pinned review': the scope's figures and goalposts stored at a review, then
progress and status moves and the goalpost audit against them (queries/goalposts.py)."""

from __future__ import annotations

import logging

import polars as pl
import streamlit as st

from components.context import PageContext
from components.data import SETTINGS, viewer_snapshot
from components.format import day, moment, pct_points
from components.tables import data_table
from data.access_log import record_view
from data.db import database_url
from data.review_pins import PinnedReview, last_pin, save_pin
from queries.access import may_pin_reviews
from queries.goalposts import Goalposts, goalpost_audit, goalposts_now, objective_moves, scope_key

_LOG = logging.getLogger("ladder.pins")
_PINNED = "_review_pinned"


def pinned_goalposts(pin: PinnedReview) -> Goalposts:
    return Goalposts(**pin.frames)


def read_last_pin(context: PageContext) -> PinnedReview | None:
    """The scope's last pinned review; None, with a warning, when the pins cannot be read."""
    try:
        return last_pin(database_url(), scope_key(context.filters))
    except Exception as error:  # noqa: BLE001 - any driver's error: show no comparison, say so
        _LOG.error("Pinned reviews could not be read: %s", error)
        st.warning("Pinned reviews could not be read from the database, so no comparison is shown.",
                   icon=":material/push_pin:")
        return None


def pin_button(context: PageContext) -> None:
    """'Pin this review' for executives and HR: stores the scope's figures and goalposts at the as-of date."""
    filters, viewer = context.filters, context.viewer
    if not may_pin_reviews(viewer):
        return
    if st.button("Pin this review", icon=":material/push_pin:", key="pin_review",
                 help="Store this scope's objective figures and goalposts (targets, weights, parents, links) as of "
                 f"{day(filters.as_of)}, so the next review can show what moved since."):
        posts = goalposts_now(viewer_snapshot(viewer), filters, SETTINGS)
        url = database_url()
        frames = {"objectives": posts.objectives, "goals": posts.goals, "key_results": posts.key_results,
                  "links": posts.links}
        save_pin(url, scope_key=scope_key(filters), period_id=filters.period_id, as_of=filters.as_of,
                 pinned_by=viewer.email, frames=frames)
        record_view(url, email=viewer.email, role=viewer.role, page="Review pinned",
                    filters={"scope": scope_key(filters), "as_of": filters.as_of})
        st.session_state[_PINNED] = f"Review pinned as of {day(filters.as_of)}."
        st.rerun()
    if pinned := st.session_state.pop(_PINNED, None):
        st.success(pinned, icon=":material/push_pin:")


def since_last_pin(context: PageContext) -> None:
    """Objective moves and the goalpost audit against the scope's last pinned review, or how to pin one."""
    pin = read_last_pin(context)
    if pin is None:
        st.caption("No review of this scope has been pinned yet. Pin one to compare the next review with it.")
        return
    snapshot, filters = viewer_snapshot(context.viewer), context.filters
    then = pinned_goalposts(pin)
    st.caption(f"Pinned {moment(pin.pinned_at)} by {pin.pinned_by}, figures as of {day(pin.as_of)}.")
    moves = objective_moves(snapshot, filters, SETTINGS, then)
    data_table(
        moves.select("title", "progress_then", "progress_now", "change_pp", pl.format("{} → {}", pl.col(
            "status_then").fill_null("—"), pl.col("status_now").fill_null("—")).alias("move")),
        "Objectives since the pinned review",
        {
            "title": st.column_config.TextColumn("Objective", width="large"),
            "progress_then": st.column_config.NumberColumn("At the pin", format="percent"),
            "progress_now": st.column_config.ProgressColumn("Now", format="percent", min_value=0, max_value=1),
            "change_pp": st.column_config.NumberColumn("Change (pp)", format="%+.1f"),
            "move": st.column_config.TextColumn("Status then → now"),
        },
        key="pin_moves",
    )
    st.markdown("**Goalpost audit**")
    flags = goalpost_audit(snapshot, filters, SETTINGS, then)
    if flags.is_empty():
        st.success("No goalposts moved since the pinned review: no target, weight, parent, link or archiving "
                   "changed.", icon=":material/check_circle:")
        return
    st.caption("Each flag's effect on the objective: its progress now minus its progress with those goalposts put "
               "back as they were at the pin, in percentage points.")
    data_table(
        flags.with_columns(
            pl.col("objective").fill_null("no objective moved"),
            pl.col("effect_pp").map_elements(lambda v: pct_points(v / 100), return_dtype=pl.String)
            .fill_null("from or to no data").alias("effect"),
        ).select("objective", "what", "count", "effect"),
        "Goalpost audit",
        {
            "objective": st.column_config.TextColumn("Objective", width="medium"),
            "what": st.column_config.TextColumn("Flag", width="medium"),
            "count": st.column_config.NumberColumn("Changes", help="Key results, goals or links that moved"),
            "effect": st.column_config.TextColumn("Effect on the objective"),
        },
        key="pin_audit",
    )
