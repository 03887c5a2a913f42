"""Notes and decisions on objectives and goals: Ladder's own table (`review_note`), written from the app and read
on every screen that shows goals. Not a snapshot table: a note never changes the data stamp (data/stamp.py)."""

from __future__ import annotations

import threading
from datetime import date, datetime

import polars as pl
from sqlalchemy import Engine, insert, select

from data.db import make_engine
from data.schema import NOTE_KINDS, ReviewNote

NOTE_SCHEMA = {
    "id": pl.Int64, "goal_id": pl.Int64, "kind": pl.String, "text": pl.String, "owner": pl.String,
    "due_on": pl.Date, "written_by": pl.String, "written_at": pl.Datetime("us"),
}
TEXT_LIMIT = 2000
OWNER_LIMIT = 200
READ_LIMIT = 5000  # the newest notes; a review's worth many times over

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


class NoteRefused(ValueError):
    """A note that cannot be stored as given; the message says why, for the person writing it."""


def engine_for(url: str) -> Engine:
    """One engine (one connection pool) per database URL for the life of the process."""
    with _lock:
        if url not in _engines:
            _engines[url] = make_engine(url)
        return _engines[url]


def add_note(
    url: str, *, goal_id: int, kind: str, text: str, owner: str | None, due_on: date | None, written_by: str,
    at: datetime | None = None,
) -> None:
    """Store one note or decision; raise NoteRefused for empty or over-long text or an unknown kind."""
    text, owner = text.strip(), (owner or "").strip() or None
    if kind not in NOTE_KINDS:
        raise NoteRefused(f"A note is one of {', '.join(NOTE_KINDS)}, not {kind!r}.")
    if not text:
        raise NoteRefused("Write the note's text first.")
    if len(text) > TEXT_LIMIT:
        raise NoteRefused(f"The text has {len(text):,} characters; at most {TEXT_LIMIT:,} fit.")
    if owner is not None and len(owner) > OWNER_LIMIT:
        raise NoteRefused(f"The owner has {len(owner):,} characters; at most {OWNER_LIMIT} fit.")
    row = {"goal_id": goal_id, "kind": kind, "text": text, "owner": owner, "due_on": due_on,
           "written_by": written_by[:320], "written_at": at or datetime.now().replace(microsecond=0)}
    with engine_for(url).begin() as connection:
        connection.execute(insert(ReviewNote), row)


def read_notes(url: str, limit: int = READ_LIMIT) -> pl.DataFrame:
    """The newest `limit` notes and decisions, newest first."""
    table = ReviewNote.__table__
    query = select(*(table.c[name] for name in NOTE_SCHEMA)).order_by(table.c.written_at.desc(), table.c.id.desc())
    with engine_for(url).connect() as connection:
        rows = connection.execute(query.limit(limit)).all()
    return pl.DataFrame([tuple(row) for row in rows], schema=NOTE_SCHEMA, orient="row")
