"""Which notes and decisions a viewer sees, and how they sit beside the goals on the screens."""

from __future__ import annotations

import polars as pl

from queries.frames import rows_with_ids
from queries.model import Filters, Snapshot
from queries.scope import scope_of

NOTE_COLUMNS = ("goal_id", "goal", "kind", "text", "owner", "due_on", "written_by", "written_at")


def visible_notes(snapshot: Snapshot, notes: pl.DataFrame) -> pl.DataFrame:
    """The notes on goals of the viewer's snapshot (a manager's: the goals they can see), with the goal's title."""
    # The goals the notes name, not every goal: a filter on a few ids instead of hashing the whole table.
    named = rows_with_ids(snapshot.goal, notes["goal_id"])
    goals = named.select(pl.col("id").alias("goal_id"), pl.col("title").alias("goal"))
    return notes.join(goals, on="goal_id", how="inner", maintain_order="left").select(NOTE_COLUMNS)


def scope_notes(snapshot: Snapshot, filters: Filters, notes: pl.DataFrame) -> pl.DataFrame:
    """The visible notes on the goals the scope carries (its own goals and the objectives they ladder up to)."""
    carried = scope_of(snapshot, filters).goals.carried
    return visible_notes(snapshot, notes).filter(pl.col("goal_id").is_in(carried.implode()))


def latest_note(snapshot: Snapshot, notes: pl.DataFrame) -> pl.DataFrame:
    """Per goal, its newest visible note as one line of plain text ('Decision: … (owner, due 2026-12-01)') and how
    many there are: the `notes` column beside goals in the screens' tables."""
    visible = visible_notes(snapshot, notes)
    details = pl.concat_str(
        [pl.col("owner"), pl.lit("due ") + pl.col("due_on").dt.strftime("%Y-%m-%d")], separator=", ",
        ignore_nulls=True,
    )
    line = (
        pl.col("kind").str.to_titlecase() + pl.lit(": ") + pl.col("text")
        + pl.when(details != "").then(pl.lit(" (") + details + pl.lit(")")).otherwise(pl.lit(""))
    )
    return (
        visible.sort("written_at", descending=True)
        .group_by("goal_id", maintain_order=True)
        .agg(line.first().alias("note"), pl.len().cast(pl.Int64).alias("notes"))
    )
