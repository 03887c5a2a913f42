"""Read every table of the goals database once into an immutable Polars snapshot."""

from __future__ import annotations

import math
import os
from datetime import datetime
from urllib.parse import quote, urlencode

import polars as pl
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from data.db import DatabaseError, check_schema, describe, time_limits
from data.demo import is_demo_database
from data.schema import SNAPSHOT_TABLES, Base, table_schema
from data.stamp import read_stamp, read_table_versions
from queries.model import Snapshot, in_history_order
from queries.store import SnapshotStore

# The largest tables are read without the columns no question asks of them (their row ids, a check-in's kind, a
# key result's metric name and direction), which takes a share off the snapshot's load and memory at the large
# profile (at 100,000 people the text columns alone held 100 MB). The update's confidence is read: the owners'
# confidence is shown beside the forecast. A check-in's manager is read for the access rules to blank.
SNAPSHOT_COLUMNS = {
    "progress_update": ("key_result_id", "at", "value", "confidence"),
    "checkin": ("employee_id", "manager_id", "held_at"),
    "key_result": ("id", "goal_id", "start_value", "target_value", "current_value", "weight"),
}


def snapshot_schema(name: str) -> dict[str, pl.DataType]:
    """The columns of a table that the snapshot holds (all of them, except for SNAPSHOT_COLUMNS)."""
    schema = table_schema(name)
    wanted = SNAPSHOT_COLUMNS.get(name)
    return {c: t for c, t in schema.items() if wanted is None or c in wanted}


def _connectorx_uri(engine: Engine) -> str | None:
    """A URI for the fast columnar reader, when the backend and package allow it."""
    try:
        import connectorx  # noqa: F401
    except ImportError:
        return None
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    backend = url.get_backend_name()
    if backend == "sqlite" and url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        # A relative path is the file SQLAlchemy opens: relative to the working directory (os.path.abspath).
        return f"sqlite://{quote(os.path.abspath(url.database))}"
    if backend == "postgresql":
        connect_limit, statement_limit = time_limits()
        limits = {"connect_timeout": str(max(1, math.ceil(connect_limit))),
                  "options": f"-c statement_timeout={int(statement_limit * 1000)}"}  # fmt: skip
        # Percent-encoded by hand: the reader takes '+' literally, so a space must be %20.
        query = urlencode({**url.query, **limits}, quote_via=quote)
        return url.set(drivername="postgresql", query={}).render_as_string(hide_password=False) + "?" + query
    return None


_PARTITION_ROWS = 1_000_000  # tables larger than this are read in parallel id ranges
# ...of at most about this many rows each: every query stays well inside the statement time limit (at the xl
# profile progress_update holds 50M rows, which four ranges would not read in a minute on a busy machine).
_PARTITION_MAX_ROWS = 4_000_000


def _partitioned(uri: str, name: str, columns: str) -> list[str]:
    """One query, or one per id range for a large table, so the columnar reader can use every core."""
    bounds = pl.read_database_uri(
        f"SELECT MIN(id) AS lo, MAX(id) AS hi, COUNT(*) AS n FROM {name}", uri, engine="connectorx"
    )
    lo, hi, n = bounds.row(0)
    if not n or n < _PARTITION_ROWS or lo is None:
        return [f"SELECT {columns} FROM {name}"]
    parts = max(min(os.cpu_count() or 2, 4), math.ceil(n / _PARTITION_MAX_ROWS))
    step = (hi - lo) // parts + 1
    return [
        f"SELECT {columns} FROM {name} WHERE id >= {lo + i * step} AND id < {lo + (i + 1) * step}" for i in range(parts)
    ]


