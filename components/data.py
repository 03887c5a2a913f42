"""The one seam between screens and queries: where the snapshot is cached, scoped and asked.

- The snapshot is read once per refresh interval and shared by every session (`st.cache_resource`):
  Polars frames are immutable, so nobody needs a private copy.
- Each viewer's scoped snapshot is cached beside it, so access rules are applied once, not per query.
- Query results are memoised per (query, filters, viewer, snapshot); derived frames such as roll-ups are
  memoised on the snapshot itself and vanish with it.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from datetime import date
from typing import Any

import polars as pl
import streamlit as st

from data.db import DatabaseError, database_url, make_engine, prepare, read_secrets
from queries.access import scoped_snapshot
from queries.model import BoundedMemo, Filters, Settings, Snapshot, Viewer, settings_from
from queries.snapshot import load_snapshot

_ENV_SETTINGS = {name: os.environ.get(f"LADDER_{name.upper()}") for name in Settings.__dataclass_fields__}
SETTINGS: Settings = settings_from(read_secrets().get("ladder", {}) | {k: v for k, v in _ENV_SETTINGS.items() if v})


def today() -> date:
    """Today, or `LADDER_TODAY` (ISO date) so that demos and tests can pin the calendar."""
    pinned = os.environ.get("LADDER_TODAY")
    if pinned:
        try:
            return date.fromisoformat(pinned)
        except ValueError:
            pass
    return date.today()


@st.cache_resource(ttl=SETTINGS.refresh_seconds, show_spinner="Reading the goals database…")
def _snapshot(url: str) -> Snapshot:
    engine = make_engine(url)
    try:
        prepare(engine)
        return load_snapshot(engine)
    finally:
        engine.dispose()


def snapshot() -> Snapshot:
    """The shared snapshot of the configured database; raises DatabaseError with a message for people."""
    return _snapshot(database_url())


def refresh() -> None:
    """Forget the shared snapshot (and everything derived from it); the next read goes to the database."""
    _snapshot.clear()
    _scoped.clear()
    _results.clear()


@st.cache_resource(max_entries=256, show_spinner=False)
def _scoped(url: str, loaded_at: str, email: str, role: str, employee_id: int | None, demo: bool) -> Snapshot:
    return scoped_snapshot(_snapshot(url), Viewer(email, role, employee_id, demo))


def viewer_snapshot(viewer: Viewer) -> Snapshot:
    """The shared snapshot narrowed to what this viewer may see."""
    shared = snapshot()
    return _scoped(
        database_url(), shared.loaded_at.isoformat(), viewer.email, viewer.role, viewer.employee_id, viewer.demo
    )


_results = BoundedMemo(capacity=512)


def _takes_settings(query: Callable) -> bool:
    return "settings" in inspect.signature(query).parameters


def ask(query: Callable[..., pl.DataFrame], filters: Filters, viewer: Viewer, **options: Any) -> Any:
    """Run a query `(snapshot, filters, viewer, settings=..., **options)` on the viewer's scoped snapshot."""
    scoped = viewer_snapshot(viewer)
    if _takes_settings(query):
        options["settings"] = SETTINGS
    key = (query.__module__, query.__qualname__, filters, viewer, scoped.loaded_at, tuple(sorted(options.items())))
    return _results.get(key, lambda: query(scoped, filters, viewer, **options))


__all__ = ["DatabaseError", "SETTINGS", "ask", "refresh", "snapshot", "today", "viewer_snapshot"]
