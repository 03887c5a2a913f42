"""Load import files into the goals database: check everything first, then write all of it in one transaction.

    python -m data.load FILES_OR_FOLDERS... [--url URL] [--dry-run] [--today YYYY-MM-DD] [--report PROBLEMS.csv]
                        [--separator ';'] [--dates DD/MM/YYYY|MM/DD/YYYY] [--percent]

A file set with any problem writes nothing, and the report says where and why. A valid one is written in
one transaction, table by table in an order where every row comes after the rows it refers to, each row
inserted or, when its id is already there, updated (only when something differs), so that re-importing
the same files changes nothing. SQLite takes batched `executemany`; PostgreSQL takes `COPY` into a
temporary table and one `INSERT ... ON CONFLICT` from it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
from sqlalchemy import Engine, inspect
from tqdm import tqdm

from data.db import DatabaseError, check_schema, describe, make_engine, prepare
from data.demo import clear_demo
from data.formats import FILE_TYPES, FORMATS
from data.import_ids import EXTERNAL_ID_SCHEMA
from data.import_limits import CLI_LIMITS, SCREEN_LIMITS, ImportLimits
from data.import_options import DATE_ORDERS, SEPARATORS, STRICT, ReadOptions
from data.schema import SNAPSHOT_TABLES
from data.validate import Incoming, Report, Source, read_existing, validate

BATCH_ROWS = 100_000
EXTERNAL_ID_COLUMNS = tuple(EXTERNAL_ID_SCHEMA)
_SQLITE_CACHE_KIB = 512 * 1024
_NOTHING = lambda *_: None  # noqa: E731 - the default progress callback


@dataclass
class ImportResult:
    """What an import found and did: the validation report, the plan per table, and whether it was written."""

    report: Report
    new_rows: dict[str, int] = field(default_factory=dict)  # rows whose id the database does not hold yet
    known_rows: dict[str, int] = field(default_factory=dict)  # rows that replace a row with the same id
    written: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.report.ok

    def plan(self) -> pl.DataFrame:
        """One row per table in the file set: its file, rows, new rows and rows already in the database."""
        rows = [
            {
                "table": name,
                "file": incoming.file,
                "rows": incoming.frame.height,
                "new": self.new_rows.get(name, 0),
                "already_there": self.known_rows.get(name, 0),
            }
            for name, incoming in self.report.tables.items()
        ]
        schema = {"table": pl.String, "file": pl.String, "rows": pl.Int64, "new": pl.Int64, "already_there": pl.Int64}
        return pl.DataFrame(rows, schema=schema)


def sources_from_paths(paths: Sequence[str | Path]) -> list[Source]:
    """Sources from file paths; a folder stands for every .csv, .xlsx and .parquet file in it."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower().lstrip(".") in FILE_TYPES))
        else:
            files.append(path)
    return [Source(p.name, p.read_bytes()) for p in files]


def _ensure_ladder_database(engine: Engine) -> None:
    """Refuse a database that holds somebody else's tables before reading or writing anything."""
    try:
        tables = set(inspect(engine).get_table_names())
    except Exception as exc:  # noqa: BLE001 - every driver raises its own kind
        raise DatabaseError(f"Ladder cannot reach the goals database at {describe(str(engine.url))}: {exc}") from exc
    if tables and "alembic_version" not in tables and not set(SNAPSHOT_TABLES) <= tables:
        raise DatabaseError(f"The database at {describe(str(engine.url))} is not a Ladder goals database.")


def import_files(
    engine: Engine,
    sources: Sequence[Source],
    *,
    dry_run: bool = False,
    today: date | None = None,
    on_step: Callable[[str], None] = _NOTHING,
    on_rows: Callable[[int, int], None] = _NOTHING,
    keep_demo: bool = False,
    options: ReadOptions = STRICT,
    limits: ImportLimits = SCREEN_LIMITS,
) -> ImportResult:
    """Check `sources` against the database and, unless `dry_run` or anything is wrong, write them all.

    `on_step(label)` is told as each stage starts; `on_rows(done, total)` as rows are written. `options` say
    how the files are written (separator, date order, percentages; data/import_options.py); `limits` how large a
    file may be (data/import_limits.py: the Data screen's unless the caller takes more). Writing removes
    the demo marker first (imported data are taken to be real people's), unless `keep_demo`.
    """
    started = time.perf_counter()
    _ensure_ladder_database(engine)
    existing: dict[str, pl.DataFrame] = {}

    def read(tables) -> dict[str, pl.DataFrame]:
        existing.update(read_existing(engine, tables))
        return existing

    report = validate(sources, existing=read, today=today, on_step=on_step, options=options, limits=limits)
    result = ImportResult(report)
    for name, incoming in report.tables.items():
        stored = existing.get(name)
        key = FORMATS[name].key
        known = 0 if stored is None else incoming.frame.join(stored.select(key), on=key, how="semi").height
        result.known_rows[name] = known
        result.new_rows[name] = incoming.frame.height - known
    if report.ok and not dry_run:
        on_step("write")
        try:
            prepare(engine)
            check_schema(engine)
            if not keep_demo:
                # Before the write: if the write fails, demo mode is closed rather than open over real data.
                clear_demo(engine)
            write(engine, report.tables, on_rows, report.external_ids)
        except DatabaseError:
            raise
        except Exception as exc:  # noqa: BLE001 - the transaction is rolled back; say why in words
            raise DatabaseError(f"Writing to the goals database failed and nothing was written: {exc}") from exc
        result.written = True
    result.seconds = time.perf_counter() - started
    return result