def _read_table(engine: Engine, name: str, uri: str | None) -> pl.DataFrame:
    schema = snapshot_schema(name)
    columns = ", ".join(schema)
    frame = None
    if uri is not None:
        try:
            has_id = "id" in table_schema(name)
            queries = _partitioned(uri, name, columns) if has_id else [f"SELECT {columns} FROM {name}"]
            frame = pl.read_database_uri(queries if len(queries) > 1 else queries[0], uri, engine="connectorx")
        except Exception:  # noqa: BLE001 - fall back to the portable reader below
            frame = None
    if frame is None:
        table = Base.metadata.tables[name]
        with engine.connect() as conn:
            frame = pl.read_database(select(*(table.c[c] for c in schema)), conn, infer_schema_length=None)
    if frame.is_empty():
        return pl.DataFrame(schema=schema)
    return frame.select(
        pl.col(c).cast(t, strict=False) if c in frame.columns else pl.lit(None, t).alias(c) for c, t in schema.items()
    )


def load_snapshot(
    engine: Engine, *, store: SnapshotStore | None = None, previous: Snapshot | None = None, fresh: bool = False
) -> Snapshot:
    """Check the schema, then read every snapshot table; raise DatabaseError in plain words on failure.

    The data stamp decides what is read: if it equals `previous`'s, `previous` is returned as it is; if
    `store` holds the tables at this stamp, they are mapped from disk; otherwise they are read from the
    database and written to `store`. `fresh` skips `previous` and the store and reads the database."""
    check_schema(engine)
    stamp = read_stamp(engine)  # before the tables: a write in between only makes the next load read again
    if not fresh and previous is not None and stamp is not None and previous.stamp == stamp:
        return previous
    url = engine.url.render_as_string(hide_password=False)
    names = Snapshot.table_names()
    if store is not None and stamp is not None and not fresh:
        stored = store.open(url, stamp)
        found = stored.tables(names)
        if found is not None:
            tables, loaded_at = found
            meta = stored.meta()
            return Snapshot(
                **tables, loaded_at=loaded_at, stamp=stamp, stored=stored, demo=stored.demo(),
                versions=_versions(meta.get("versions")), marks=_marks(meta.get("marks")),
            )  # fmt: skip
    versions = read_table_versions(engine)
    plan = {} if fresh else reading_plan(previous, stamp, versions)
    uri = _connectorx_uri(engine)
    try:
        tables = {name: _read_planned(engine, name, uri, previous, plan.get(name)) for name in SNAPSHOT_TABLES}
        marks = _append_marks(engine, stamp)
    except DatabaseError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise DatabaseError(f"Reading the goals database at {describe(str(engine.url))} failed: {exc}") from exc
    loaded_at = datetime.now().replace(microsecond=0)
    # Read with the tables (the marker's writes bump the stamp), so no page view ever asks the database for it.
    demo = is_demo_database(engine)
    stored = None
    if store is not None and stamp is not None:
        kept = previous.stored if previous is not None and previous.stored is not None else None
        unchanged = {name: kept.table_path(name) for name, how in plan.items() if how == SAME and kept is not None}
        extra = {"versions": versions, "marks": marks}
        stored = store.write(url, stamp, tables, loaded_at, demo=demo, extra=extra, unchanged=unchanged)
    if stored is not None:
        found = stored.tables(names)  # the mapped copy: the read frames' memory goes back
        if found is not None:
            tables = found[0]
    return Snapshot(
        **tables, loaded_at=loaded_at, stamp=stamp, stored=stored, demo=demo, versions=versions, marks=marks
    )


# --- reading only what changed -------------------------------------------------------------------------------

SAME, APPENDED = "same", "appended"
APPEND_ONLY = ("progress_update", "checkin")  # tables that grow by inserts; their new rows are read alone


