"""Write the demo organisation: migrate, replace every snapshot table in one transaction (bulk
`executemany` on SQLite, `COPY` on PostgreSQL), each build step's tables stored and dropped before the
next step draws, and read a few rows back through the ORM."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from data.db import DatabaseError, upgrade
from data.demo import mark_demo
from data.generate.build import PROFILES, STEPS, built_steps
from data.generate.draws import EPOCH
from data.schema import (
    SNAPSHOT_TABLES,
    Base,
    Checkin,
    Employee,
    Goal,
    Period,
    ProgressUpdate,
    ReviewCycle,
)
from data.stamp import BUMP


def generate(
    engine: Engine,
    profile: str,
    seed: int,
    today: date,
    progress: bool = True,
    step_seconds: dict[str, float] | None = None,
) -> dict[str, int]:
    """Migrate, replace every snapshot table with the demo organisation in one transaction, verify.

    Returns the row count per table as read back from the database. `step_seconds`, when given,
    is filled with the time each build and write step took.
    """
    if profile not in PROFILES:
        raise ValueError(f"Unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    # migrate, build steps, one write per table, rebuilding indexes (and on PostgreSQL ANALYZE), verify
    n_steps = 1 + len(STEPS) + len(SNAPSHOT_TABLES) + 1 + (engine.dialect.name == "postgresql") + 1
    bar = tqdm(total=n_steps, disable=not progress, unit="step", file=sys.stderr)
    timings = step_seconds if step_seconds is not None else {}

    def step_done(label: str, seconds: float) -> None:
        timings[label] = seconds
        bar.set_postfix_str(label, refresh=False)
        bar.update()

    try:
        bar.set_description("migrate")
        started = time.perf_counter()
        upgrade(engine)
        step_done("migrate", time.perf_counter() - started)
        if engine.dialect.name not in ("sqlite", "postgresql"):
            raise DatabaseError(f"The demo generator writes SQLite or PostgreSQL, not {engine.dialect.name}.")
        heights: dict[str, int] = {}

        def tables() -> Iterator[tuple[str, pl.DataFrame]]:
            """Each table as its build step makes it, in the order of SNAPSHOT_TABLES within each step."""
            for label, frames, seconds in built_steps(profile, seed, today):
                step_done(f"build {label}", seconds)
                bar.set_description("write")
                for name in (name for name in SNAPSHOT_TABLES if name in frames):
                    heights[name] = frames[name].height
                    yield name, frames.pop(name)
                bar.set_description("build")

        load = _load_sqlite if engine.dialect.name == "sqlite" else _load_postgresql
        load(engine, tables(), lambda name, s: step_done(f"write {name}", s))
        bar.set_description("verify")
        started = time.perf_counter()
        counts = _verify(engine, heights)
        mark_demo(engine, f"data.generate --profile {profile} --seed {seed}")
        step_done("verify", time.perf_counter() - started)
    finally:
        bar.close()
    return counts


_CHUNK_ROWS = 250_000
# Every row is replaced, so the text ids of earlier imports name nothing any more.
_FORGET_EXTERNAL_IDS = 'DELETE FROM "external_id"'


def _sqlite_values(column: pl.Series) -> list:
    """A column as SQLAlchemy stores it on SQLite: dates as 'YYYY-MM-DD' text, booleans as 0/1."""
    if column.dtype == pl.Boolean:
        return column.cast(pl.Int8).to_list()
    if column.dtype != pl.Date:
        return column.to_list()
    if column.null_count() or column.is_empty():
        return column.dt.to_string("%Y-%m-%d").to_list()
    # Millions of rows share a few hundred days: format each day once and share the strings.
    days = column.to_physical()
    first = int(days.min())
    texts = [(EPOCH + timedelta(days=day)).isoformat() for day in range(first, int(days.max()) + 1)]
    return [texts[day - first] for day in days.to_list()]


def _set_aside(cursor: Any, kind: str) -> list[tuple[str, str]]:
    """Drop the snapshot tables' triggers or secondary indexes; return (name, sql) to create them again."""
    placeholders = ", ".join("?" for _ in SNAPSHOT_TABLES)
    found = cursor.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL AND tbl_name IN ({placeholders})",
        (kind, *SNAPSHOT_TABLES),
    ).fetchall()
    for name, _ in found:
        cursor.execute(f'DROP {kind.upper()} "{name}"')
    return found


def _insert_tables(
    cursor: Any, tables: Iterable[tuple[str, pl.DataFrame]], on_table: Callable[[str, float], None]
) -> None:
    for name, frame in tables:
        started = time.perf_counter()
        _insert_table(cursor, name, frame)
        del frame  # the next build step draws while nothing of this one is held
        on_table(name, time.perf_counter() - started)


def _insert_table(cursor: Any, name: str, frame: pl.DataFrame) -> None:
    columns = ", ".join(f'"{column}"' for column in frame.columns)
    statement = f'INSERT INTO "{name}" ({columns}) VALUES ({", ".join("?" for _ in frame.columns)})'
    for chunk in frame.iter_slices(_CHUNK_ROWS):
        rows = zip(*(_sqlite_values(chunk[column]) for column in chunk.columns), strict=True)
        cursor.executemany(statement, rows)