# --- writing ---------------------------------------------------------------------------------------------


def write(
    engine: Engine,
    tables: dict[str, Incoming],
    on_rows: Callable[[int, int], None] = _NOTHING,
    external_ids: pl.DataFrame | None = None,
) -> None:
    """Upsert every table by id in one transaction, tables in reference order, then the text ids first seen
    (data/import_ids.py); all or nothing."""
    frames = [(name, _in_write_order(name, tables[name].frame)) for name in FORMATS if name in tables]
    if external_ids is not None and external_ids.height:
        frames.append(("external_id", external_ids.select(EXTERNAL_ID_COLUMNS)))
    total = sum(frame.height for _, frame in frames)
    if engine.dialect.name == "sqlite":
        _write_sqlite(engine, frames, total, on_rows)
    elif engine.dialect.name == "postgresql":
        _write_postgresql(engine, frames, total, on_rows)
    else:
        raise DatabaseError(f"Ladder imports into SQLite or PostgreSQL, not {engine.dialect.name}.")


def _in_write_order(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The table's columns, rows sorted by what they refer to: index inserts and reference checks then walk
    the database's pages in order instead of jumping about (a third faster for a million updates)."""
    table = FORMATS[name]
    refers = [c.name for c in table.references if c.name != table.key and c.references != name][:1]
    return frame.select(table.column_names).sort([*refers, table.key], nulls_last=True)


def _upsert(name: str, columns: Sequence[str], values: str, differs: str) -> str:
    """INSERT ... ON CONFLICT (key) DO UPDATE, touching a stored row only when some column differs."""
    if name == "external_id":
        return f'INSERT INTO "external_id" ({", ".join(EXTERNAL_ID_COLUMNS)}) {values} ON CONFLICT DO NOTHING'
    key = FORMATS[name].key
    listed = ", ".join(f'"{c}"' for c in columns)
    others = [c for c in columns if c != key]
    if not others:
        return f'INSERT INTO "{name}" ({listed}) {values} ON CONFLICT ("{key}") DO NOTHING'
    assignments = ", ".join(f'"{c}" = excluded."{c}"' for c in others)
    changed = " OR ".join(f'"{name}"."{c}" {differs} excluded."{c}"' for c in others)
    return f'INSERT INTO "{name}" ({listed}) {values} ON CONFLICT ("{key}") DO UPDATE SET {assignments} WHERE {changed}'


def _sqlite_values(frame: pl.DataFrame) -> pl.DataFrame:
    """Values as SQLAlchemy stores them on SQLite: dates as 'YYYY-MM-DD' text, booleans as 0/1."""
    return frame.with_columns(
        [pl.col(c).dt.to_string("%Y-%m-%d") for c, t in frame.schema.items() if t == pl.Date]
        + [pl.col(c).cast(pl.Int8) for c, t in frame.schema.items() if t == pl.Boolean]
    )


def _write_sqlite(
    engine: Engine, frames: list[tuple[str, pl.DataFrame]], total: int, on_rows: Callable[[int, int], None]
) -> None:
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        saved_cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
        # A large page cache keeps index inserts in memory; SQLite only takes what it needs.
        cursor.execute(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}")
        cursor.execute("BEGIN IMMEDIATE")
        try:
            # Rows of one table may refer to each other (managers, parent goals): check references at commit.
            cursor.execute("PRAGMA defer_foreign_keys=ON")
            done = 0
            for name, frame in frames:
                placeholders = ", ".join("?" for _ in frame.columns)
                statement = _upsert(name, frame.columns, f"VALUES ({placeholders})", "IS NOT")
                for chunk in _sqlite_values(frame).iter_slices(BATCH_ROWS):
                    cursor.executemany(statement, chunk.iter_rows())
                    done += chunk.height
                    on_rows(done, total)
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            cursor.execute(f"PRAGMA cache_size={saved_cache}")
            cursor.close()
    finally:
        connection.close()


def _write_postgresql(
    engine: Engine, frames: list[tuple[str, pl.DataFrame]], total: int, on_rows: Callable[[int, int], None]
) -> None:
    with engine.begin() as connection:
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor:
            done = 0
            for name, frame in frames:
                staging = f"_import_{name}"
                listed = ", ".join(f'"{c}"' for c in frame.columns)
                cursor.execute(f'CREATE TEMPORARY TABLE "{staging}" (LIKE "{name}") ON COMMIT DROP')
                with cursor.copy(f'COPY "{staging}" ({listed}) FROM STDIN (FORMAT csv)') as copy:
                    for chunk in frame.iter_slices(BATCH_ROWS):
                        copy.write(chunk.write_csv(include_header=False, date_format="%Y-%m-%d"))
                        done += chunk.height
                        on_rows(done, total)
                cursor.execute(_upsert(name, frame.columns, f'SELECT {listed} FROM "{staging}"', "IS DISTINCT FROM"))


# --- command line ----------------------------------------------------------------------------------------

_SHOWN_PROBLEMS = 50


def _print_problems(problems: pl.DataFrame, out) -> None:
    for row in problems.head(_SHOWN_PROBLEMS).iter_rows(named=True):
        where = row["file"] or "files"
        if row["row"] is not None:
            where += f", row {row['row']}"
        if row["column"]:
            where += f", column {row['column']}"
        print(f"  {where}: {row['problem']}", file=out)
    if problems.height > _SHOWN_PROBLEMS:
        print(f"  … and {problems.height - _SHOWN_PROBLEMS:,} more (--report FILE writes them all).", file=out)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m data.load",
        description="Check import files and load them into the goals database, all or nothing.",
    )
    parser.add_argument("files", nargs="+", help="CSV, XLSX or Parquet files, or folders holding them")
    parser.add_argument("--url", help="database URL (default: LADDER_DATABASE_URL, secrets, or data/ladder.db)")
    parser.add_argument("--dry-run", action="store_true", help="check the files and report; write nothing")
    parser.add_argument("--today", type=date.fromisoformat, help="the day dates may not be after (default: today)")
    parser.add_argument("--report", type=Path, help="write every problem found to this CSV file")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--separator", choices=tuple(SEPARATORS), default=",", help="between the values of CSV files (default: ,)"
    )
    parser.add_argument(
        "--dates", choices=tuple(DATE_ORDERS), default="YYYY-MM-DD", help="how dates are written besides YYYY-MM-DD"
    )
    parser.add_argument("--percent", action="store_true", help="read 25%% as 0.25 where a share is expected")
    parser.add_argument(
        "--keep-demo", action="store_true",
        help="keep demo mode open on this database (only for demo files, never real people's data)",
    )  # fmt: skip
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)

    try:
        sources = sources_from_paths(args.files)
    except OSError as exc:
        parser.exit(2, f"Cannot read {exc.filename}: {exc.strerror}.\n")
    steps = tqdm(total=4, desc="check", unit="step", file=sys.stderr, disable=args.quiet, leave=False)
    rows_bar: list[tqdm] = []

    def on_step(label: str) -> None:
        steps.set_description(label)
        steps.update()

    def on_rows(done: int, total: int) -> None:
        if not rows_bar:
            steps.close()
            rows_bar.append(tqdm(total=total, desc="write", unit="row", file=sys.stderr, disable=args.quiet))
        rows_bar[0].update(done - rows_bar[0].n)

    try:
        engine = make_engine(args.url)
        where = describe(str(engine.url))
        options = ReadOptions(separator=args.separator, date_order=args.dates, percent=args.percent)
        result = import_files(
            engine, sources, dry_run=args.dry_run, today=args.today, on_step=on_step, on_rows=on_rows,
            keep_demo=args.keep_demo, options=options, limits=CLI_LIMITS,
        )  # fmt: skip
    except DatabaseError as exc:
        parser.exit(2, f"{exc}\n")
    finally:
        steps.close()
        for bar in rows_bar:
            bar.close()

    problems = result.report.problems
    if args.report is not None:
        problems.write_csv(args.report)
    if not result.ok:
        print(f"{problems.height:,} problem(s) found; nothing was written to {where}.", file=sys.stderr)
        _print_problems(problems, sys.stderr)
        return 1
    for row in result.plan().iter_rows(named=True):
        counts = f"({row['new']:,} new, {row['already_there']:,} already there)"
        print(f"  {row['table']:<20} {row['rows']:>10,} rows  {counts}")
    total = sum(result.report.rows().values())
    if args.dry_run:
        print(f"The files are valid ({total:,} rows). Dry run: nothing was written to {where}.")
    else:
        print(f"Imported {total:,} rows into {where} in {result.seconds:.1f} s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
