"""Notes and decisions on the screens: the newest note beside each goal in a table, the scope's notes in a list, and
the form executives and HR add them with. Note text is only ever put in table cells and plain-text elements, so no
Markdown or HTML in a note is rendered."""

from __future__ import annotations

import logging
from datetime import date

import polars as pl
import streamlit as st

from components.context import PageContext
from components.data import ask, viewer_snapshot
from components.tables import data_table
from data.access_log import record_view
from data.db import database_url
from data.review_notes import NOTE_SCHEMA, NoteRefused, add_note, read_notes
from data.schema import NOTE_KINDS
from queries.access import may_write_notes
from queries.model import Viewer
from queries.notes import latest_note, scope_notes
from queries.overview import objective_progress

_LOG = logging.getLogger("ladder.notes")
_ADDED = "_note_added"
NOTE_HEADINGS = {
    "goal": st.column_config.TextColumn("Objective or goal", width="medium"),
    "kind": st.column_config.TextColumn("Kind"),
    "text": st.column_config.TextColumn("Note", width="large"),
    "owner": st.column_config.TextColumn("Owner"),
    "due_on": st.column_config.DateColumn("Due", format="YYYY-MM-DD"),
    "written_by": st.column_config.TextColumn("Written by"),
    "written_at": st.column_config.DatetimeColumn("Written", format="YYYY-MM-DD HH:mm"),
}
NOTE_COLUMN = st.column_config.TextColumn("Latest note", width="medium",
                                          help="The newest note or decision on it; all of them under Overview")


def all_notes() -> pl.DataFrame:
    """Every stored note (newest first); none, with a warning on screen, when they cannot be read."""
    try:
        return read_notes(database_url())
    except Exception as error:  # noqa: BLE001 - any driver's error: show goals without notes, say so
        _LOG.error("Notes could not be read: %s", error)
        st.warning("Notes and decisions could not be read from the database, so none are shown.",
                   icon=":material/sticky_note_2:")
        return pl.DataFrame(schema=NOTE_SCHEMA)


def with_latest_note(frame: pl.DataFrame, viewer: Viewer, *, id_column: str = "id") -> pl.DataFrame:
    """`frame` with a `note` column: the newest note on each row's goal that the viewer may see, as plain text."""
    latest = latest_note(viewer_snapshot(viewer), all_notes()).select(pl.col("goal_id").alias(id_column), "note")
    return frame.join(latest, on=id_column, how="left", maintain_order="left")


def notes_panel(context: PageContext) -> pl.DataFrame:
    """The scope's notes and decisions as a table, and for executives and HR the form to add one; returns the
    notes shown."""
    filters, viewer = context.filters, context.viewer
    notes = scope_notes(viewer_snapshot(viewer), filters, all_notes())
    if notes.is_empty():
        st.caption("No notes or decisions on the objectives and goals of this scope yet.")
    else:
        data_table(notes.select(list(NOTE_HEADINGS)), "Notes and decisions", NOTE_HEADINGS, key="notes_table")
    if may_write_notes(viewer):
        _note_form(context)
        if added := st.session_state.pop(_ADDED, None):
            st.success(added, icon=":material/check_circle:")
    return notes


def _note_form(context: PageContext) -> None:
    filters, viewer = context.filters, context.viewer
    objectives = ask(objective_progress, filters, viewer)
    titles = dict(zip(objectives["id"].to_list(), objectives["title"].to_list(), strict=True))
    with st.form("note_form", clear_on_submit=True, border=True):
        st.markdown("**Add a note or decision**")
        left, right = st.columns([3, 1])
        goal = left.selectbox("On the objective", [None, *titles], format_func=lambda g: "—" if g is None else
                              titles[g], key="note_objective")
        other = right.text_input("or the goal with id", key="note_goal_id", help="Any goal of this scope, by id.")
        kind = st.radio("Kind", NOTE_KINDS, horizontal=True, key="note_kind", format_func=str.capitalize)
        text = st.text_area("Text", max_chars=2000, key="note_text")
        owner_cell, due_cell = st.columns(2)
        owner = owner_cell.text_input("Owner", max_chars=200, key="note_owner")
        due = due_cell.date_input("Due", value=None, key="note_due", min_value=date(2000, 1, 1))
        if st.form_submit_button("Add", icon=":material/add_comment:"):
            _add(context, goal, other, kind, text, owner, due)


def _add(context: PageContext, objective: int | None, other: str, kind: str, text: str, owner: str,
         due: date | None) -> None:
    """Store the note if its goal is one the viewer sees in this scope; log it; say what happened."""
    filters, viewer = context.filters, context.viewer
    other = other.strip()
    goal_id = int(other) if other.isascii() and other.isdigit() and len(other) <= 18 else None
    if other and goal_id is None:
        st.error(f"“{other[:40]}” is not a goal id: a goal id is a whole number.", icon=":material/error:")
        return
    goal_id = goal_id if goal_id is not None else objective
    if goal_id is None:
        st.error("Pick an objective or give a goal id.", icon=":material/error:")
        return
    snapshot = viewer_snapshot(viewer)
    if snapshot.goal.filter(pl.col("id") == goal_id).is_empty():
        st.error(f"No goal with id {goal_id} is among the goals you can see.", icon=":material/error:")
        return
    url = database_url()
    try:
        add_note(url, goal_id=goal_id, kind=kind, text=text, owner=owner, due_on=due, written_by=viewer.email)
    except NoteRefused as refusal:
        st.error(str(refusal), icon=":material/error:")
        return
    record_view(url, email=viewer.email, role=viewer.role, page=f"{kind.capitalize()} added",
                filters={"goal_id": goal_id, "period_id": filters.period_id})
    st.session_state[_ADDED] = f"{kind.capitalize()} added."
    st.rerun()  # so that the list above shows it
