"""Periods and the calendar's pace: which goals belong to a period, and how far through it we are."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from queries.model import Snapshot


def _periods(snapshot: Snapshot) -> tuple[dict[int, dict], dict[int, list[int]]]:
    """Every period as a row dict by id, and the ids of the periods inside each; once per snapshot."""

    def compute() -> tuple[dict[int, dict], dict[int, list[int]]]:
        rows = {row["id"]: row for row in snapshot.period.to_dicts()}
        children: dict[int, list[int]] = {}
        for row in rows.values():
            if row["parent_id"] is not None:
                children.setdefault(row["parent_id"], []).append(row["id"])
        return rows, children

    return snapshot.derived("periods", compute)


def period_row(snapshot: Snapshot, period_id: int) -> dict:
    row = _periods(snapshot)[0].get(period_id)
    if row is None:
        raise KeyError(f"unknown period {period_id}")
    return dict(row)


def related_period_ids(snapshot: Snapshot, period_id: int) -> list[int]:
    """The period itself, the periods inside it (a year's quarters) and the one containing it (a quarter's year)."""
    row = period_row(snapshot, period_id)
    children = list(_periods(snapshot)[1].get(period_id, []))
    parent = [row["parent_id"]] if row["parent_id"] is not None else []
    return [period_id, *children, *parent]


def year_family_ids(snapshot: Snapshot, period_id: int) -> list[int]:
    """The year the period belongs to and every period inside that year: the universe a roll-up runs over,
    so a yearly goal's progress counts its quarterly contributors whichever quarter is being viewed."""
    row = period_row(snapshot, period_id)
    year_id = row["parent_id"] if row["parent_id"] is not None else period_id
    inside = list(_periods(snapshot)[1].get(year_id, []))
    return [year_id, *inside]


def current_period_id(snapshot: Snapshot, today: date) -> int | None:
    """The quarter containing `today`, else the latest quarter that started before it, else any period."""
    periods = snapshot.period.sort("start_date")
    quarters = periods.filter(pl.col("kind") == "quarter")
    for frame in (quarters, periods):
        containing = frame.filter((pl.col("start_date") <= today) & (pl.col("end_date") >= today))
        if containing.height:
            return int(containing["id"][0])
        started = frame.filter(pl.col("start_date") <= today)
        if started.height:
            return int(started["id"][-1])
    return int(periods["id"][0]) if periods.height else None


def previous_period_id(snapshot: Snapshot, period_id: int) -> int | None:
    """The period of the same kind that ended last before this one started."""
    row = period_row(snapshot, period_id)
    earlier = snapshot.period.filter((pl.col("kind") == row["kind"]) & (pl.col("end_date") < row["start_date"]))
    if earlier.is_empty():
        return None
    return int(earlier.sort("end_date")["id"][-1])


def clamp_as_of(snapshot: Snapshot, period_id: int, today: date) -> date:
    """The as-of date for a period: today, but never past the period's end."""
    row = period_row(snapshot, period_id)
    return min(today, row["end_date"])


def comparable_as_of(snapshot: Snapshot, period_id: int, as_of: date, previous_id: int) -> date:
    """The same point into the previous period as `as_of` is into this one, so deltas compare like with like."""
    row = period_row(snapshot, period_id)
    prev = period_row(snapshot, previous_id)
    elapsed = max(as_of - row["start_date"], timedelta(0))
    return min(prev["start_date"] + elapsed, prev["end_date"])


def expected_progress(start: pl.Expr, end: pl.Expr, as_of: date) -> pl.Expr:
    """Expected progress = share of the period elapsed at the as-of date, clamped to [0, 1]."""
    total = (end - start).dt.total_days() + 1
    elapsed = (pl.lit(as_of) - start).dt.total_days() + 1
    return (elapsed / total).clip(0.0, 1.0)
