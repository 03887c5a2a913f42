"""The one seam between screens and queries: where the snapshot is cached, scoped and asked.

- The snapshot is shared by every session (`st.cache_resource`): Polars frames are immutable, so nobody
  needs a private copy. Once per refresh interval the database's data stamp is checked; unchanged data
  keep the snapshot, and a new process maps it from disk instead of reading the database (queries/store.py).
- Each viewer's scoped snapshot is cached beside it, so access rules are applied once, not per query.
- Query results are memoised per (query, filters, viewer, snapshot); derived frames such as roll-ups are
  memoised on the snapshot itself and vanish with it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date
from typing import Any

import polars as pl
import streamlit as st

from data import config
from data.db import DatabaseError, database_url, make_engine, prepare
from queries.access import scoped_snapshot
from queries.model import BoundedMemo, Filters, Settings, Snapshot, Viewer
from queries.snapshot import load_snapshot
from queries.store import SnapshotStore, store_from

# Broken settings leave the defaults here only so that this module imports: app.py shows the configuration
# error and stops before any screen reads data (components/shell.py).
_CONFIG = config.current_or_default()
SETTINGS: Settings = _CONFIG.settings


def today() -> date:
    """Today, or the pinned day of `LADDER_TODAY` (ISO date) so that demos and tests can pin the calendar."""
    return config.current().today or date.today()


STORE: SnapshotStore | None = store_from(_CONFIG.cache_dir)
_latest: dict[str, Snapshot] = {}  # the last snapshot per database, reused while its data stamp holds
_fresh: set[str] = set()  # databases whose next load must read the database itself


@st.cache_resource(ttl=SETTINGS.refresh_seconds, show_spinner="Reading the goals database…")
def _snapshot(url: str) -> Snapshot:
    engine = make_engine(url)
    try:
        prepare(engine)
        fresh = url in _fresh
        loaded = load_snapshot(engine, store=STORE, previous=_latest.get(url), fresh=fresh)
        _fresh.discard(url)
        _latest[url] = loaded
        return loaded
    finally:
        engine.dispose()


def snapshot() -> Snapshot:
    """The shared snapshot of the configured database; raises DatabaseError with a message for people."""
    return _snapshot(database_url())


def refresh(*, from_database: bool = False) -> None:
    """Check the data stamp on the next read: unchanged data keep the snapshot (and what is memoised on it),
    changed data are read again; `from_database` reads the database in any case."""
    if from_database:
        _fresh.add(database_url())
        _latest.clear()
    _snapshot.clear()
    _scoped.clear()
    _results.clear()


def restart() -> None:
    """Forget everything held in memory, as a new server process starts: the next read maps the stored
    snapshot if the data are unchanged (used by the benchmark's cold runs)."""
    _latest.clear()
    refresh()


@st.cache_resource(max_entries=256, show_spinner=False)
def _scoped(url: str, version: str, email: str, role: str, employee_id: int | None, demo: bool) -> Snapshot:
    return scoped_snapshot(_snapshot(url), Viewer(email, role, employee_id, demo))


def viewer_snapshot(viewer: Viewer) -> Snapshot:
    """The shared snapshot narrowed to what this viewer may see."""
    shared = snapshot()
    return _scoped(
        database_url(), _version(shared), viewer.email, viewer.role, viewer.employee_id, viewer.demo
    )


def _version(snapshot: Snapshot) -> str:
    return f"{snapshot.stamp}|{snapshot.loaded_at.isoformat()}"


_results = BoundedMemo(capacity=512)


def _takes_settings(query: Callable) -> bool:
    return "settings" in inspect.signature(query).parameters


def ask(query: Callable[..., pl.DataFrame], filters: Filters, viewer: Viewer, **options: Any) -> Any:
    """Run a query `(snapshot, filters, viewer, settings=..., **options)` on the viewer's scoped snapshot."""
    scoped = viewer_snapshot(viewer)
    if _takes_settings(query):
        options["settings"] = SETTINGS
    key = (query.__module__, query.__qualname__, filters, viewer, _version(scoped), tuple(sorted(options.items())))
    return _results.get(key, lambda: query(scoped, filters, viewer, **options))


__all__ = ["DatabaseError", "SETTINGS", "ask", "refresh", "snapshot", "today", "viewer_snapshot"]