def reading_plan(
    previous: Snapshot | None, stamp: str | None, versions: dict[str, tuple[int, int]] | None
) -> dict[str, str]:
    """{table: SAME or APPENDED} for the tables a reload need not read whole; every other table is read.

    Only against a previous snapshot of the same database (same stamp token) that knows its table versions, and
    only when some table's version says why the stamp moved (a write with the triggers off moves only the stamp:
    then everything is read). APPENDED needs the table's updates/deletes unchanged and its marks known."""
    if previous is None or previous.versions is None or versions is None or stamp is None or previous.stamp is None:
        return {}
    if previous.stamp.split(".")[0] != stamp.split(".")[0] or previous.versions == versions:
        return {}
    plan = {}
    for name in SNAPSHOT_TABLES:
        before, now = tuple(previous.versions.get(name, ())), tuple(versions.get(name, ()))
        if before and before == now:
            plan[name] = SAME
        elif before and now and name in APPEND_ONLY and before[1] == now[1] and name in (previous.marks or {}):
            plan[name] = APPENDED
    return plan


def _read_planned(engine: Engine, name: str, uri: str | None, previous: Snapshot | None, how: str | None):
    frame = _read_or_reuse(engine, name, uri, previous, how)
    # Stored in the order every replay reads it, so a snapshot mapped from disk needs no sorted copy.
    return in_history_order(frame) if name == "progress_update" else frame


def _read_or_reuse(engine: Engine, name: str, uri: str | None, previous: Snapshot | None, how: str | None):
    if how == SAME:
        return getattr(previous, name)
    if how == APPENDED:
        appended = _read_appended(engine, name, getattr(previous, name), previous.marks[name])
        if appended is not None:
            return appended
    return _read_table(engine, name, uri)


def _read_appended(engine: Engine, name: str, before: pl.DataFrame, mark: tuple[int, int]) -> pl.DataFrame | None:
    """`before` plus the rows with an id above the mark, when that provably is the whole table: no update or
    delete since (the caller checked), and now exactly mark's rows plus the new ones. Else None."""
    largest, rows = mark
    schema = snapshot_schema(name)
    table = Base.metadata.tables[name]
    with engine.connect() as conn:
        added = pl.read_database(
            select(*(table.c[c] for c in schema)).where(table.c.id > largest).order_by(table.c.id), conn,
            infer_schema_length=None,
        )  # fmt: skip
        total = conn.execute(select(func.count()).select_from(table)).scalar_one()
    if total != rows + added.height:
        return None  # some row came in below the mark: read the table whole
    if added.is_empty():
        return before
    added = added.select(pl.col(c).cast(t, strict=False) for c, t in schema.items())
    return pl.concat([before, added], how="vertical", rechunk=False)


def _append_marks(engine: Engine, stamp: str | None) -> dict[str, tuple[int, int]] | None:
    """(largest id, rows) of each append-only table, trusted only if the stamp did not move while reading."""
    marks = {}
    with engine.connect() as conn:
        for name in APPEND_ONLY:
            table = Base.metadata.tables[name]
            largest, rows = conn.execute(select(func.coalesce(func.max(table.c.id), 0), func.count())).one()
            marks[name] = (int(largest), int(rows))
    return marks if stamp is not None and read_stamp(engine) == stamp else None


def stored_snapshot(store: SnapshotStore, url: str) -> Snapshot | None:
    """The snapshot last stored for this database, read without asking the database (a start during an outage)."""
    latest = store.latest(url)
    if latest is None:
        return None
    stored, stamp = latest
    found = stored.tables(Snapshot.table_names())
    if found is None:
        return None
    tables, loaded_at = found
    meta = stored.meta()
    return Snapshot(
        **tables, loaded_at=loaded_at, stamp=stamp, stored=stored, demo=stored.demo(),
        versions=_versions(meta.get("versions")), marks=_marks(meta.get("marks")),
    )  # fmt: skip


def _versions(raw) -> dict[str, tuple[int, int]] | None:
    """Table versions as written to meta.json (lists there), back as tuples; None when absent or odd."""
    try:
        return {str(name): (int(pair[0]), int(pair[1])) for name, pair in raw.items()} if raw else None
    except (AttributeError, TypeError, ValueError, IndexError):
        return None


_marks = _versions
