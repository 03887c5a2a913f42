"""The data stamp: one short string that changes whenever any table of the snapshot changes.

The `data_version` table holds one row: a random `token`, set when the table is created, and a
`version` that a trigger on every snapshot table bumps on each insert, update or delete (per row on
SQLite, per statement on PostgreSQL). Writes from Ladder's importer and generator and from any other
tool all bump it, so a snapshot read at one stamp may be reused, from memory or from disk, for as long
as the stamp stays the same. The token tells apart two databases at the same version, for example a
demo database generated afresh.

Since migration 0010 the triggers say which table changed and how: the `table_version` table holds one row per
snapshot table with `inserts` (bumped by inserts) and `changes` (bumped by updates, deletes and truncates), and a
trigger on `table_version` bumps `data_version`. A reload then reads again only the tables whose row changed,
and of an append-only table whose `changes` stayed put only the rows added since (queries/snapshot.py). A tool
that writes with the triggers off must afterwards run TOUCH_ALL (`UPDATE table_version SET changes = changes + 1`),
which marks every table changed and bumps the stamp.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Engine, inspect, text

_PREFIX = "ladder_touch"
_OPERATIONS = ("insert", "update", "delete")


def _sqlite_trigger(table: str, operation: str) -> str:
    return (
        f'CREATE TRIGGER IF NOT EXISTS "{_PREFIX}_{table}_{operation}" AFTER {operation.upper()} ON "{table}" '
        "BEGIN UPDATE data_version SET version = version + 1; END"
    )


def change_trigger_statements(dialect: str, tables: Iterable[str]) -> list[str]:
    """The DDL that makes every write to `tables` bump data_version.version."""
    if dialect == "sqlite":
        return [_sqlite_trigger(table, operation) for table in tables for operation in _OPERATIONS]
    if dialect == "postgresql":
        statements = [
            f"CREATE OR REPLACE FUNCTION {_PREFIX}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN UPDATE data_version SET version = version + 1; RETURN NULL; END $$"
        ]
        for table in tables:
            statements.append(f'DROP TRIGGER IF EXISTS {_PREFIX} ON "{table}"')
            statements.append(
                f'CREATE TRIGGER {_PREFIX} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                f"FOR EACH STATEMENT EXECUTE FUNCTION {_PREFIX}()"
            )
        return statements
    return []


def drop_trigger_statements(dialect: str, tables: Iterable[str]) -> list[str]:
    if dialect == "sqlite":
        return [
            f'DROP TRIGGER IF EXISTS "{_PREFIX}_{table}_{operation}"' for table in tables for operation in _OPERATIONS
        ]
    if dialect == "postgresql":
        return [f'DROP TRIGGER IF EXISTS {_PREFIX} ON "{table}"' for table in tables] + [
            f"DROP FUNCTION IF EXISTS {_PREFIX}()"
        ]
    return []


def create_change_triggers(connection: Connection, tables: Iterable[str]) -> None:
    """Triggers that make writes to `tables` bump the stamp: through table_version once it exists (migration
    0010 and later), each table then with its own row; before that, the stamp alone."""
    tables = list(tables)
    if "table_version" not in inspect(connection).get_table_names():
        for statement in change_trigger_statements(connection.dialect.name, tables):
            connection.execute(text(statement))
        return
    for table in tables:
        connection.execute(
            text("INSERT INTO table_version (name, inserts, changes) SELECT :name, 0, 0 "
                 "WHERE NOT EXISTS (SELECT 1 FROM table_version WHERE name = :name)"),  # fmt: skip
            {"name": table},
        )
    for statement in table_trigger_statements(connection.dialect.name, tables):
        connection.execute(text(statement))


def drop_change_triggers(connection: Connection, tables: Iterable[str]) -> None:
    for statement in drop_trigger_statements(connection.dialect.name, tables):
        connection.execute(text(statement))


BUMP = "UPDATE data_version SET version = version + 1"
TOUCH_ALL = "UPDATE table_version SET changes = changes + 1"


def _sqlite_table_trigger(table: str, operation: str) -> str:
    counter = "inserts" if operation == "insert" else "changes"
    return (
        f'CREATE TRIGGER IF NOT EXISTS "{_PREFIX}_{table}_{operation}" AFTER {operation.upper()} ON "{table}" '
        f"BEGIN UPDATE table_version SET {counter} = {counter} + 1 WHERE name = '{table}'; END"
    )


def table_trigger_statements(dialect: str, tables: Iterable[str]) -> list[str]:
    """The DDL that makes every write to `tables` bump its table_version row, and that row's change the stamp."""
    if dialect == "sqlite":
        return [
            f'CREATE TRIGGER IF NOT EXISTS "{_PREFIX}_table_version" AFTER UPDATE ON table_version '
            "BEGIN UPDATE data_version SET version = version + 1; END",
            *(_sqlite_table_trigger(table, operation) for table in tables for operation in _OPERATIONS),
        ]
    if dialect == "postgresql":
        statements = [
            f"CREATE OR REPLACE FUNCTION {_PREFIX}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'INSERT' THEN UPDATE table_version SET inserts = inserts + 1 WHERE name = TG_TABLE_NAME; "
            "ELSE UPDATE table_version SET changes = changes + 1 WHERE name = TG_TABLE_NAME; END IF; "
            "RETURN NULL; END $$",
            f"CREATE OR REPLACE FUNCTION {_PREFIX}_stamp() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN UPDATE data_version SET version = version + 1; RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS {_PREFIX}_stamp ON table_version",
            f"CREATE TRIGGER {_PREFIX}_stamp AFTER UPDATE ON table_version "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {_PREFIX}_stamp()",
        ]
        for table in tables:
            statements.append(f'DROP TRIGGER IF EXISTS {_PREFIX} ON "{table}"')
            statements.append(
                f'CREATE TRIGGER {_PREFIX} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                f"FOR EACH STATEMENT EXECUTE FUNCTION {_PREFIX}()"
            )
        return statements
    return []


def read_table_versions(engine: Engine) -> dict[str, tuple[int, int]] | None:
    """{table: (inserts, changes)}, or None when the database has no table_version (before migration 0010)."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT name, inserts, changes FROM table_version")).all()
    except Exception:  # noqa: BLE001 - no such table: every reload reads every table
        return None
    return {name: (int(inserts), int(changes)) for name, inserts, changes in rows}


def read_stamp(engine: Engine) -> str | None:
    """'<token>.<version>' of the database, or None when it has no data_version row (an older schema)."""
    try:
        with engine.connect() as connection:
            row = connection.execute(text("SELECT token, version FROM data_version WHERE id = 1")).first()
    except Exception:  # noqa: BLE001 - no such table: a database from before the stamp
        return None
    return None if row is None else f"{row[0]}.{row[1]}"
