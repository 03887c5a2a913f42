"""One place that knows where the goals database is and keeps its schema current."""

from __future__ import annotations

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
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args=_connect_timeout(parsed.get_backend_name()))


def _connect_timeout(backend: str) -> dict:
    return {"connect_timeout": 5} if backend == "postgresql" else {}


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
