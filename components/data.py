"""The one seam between screens and queries: where the snapshot is cached, scoped and asked.

- The snapshot is shared by every session and process-wide (queries/live.py): Polars frames are immutable,
  so nobody needs a private copy. Once per refresh interval the database's data stamp is checked in the
  background; unchanged data keep the snapshot, changed data are read into the next one while the current
  one serves, then swapped in. A new process maps it from disk instead of reading the database
  (queries/store.py), and serves the stored one while the database is unreachable.
- Each viewer's scoped snapshot is cached beside it, so access rules are applied once, not per query; a
  swap forgets them all, so no old snapshot outlives it.
- Query results are memoised per (query, filters, viewer, snapshot); derived frames such as roll-ups are
  memoised on the snapshot itself and vanish with it.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import polars as pl

from data import config
from data.db import DatabaseError, database_url, make_engine, prepare, time_limits
from queries.access import scoped_snapshot
from queries.live import Health, LiveSnapshot
from queries.model import BoundedMemo, Filters, Settings, Snapshot, Viewer
from queries.snapshot import load_snapshot, stored_snapshot
from queries.store import SnapshotStore, store_from

# Broken settings leave the defaults here only so that this module imports: app.py shows the configuration
# error and stops before any screen reads data (components/shell.py).
_CONFIG = config.current_or_default()
SETTINGS: Settings = _CONFIG.settings


def today() -> date:
    """Today, or the pinned day of `LADDER_TODAY` (ISO date) so that demos and tests can pin the calendar."""
    return config.current().today or date.today()


STORE: SnapshotStore | None = store_from(_CONFIG.cache_dir)
FIRST_LOAD_WAIT_SECONDS = 120  # the first view after start-up waits this long at most for the first snapshot
ATTEMPT_LIMIT_FACTOR = 4  # a whole reload (several statements) may take this many statement limits


def _load(url: str, previous: Snapshot | None, fresh: bool) -> Snapshot:
    """The snapshot at the database's current stamp: `previous` itself while the stamp holds."""
    engine = make_engine(url)
    try:
        prepare(engine)
        return load_snapshot(engine, store=STORE, previous=previous, fresh=fresh)
    finally:
        engine.dispose()


def _stored(url: str) -> Snapshot | None:
    """The snapshot stored on disk at the last stamp this database was read at (for a start while it is down)."""
    return None if STORE is None else stored_snapshot(STORE, url)


_live: dict[str, LiveSnapshot] = {}  # one per database URL; a process serves one database at a time
_live_lock = threading.Lock()


def _live_snapshot(url: str) -> LiveSnapshot:
    with _live_lock:
        live = _live.get(url)
        if live is None:
            for other in _live.values():  # the URL changed (tests, a new secret): let the old data go
                other.close()
            _live.clear()
            _forget_derived()
            live = _live[url] = LiveSnapshot(
                lambda previous, fresh: _load(url, previous, fresh),
                refresh_seconds=SETTINGS.refresh_seconds,
                fallback=lambda: _stored(url),
                on_swap=_forget_derived,
                attempt_seconds=ATTEMPT_LIMIT_FACTOR * sum(time_limits()),
            )
        return live


def snapshot() -> Snapshot:
    """The shared snapshot of the configured database; raises DatabaseError with a message for people."""
    return _live_snapshot(database_url()).current(wait_seconds=FIRST_LOAD_WAIT_SECONDS)


def health() -> Health:
    """What is served and whether the database answers, for the banner and the readiness check."""
    return _live_snapshot(database_url()).health()


def refresh(*, from_database: bool = False) -> bool:
    """Check the data stamp now and wait for the answer (this caller alone): unchanged data keep the snapshot
    and what is memoised on it, changed data are read again; `from_database` reads the database in any case.
    False when the database could not be read (the last good snapshot stays)."""
    try:
        url = database_url()
    except DatabaseError:  # settings that cannot be used: the screen says so, there is nothing to read
        return False
    return _live_snapshot(url).reload(fresh=from_database, wait=True)


def restart() -> None:
    """Forget everything held in memory, as a new server process starts: the next read maps the stored
    snapshot if the data are unchanged (used by the benchmark's cold runs)."""
    with _live_lock:
        for live in _live.values():
            live.close()
        _live.clear()
    _forget_derived()


def _forget_derived() -> None:
    """Drop every scoped snapshot and query result: after a swap they belong to data nobody is served."""
    _scoped.clear()
    _results.clear()


_scoped = BoundedMemo(capacity=256)


def viewer_snapshot(viewer: Viewer) -> Snapshot:
    """The shared snapshot narrowed to what this viewer may see."""
    shared = snapshot()
    return _scoped.get((_version(shared), viewer), lambda: scoped_snapshot(shared, viewer))


def _version(snapshot: Snapshot) -> str:
    return f"{snapshot.stamp}|{snapshot.loaded_at.isoformat()}"


_results = BoundedMemo(capacity=512)
# Queries computed at once in this process (`query_slots`): more of them on the same cores finish no sooner and hold
# their working memory side by side. A view whose result is memoised waits for no turn.
_turns = threading.BoundedSemaphore(SETTINGS.query_slots)


def _takes_settings(query: Callable) -> bool:
    return "settings" in inspect.signature(query).parameters


def ask(query: Callable[..., pl.DataFrame], filters: Filters, viewer: Viewer, **options: Any) -> Any:
    """Run a query `(snapshot, filters, viewer, settings=..., **options)` on the viewer's scoped snapshot."""
    scoped = viewer_snapshot(viewer)
    if _takes_settings(query):
        options["settings"] = SETTINGS
    key = (query.__module__, query.__qualname__, filters, viewer, _version(scoped), tuple(sorted(options.items())))

    def compute() -> Any:
        with _turns:
            return query(scoped, filters, viewer, **options)

    return _results.get(key, compute)


__all__ = ["DatabaseError", "SETTINGS", "ask", "health", "refresh", "snapshot", "today", "viewer_snapshot"]
