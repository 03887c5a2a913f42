"""What the database already holds: the columns of existing rows that checking an import needs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import polars as pl
from sqlalchemy import Engine, inspect, select

from data.formats import FORMATS
from data.import_ids import EXTERNAL_ID_SCHEMA
from data.schema import Base


def _needs(incoming: Iterable[str]) -> dict[str, set[str]]:
    """The columns of existing rows that checking these tables needs, per table."""
    incoming = set(incoming)
    needs: dict[str, set[str]] = defaultdict(set)
    for name in incoming:
        table = FORMATS[name]
        needs[name] |= {table.key, *(c for group in table.unique for c in group)}
        if table.chain:
            needs[name].add(table.chain)
        for column in table.references:
            needs[column.references].add(FORMATS[column.references].key)
    if incoming & {"goal", "goal_link"}:
        needs["goal"] |= {"id", "parent_id"}
        needs["goal_link"] |= {"id", "goal_id", "target_goal_id"}
    if "progress_update" in incoming:
        needs["key_result"] |= {"id", "goal_id"}
        needs["goal"] |= {"id", "period_id"}
        needs["period"] |= {"id", "name", "start_date", "end_date"}
    if "checkin" in incoming:
        needs["employee"] |= {"id", "name", "hire_date"}
    if incoming & {"rating", "rating_guideline"}:
        needs["review_cycle"] |= {"id", "name", "scale_min", "scale_max"}
    return dict(needs)


def read_existing(engine: Engine, tables: Iterable[str]) -> dict[str, pl.DataFrame]:
    """The columns of existing rows that checking `tables` needs; an empty or new database gives no rows."""
    present = set(inspect(engine).get_table_names())
    existing = {}
    for name, columns in _needs(tables).items():
        table = FORMATS[name]
        ordered = [c for c in table.column_names if c in columns]
        schema = {c: table.column(c).dtype for c in ordered}
        if name not in present:
            existing[name] = pl.DataFrame(schema=schema)
        elif engine.dialect.name == "postgresql":
            existing[name] = _read_postgresql(engine, name, schema)
        else:
            existing[name] = _read_rows(engine, name, schema)
    if "external_id" in present:
        # Text ids of earlier imports: the mapping is small next to the tables it maps, so it is read whole.
        read = _read_postgresql if engine.dialect.name == "postgresql" else _read_rows
        existing["external_id"] = read(engine, "external_id", EXTERNAL_ID_SCHEMA)
    return existing


def _read_rows(engine: Engine, name: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Through the driver's own cursor: dates arrive as SQLite's 'YYYY-MM-DD' text and are cast in Polars.

    (Not the columnar reader on SQLite: a second SQLite library in the same process does not see rows
    this one has just written, and its file locks do not mix with ours.)
    """
    as_read = {c: pl.String if t == pl.Date else pl.Int64 if t == pl.Boolean else t for c, t in schema.items()}
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        rows = cursor.execute(f'SELECT {", ".join(schema)} FROM "{name}"').fetchall()
        cursor.close()
    finally:
        connection.close()
    frame = pl.DataFrame(rows, schema=as_read, orient="row")
    return frame.with_columns(
        pl.col(c).str.to_date("%Y-%m-%d") if t == pl.Date else pl.col(c).cast(t)
        for c, t in schema.items()
        if as_read[c] != t
    )


def _read_postgresql(engine: Engine, name: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """With the columnar reader (connectorx), which reads millions of ids in a fraction of a second."""
    uri = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        frame = pl.read_database_uri(f'SELECT {", ".join(schema)} FROM "{name}"', uri, engine="connectorx")
        return frame.select(pl.col(c).cast(t) for c, t in schema.items())
    except Exception:  # noqa: BLE001 - SQLAlchemy reads it instead
        model = Base.metadata.tables[name]
        with engine.connect() as connection:
            rows = connection.execute(select(*(model.c[c] for c in schema))).all()
        return pl.DataFrame(rows, schema=schema, orient="row")