def _load_sqlite(
    engine: Engine, tables: Iterable[tuple[str, pl.DataFrame]], on_table: Callable[[str, float], None]
) -> None:
    """Wipe and load every table in one transaction through the raw sqlite3 connection.

    Foreign keys and CHECK constraints are off for the load (the generator guarantees them, the
    tests check them; `kind IN (...)` checks alone make inserts 3x slower), syncing is off and
    the page cache large; secondary indexes are dropped and rebuilt once, which is faster than
    maintaining them row by row.
    """
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        saved = {
            pragma: cursor.execute(f"PRAGMA {pragma}").fetchone()[0]
            for pragma in ("foreign_keys", "ignore_check_constraints", "synchronous", "cache_size")
        }
        # PRAGMA foreign_keys is a no-op inside a transaction, so it goes first.
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("PRAGMA ignore_check_constraints=ON")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-1000000")  # 1 GB
        try:
            cursor.execute("BEGIN")
            # The data-version triggers fire per row on SQLite; they are set aside for the load like the
            # indexes, and the version is bumped once at the end.
            triggers = _set_aside(cursor, "trigger")
            for name in reversed(SNAPSHOT_TABLES):
                cursor.execute(f'DELETE FROM "{name}"')
            cursor.execute(_FORGET_EXTERNAL_IDS)
            indexes = _set_aside(cursor, "index")
            _insert_tables(cursor, tables, on_table)
            started = time.perf_counter()
            for _, sql in indexes + triggers:
                cursor.execute(sql)
            cursor.execute(BUMP)
            index_seconds = time.perf_counter() - started
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            for pragma, value in saved.items():
                cursor.execute(f"PRAGMA {pragma}={value}")
        on_table("indexes", index_seconds)
        cursor.close()
    finally:
        connection.close()


def _load_postgresql(
    engine: Engine, tables: Iterable[tuple[str, pl.DataFrame]], on_table: Callable[[str, float], None]
) -> None:
    """Wipe and load every table in one transaction with COPY (CSV).

    The snapshot tables' foreign keys and secondary indexes are dropped for the load and created again at the
    end, in the same transaction: one validating join per foreign key and one sorted build per index instead
    of a check and an index entry per row (at the xl profile, 100M rows). The statement time limit is lifted
    for the transaction: there one statement takes minutes."""
    connection = engine.raw_connection()
    try:
        driver_connection = connection.driver_connection
        try:
            with driver_connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = 0")
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
                for name in reversed(SNAPSHOT_TABLES):
                    cursor.execute(f'DELETE FROM "{name}"')
                cursor.execute(_FORGET_EXTERNAL_IDS)
                set_aside = _set_aside_postgresql(cursor)
                for name, frame in tables:
                    started = time.perf_counter()
                    _copy_table(cursor, name, frame)
                    del frame  # the next build step draws while nothing of this one is held
                    on_table(name, time.perf_counter() - started)
                started = time.perf_counter()
                for statement in set_aside:
                    cursor.execute(statement)
                on_table("indexes and foreign keys", time.perf_counter() - started)
            driver_connection.commit()
        except BaseException:
            driver_connection.rollback()
            raise
        started = time.perf_counter()
        driver_connection.autocommit = True
        try:
            with driver_connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics for the planner after replacing every row
        finally:
            driver_connection.autocommit = False
        on_table("analyze", time.perf_counter() - started)
    finally:
        connection.close()


def _set_aside_postgresql(cursor: Any) -> list[str]:
    """Drop the snapshot tables' foreign keys and secondary indexes (those backing no constraint); return the
    statements that create them again, indexes first, so each foreign key is validated once on the full table."""
    tables = [f'"{name}"' for name in SNAPSHOT_TABLES]
    cursor.execute(
        "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
        (tables,),
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = ANY(%s::regclass[]) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint WHERE conindid = indexrelid) ORDER BY indrelid, indexrelid",
        (tables,),
    )
    indexes = cursor.fetchall()
    for table, name, _ in foreign_keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return [sql for _, sql in indexes] + [
        f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}" for table, name, definition in foreign_keys
    ]


def _copy_table(cursor: Any, name: str, frame: pl.DataFrame) -> None:
    columns = ", ".join(f'"{column}"' for column in frame.columns)
    with cursor.copy(f'COPY "{name}" ({columns}) FROM STDIN (FORMAT csv)') as copy:
        for chunk in frame.iter_slices(_CHUNK_ROWS):
            copy.write(chunk.write_csv(include_header=False))


def _verify(engine: Engine, heights: dict[str, int]) -> dict[str, int]:
    """Read counts and a few rows back through SQLAlchemy: every row arrived and stored dates parse."""
    counts: dict[str, int] = {}
    with Session(engine) as session:
        for name in SNAPSHOT_TABLES:
            table = Base.metadata.tables[name]
            counts[name] = session.execute(select(func.count()).select_from(table)).scalar_one()
            if counts[name] != heights[name]:
                raise DatabaseError(f"{name}: wrote {heights[name]} rows but {counts[name]} are stored")
        samples = (
            (Employee, Employee.hire_date),
            (Period, Period.start_date),
            (ProgressUpdate, ProgressUpdate.at),
            (Checkin, Checkin.held_at),
            (ReviewCycle, ReviewCycle.closed_on),
        )
        for model, column in samples:
            row = session.scalars(select(model).where(column.is_not(None)).limit(1)).first()
            if row is not None and not isinstance(getattr(row, column.key), date):
                raise DatabaseError(f"{model.__tablename__}.{column.key} did not read back as a date")
        goal = session.scalars(select(Goal).limit(1)).first()
        if goal is not None and not isinstance(goal.archived, bool):
            raise DatabaseError("goal.archived did not read back as a boolean")
    return counts


# --- command line ----------------------------------------------------------------------------------
