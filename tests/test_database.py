"""The goals database: schema, migrations, the snapshot reader and plain-words failures; SQLite and PostgreSQL."""

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import inspect, text

from data.db import DatabaseError, check_schema, current_revision, head_revision, make_engine, upgrade
from data.schema import SNAPSHOT_TABLES
from queries.snapshot import load_snapshot, snapshot_schema
from tests.tiny_org import tiny_tables, write_tiny


def test_snapshot_reads_every_table_exactly(engine):
    write_tiny(engine)
    snapshot = load_snapshot(engine)
    expected = tiny_tables()
    for name in SNAPSHOT_TABLES:
        read = getattr(snapshot, name)
        assert read.columns == list(snapshot_schema(name))
        expected_rows = expected[name].select(read.columns).sort(read.columns)
        assert_frame_equal(read.sort(read.columns), expected_rows, check_exact=False)


def test_the_largest_tables_are_read_without_columns_no_question_uses(engine):
    write_tiny(engine)
    snapshot = load_snapshot(engine)
    # owners' confidence is shown, so it is read
    assert snapshot.progress_update.columns == ["key_result_id", "at", "value", "confidence"]
    assert "id" not in snapshot.checkin.columns


def test_empty_database_gives_typed_empty_frames(engine):
    snapshot = load_snapshot(engine)
    assert snapshot.goal.is_empty()
    assert snapshot.goal.schema["archived"] == pl.Boolean
    assert snapshot.checkin.schema["held_at"] == pl.Date


def test_a_database_without_ladder_tables_is_named_as_such(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/other.db")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE something_else (id INTEGER)"))
    with pytest.raises(DatabaseError, match="not a Ladder goals database"):
        load_snapshot(engine)


def test_an_older_schema_asks_for_a_migration(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    upgrade(engine, "0001")
    with pytest.raises(DatabaseError, match="older schema"):
        check_schema(engine)


def test_an_unreachable_server_is_reported_in_words():
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    with pytest.raises(DatabaseError, match="cannot reach"):
        load_snapshot(engine)


def test_a_malformed_url_is_reported_in_words():
    with pytest.raises(DatabaseError, match="not a valid URL"):
        make_engine("this is not a url")


def test_upgrading_from_the_first_migration_keeps_every_row(database_url):
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0001")
        write_tiny(engine)
        first = [name for name in SNAPSHOT_TABLES if name in inspect(engine).get_table_names()]
        before = {name: load_rows(engine, name) for name in first}
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        check_schema(engine)
        assert {name: load_rows(engine, name) for name in first} == before
    finally:
        engine.dispose()


def load_rows(engine, name: str) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(tuple(row) for row in conn.execute(text(f"SELECT * FROM {name}")))


def test_prepare_upgrades_an_empty_or_older_database_and_leaves_others_alone(tmp_path):
    from data.db import prepare

    empty = make_engine(f"sqlite:///{tmp_path}/empty.db")
    prepare(empty)
    check_schema(empty)
    older = make_engine(f"sqlite:///{tmp_path}/older.db")
    upgrade(older, "0001")
    prepare(older)
    check_schema(older)
    foreign = make_engine(f"sqlite:///{tmp_path}/foreign.db")
    with foreign.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER)"))
    prepare(foreign)
    with pytest.raises(DatabaseError, match="not a Ladder goals database"):
        check_schema(foreign)
