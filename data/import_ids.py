"""Ids from other systems: every key and reference column of an import becomes a Ladder id.

A whole number from -2,147,483,648 to 2,147,483,647 is its own Ladder id, as it always was. Any other id
(`E-10442`, `okr_7f3a`, a 64-bit number) is a text id: looked up in the `external_id` table, and given the
next free id of its table the first time it is imported, so that importing it again updates the same row.
A text id that points at a row neither in the files nor in the database is reported here, in the words the
reference check uses for whole numbers.
"""

from __future__ import annotations

import polars as pl

from data.formats import FORMATS, WHOLE_MAX, WHOLE_MIN, ColumnFormat
from data.import_report import ROW, Incoming, Problems, quoted_cell

EXTERNAL_ID_SCHEMA = {"table_name": pl.String, "external_id": pl.String, "ladder_id": pl.Int64}
_GIVEN = "_given:"  # the key as the file gave it, kept for messages


def given_key(table: str) -> str:
    """The column holding the key of `table` as the file gave it (before it became a Ladder id)."""
    return _GIVEN + FORMATS[table].key


def _whole(text: pl.Expr) -> pl.Expr:
    """Whether an id is a whole number Ladder can store as it is."""
    number = text.cast(pl.Int64, strict=False)
    return text.str.contains(r"^-?\d{1,10}$") & number.is_between(WHOLE_MIN, WHOLE_MAX)


def _own_keys(tables: dict[str, Incoming]) -> list[str]:
    """Tables in the files whose key is their own id (not another table's, as employee_sensitive's is)."""
    return [name for name in tables if FORMATS[name].column(FORMATS[name].key).references is None]


def _new_ids(name: str, incoming: Incoming, stored: pl.DataFrame, existing: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Next free Ladder ids, in order of first appearance, for the table's text ids not yet stored."""
    key = FORMATS[name].key
    given = incoming.frame.select(pl.col(key).alias("external_id")).drop_nulls()
    texts = given.filter(~_whole(pl.col("external_id"))).unique(maintain_order=True)
    fresh = texts.join(stored, on="external_id", how="anti")
    taken = [
        given.filter(_whole(pl.col("external_id")))["external_id"].cast(pl.Int64).max(),
        stored["ladder_id"].max(),
    ]
    if name in existing and key in existing[name].columns:
        taken.append(existing[name][key].max())
    start = max([0, *(value for value in taken if value is not None)]) + 1
    return fresh.with_columns(pl.int_range(start, start + fresh.height, dtype=pl.Int64).alias("ladder_id"))


def _report_taken_numbers(name: str, incoming: Incoming, stored: pl.DataFrame, problems: Problems) -> None:
    """A whole-number id that Ladder already gave to a text id of an earlier import would overwrite that row."""
    key = FORMATS[name].key
    owners = stored.select(pl.col("ladder_id").cast(pl.String).alias(key), pl.col("external_id").alias("_owner"))
    hit = incoming.frame.join(owners, on=key, how="inner")
    problems.flag(
        Incoming(name, incoming.file, hit, incoming.given),
        _whole(pl.col(key)),
        key,
        pl.format(
            "The id {} is the number Ladder gave to the {} '{}' of an earlier import; use '{}' or another id.",
            pl.col(key),
            pl.lit(FORMATS[name].label),
            quoted_cell(pl.col("_owner")),
            quoted_cell(pl.col("_owner")),
        ),
    )


def _to_ladder_ids(
    incoming: Incoming, column: ColumnFormat, ids: pl.DataFrame, problems: Problems, unreadable: set[str]
) -> pl.Expr:
    """The column as Ladder ids; a text id found nowhere is reported and left empty."""
    text = pl.col(column.name).cast(pl.String)
    mapped = text.replace_strict(ids["external_id"], ids["ladder_id"], default=None, return_dtype=pl.Int64)
    value = pl.when(_whole(text)).then(text.cast(pl.Int64, strict=False)).otherwise(mapped)
    target = FORMATS[column.id_table]
    if column.references is not None and target.name not in unreadable:
        where = "in this file" if target.name == incoming.table else f"in the {target.label} file"
        problems.flag(
            incoming,
            text.is_not_null() & value.is_null(),
            column.name,
            pl.format(
                "There is no {} '{}': it is neither {} nor in the database.",
                pl.lit(target.label),
                quoted_cell(text),
                pl.lit(where),
            ),
        )
    return value.alias(column.name)


def _ids_as_text(incoming: Incoming) -> Incoming:
    """Every id column as text (a missing required column arrives as typed nulls) until it is mapped."""
    ids = [pl.col(c.name).cast(pl.String) for c in FORMATS[incoming.table].columns if c.identifier]
    return Incoming(incoming.table, incoming.file, incoming.frame.with_columns(ids), incoming.given)


def assign_ladder_ids(
    tables: dict[str, Incoming],
    existing: dict[str, pl.DataFrame],
    problems: Problems,
    unreadable: set[str] = frozenset(),
) -> tuple[dict[str, Incoming], pl.DataFrame]:
    """(the tables with Ladder ids in every key and reference column, the new external_id rows to write)."""
    known = existing.get("external_id")
    known = pl.DataFrame(schema=EXTERNAL_ID_SCHEMA) if known is None else known.cast(EXTERNAL_ID_SCHEMA)
    domains = {c.id_table for name in tables for c in FORMATS[name].columns if c.identifier}
    ids = {
        name: known.filter(pl.col("table_name") == name).select("external_id", "ladder_id")
        for name in FORMATS
        if name in domains
    }
    tables = {name: _ids_as_text(incoming) for name, incoming in tables.items()}
    new_rows = []
    for name in _own_keys(tables):
        _report_taken_numbers(name, tables[name], ids[name], problems)
        fresh = _new_ids(name, tables[name], ids[name], existing)
        ids[name] = pl.concat([ids[name], fresh])
        new_rows.append(fresh.select(pl.lit(name).alias("table_name"), "external_id", "ladder_id"))
    typed = {}
    for name, incoming in tables.items():
        table = FORMATS[name]
        frame = incoming.frame.with_columns(pl.col(table.key).cast(pl.String).alias(given_key(name)))
        with_text = Incoming(name, incoming.file, frame, incoming.given)
        columns = [
            _to_ladder_ids(with_text, c, ids[c.id_table], problems, unreadable) for c in table.columns if c.identifier
        ]
        frame = frame.with_columns(columns).select(ROW, *table.column_names, given_key(name))
        typed[name] = Incoming(name, incoming.file, frame, incoming.given)
    external = pl.concat(new_rows) if new_rows else pl.DataFrame(schema=EXTERNAL_ID_SCHEMA)
    return typed, external
