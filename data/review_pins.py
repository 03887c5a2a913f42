"""Pinned reviews: a scope's objective figures and goalposts at a review, in Ladder's own tables (`review_pin` and
the four beside it). Not snapshot tables: pinning never changes the data stamp (data/stamp.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl
from sqlalchemy import insert, select

from data.review_notes import engine_for
from data.schema import ReviewPin, ReviewPinGoal, ReviewPinKeyResult, ReviewPinLink, ReviewPinObjective

_TABLES = {
    "objectives": (ReviewPinObjective, {"goal_id": pl.Int64, "title": pl.String, "progress": pl.Float64,
                                        "status": pl.String}),
    "goals": (ReviewPinGoal, {"goal_id": pl.Int64, "parent_id": pl.Int64, "weight": pl.Float64,
                              "archived": pl.Boolean, "status": pl.String, "aligned": pl.Boolean}),
    "key_results": (ReviewPinKeyResult, {"key_result_id": pl.Int64, "goal_id": pl.Int64, "start_value": pl.Float64,
                                         "target_value": pl.Float64, "weight": pl.Float64}),
    "links": (ReviewPinLink, {"goal_id": pl.Int64, "target_goal_id": pl.Int64, "link_type": pl.String,
                              "weight": pl.Float64}),
}
_BATCH = 50_000  # rows per INSERT: a whole organisation's goalposts in a few round trips


@dataclass(frozen=True)
class PinnedReview:
    """One pinned review: when and by whom, and its frames by name (objectives, goals, key_results, links)."""

    id: int
    as_of: date
    pinned_by: str
    pinned_at: datetime
    frames: dict[str, pl.DataFrame]


def save_pin(url: str, *, scope_key: str, period_id: int, as_of: date, pinned_by: str,
             frames: dict[str, pl.DataFrame], at: datetime | None = None) -> int:
    """Store one pinned review in one transaction; return its id."""
    with engine_for(url).begin() as connection:
        pin_id = connection.execute(
            insert(ReviewPin).returning(ReviewPin.id),
            {"scope_key": scope_key, "period_id": period_id, "as_of": as_of, "pinned_by": pinned_by[:320],
             "pinned_at": at or datetime.now().replace(microsecond=0)},
        ).scalar_one()
        for name, (model, schema) in _TABLES.items():
            rows = frames[name].select(list(schema)).with_columns(pl.lit(pin_id).alias("pin_id")).to_dicts()
            for start in range(0, len(rows), _BATCH):
                connection.execute(insert(model), rows[start : start + _BATCH])
    return pin_id


def last_pin(url: str, scope_key: str) -> PinnedReview | None:
    """The scope's most recently pinned review, or None."""
    with engine_for(url).connect() as connection:
        pin = connection.execute(
            select(ReviewPin.id, ReviewPin.as_of, ReviewPin.pinned_by, ReviewPin.pinned_at)
            .where(ReviewPin.scope_key == scope_key)
            .order_by(ReviewPin.pinned_at.desc(), ReviewPin.id.desc()).limit(1)
        ).first()
        if pin is None:
            return None
        frames = {}
        for name, (model, schema) in _TABLES.items():
            columns = [getattr(model, column) for column in schema]
            rows = connection.execute(select(*columns).where(model.pin_id == pin.id)).all()
            frames[name] = pl.DataFrame([tuple(row) for row in rows], schema=schema, orient="row")
        return PinnedReview(pin.id, pin.as_of, pin.pinned_by, pin.pinned_at, frames)

