"""One place that knows where the goals database is and keeps its schema current."""

from __future__ import annotations

import math
import os
import socket
import threading
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

from data import config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseError(RuntimeError):
    """The database cannot be reached or does not hold a Ladder schema; the message is for people."""


def database_url(explicit: str | None = None) -> str:
    """The URL from the argument, else the configured one (`LADDER_DATABASE_URL`, secrets, or the default)."""
    if explicit:
        return explicit
    try:
        return config.current().database_url
    except config.ConfigError as error:
        # Never the default database in place of one the settings meant but could not say.
        raise DatabaseError("The settings cannot be used: " + "; ".join(error.problems)) from error


def describe(url: str) -> str:
    """The URL with any password hidden, for messages on screen."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given
        return url


_WATCHDOG_GRACE_SECONDS = 2.0  # the server's own statement timeout gets this long to answer before the socket is cut


def time_limits() -> tuple[float, float]:
    """(connect, statement) limits in seconds: settings `connect_timeout_seconds`, `statement_timeout_seconds`."""
    settings = config.current_or_default().settings
    return float(settings.connect_timeout_seconds), float(settings.statement_timeout_seconds)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # No WAL: the snapshot reader (connectorx) brings its own copy of SQLite, and two copies in one
    # process sharing a WAL index can lose each other's locks ("disk I/O error"). The rollback journal
    # is enough for the one writer Ladder has at a time (an import, an access-log line).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=DELETE")  # also leaves WAL if an older database was in it
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001
        raise DatabaseError(f"The database URL {url!r} is not a valid URL.") from exc
    connect_limit, statement_limit = time_limits()
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # `timeout` bounds the wait for another writer's lock; the progress handler bounds each statement.
        engine = create_engine(url, connect_args={"timeout": connect_limit})
        event.listen(engine, "connect", _sqlite_pragmas)
        limit_sqlite_statements(engine, statement_limit)
        return engine
    engine = create_engine(
        url, pool_pre_ping=True, pool_timeout=connect_limit,
        connect_args=_postgres_limits(parsed.get_backend_name(), connect_limit, statement_limit),
    )  # fmt: skip
    if parsed.get_backend_name() == "postgresql":
        watch_statements(engine, statement_limit + _WATCHDOG_GRACE_SECONDS)
    return engine


def _postgres_limits(backend: str, connect_limit: float, statement_limit: float) -> dict:
    """libpq's connect timeout (whole seconds, at least 1) and the server-side statement timeout."""
    if backend != "postgresql":
        return {}
    return {
        "connect_timeout": max(1, math.ceil(connect_limit)),
        "options": f"-c statement_timeout={int(statement_limit * 1000)}",
    }


def limit_sqlite_statements(engine: Engine, seconds: float) -> None:
    """Abort any SQLite statement running longer than `seconds` (sqlite3 raises 'interrupted')."""

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn, _cursor, _statement, _parameters, _context, _many) -> None:
        deadline = time.monotonic() + seconds
        conn.connection.dbapi_connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)

    @event.listens_for(engine, "after_cursor_execute")
    def _stop(conn, _cursor, _statement, _parameters, _context, _many) -> None:
        conn.connection.dbapi_connection.set_progress_handler(None, 0)


def watch_statements(engine: Engine, seconds: float) -> None:
    """Cut the connection of a statement that has not answered after `seconds`.

    The server's statement timeout stops a slow query, but not a network or server that hangs without
    answering at all; shutting the socket down makes the waiting driver fail at once instead."""

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn, _cursor, _statement, _parameters, _context, _many) -> None:
        conn.info["ladder_watchdog"] = _arm(conn.connection.dbapi_connection, seconds)

    def _disarm(conn) -> None:
        timer = conn.info.pop("ladder_watchdog", None)
        if timer is not None:
            timer.cancel()

    event.listen(engine, "after_cursor_execute", lambda conn, *_: _disarm(conn))
    event.listen(engine, "handle_error", lambda context: _disarm(context.connection) if context.connection else None)

    # The pool's liveness ping runs beneath those events, and on a silent host it would wait forever.
    ping = engine.dialect.do_ping

    def watched_ping(dbapi_connection) -> bool:
        timer = _arm(dbapi_connection, seconds)
        try:
            return ping(dbapi_connection)
        finally:
            timer.cancel()

    engine.dialect.do_ping = watched_ping


def _arm(dbapi_connection, seconds: float) -> threading.Timer:
    def cut() -> None:
        try:
            fd = dbapi_connection.pgconn.socket
            socket.socket(fileno=os.dup(fd)).shutdown(socket.SHUT_RDWR)
        except Exception:  # noqa: BLE001 - already closed: nothing left to cut
            pass

    timer = threading.Timer(seconds, cut)
    timer.daemon = True
    timer.start()
    return timer


def _alembic_config(engine: Engine):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (an empty database gets every table)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    engine = create_engine("sqlite://")
    return ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()


def prepare(engine: Engine) -> None:
    """Bring an empty or older Ladder database to the current schema; leave any other database alone.

    A database holding tables but no migration record is somebody else's: check_schema will name it.
    """
    try:
        tables = set(inspect(engine).get_table_names())
    except Exception as exc:  # noqa: BLE001 - every driver raises its own kind
        raise DatabaseError(
            f"Ladder cannot reach the goals database at {describe(str(engine.url))}: {_first_line(exc)}"
        ) from exc
    if not tables or "alembic_version" in tables:
        try:
            upgrade(engine)
        except Exception as exc:  # noqa: BLE001
            raise DatabaseError(
                f"Upgrading the goals database at {describe(str(engine.url))} failed: {_first_line(exc)}"
            ) from exc


def check_schema(engine: Engine) -> None:
    """Raise DatabaseError in plain words unless the database is reachable and at the current schema."""
    from data.schema import SNAPSHOT_TABLES

    try:
        tables = set(inspect(engine).get_table_names())
    except Exception as exc:  # noqa: BLE001 - every driver raises its own kind
        raise DatabaseError(
            f"Ladder cannot reach the goals database at {describe(str(engine.url))}: {_first_line(exc)}"
        ) from exc
    missing = [t for t in SNAPSHOT_TABLES if t not in tables]
    # A Ladder database at an older revision lacks the tables added since: it needs a migration, not a new file.
    if missing and "alembic_version" in tables and current_revision(engine) != head_revision():
        missing = []
    if missing:
        raise DatabaseError(
            f"The database at {describe(str(engine.url))} is not a Ladder goals database "
            f"(missing tables: {', '.join(missing)}). Run `make run` or `python -m data.generate` to create one."
        )
    if current_revision(engine) != head_revision():
        raise DatabaseError(
            f"The database at {describe(str(engine.url))} has an older schema. "
            "Run `python -m data.migrate` to upgrade it."
        )


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
