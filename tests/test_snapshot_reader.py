"""The snapshot is read with the fast columnar reader (connectorx) for every SQLite file, relative paths included.

`sqlite:///bench.db` names bench.db in the working directory, as SQLAlchemy opens it; the columnar reader must
read that same file rather than leave the snapshot to the portable reader, about 8x slower at the large profile.
"""

from __future__ import annotations

from urllib.parse import quote

import polars as pl
import pytest

import queries.snapshot
from data.db import make_engine, upgrade
from queries.snapshot import _connectorx_uri, load_snapshot
from tests.tiny_org import tiny_tables, write_tiny


@pytest.fixture
def portable_reader_refused(monkeypatch):
    """Any read through the portable reader fails the test: only the columnar reader may run."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("the snapshot fell back to the portable reader")

    monkeypatch.setattr(queries.snapshot.pl, "read_database", refuse)


@pytest.mark.parametrize("folder", ["plain", "with space"])
def test_a_relative_sqlite_path_is_read_with_the_columnar_reader(
    tmp_path, monkeypatch, folder, portable_reader_refused
):
    work = tmp_path / folder
    (work / "data").mkdir(parents=True)
    monkeypatch.chdir(work)
    engine = make_engine("sqlite:///data/bench.db")
    try:
        upgrade(engine)
        write_tiny(engine)
        assert _connectorx_uri(engine) == "sqlite://" + quote(str(work / "data" / "bench.db"))
        snapshot = load_snapshot(engine, fresh=True)
    finally:
        engine.dispose()
    assert snapshot.employee.height == tiny_tables()["employee"].height
    assert snapshot.goal.select(pl.col("id").sort()).to_series().to_list() == sorted(tiny_tables()["goal"]["id"])


@pytest.mark.parametrize(("rows", "ranges"), [(9, 1), (10, 2), (40, 4), (41, 5)])
def test_a_large_table_is_read_in_id_ranges_of_bounded_size(tmp_path, monkeypatch, rows, ranges) -> None:
    """With tables of 10 rows or more read in ranges of at most 10 rows (on 2 cores, at least 2 ranges):
    9 rows in one query, 10 in 2, 40 in 4 and 41 in 5 (ceil(41 / 10)); every id read exactly once."""
    monkeypatch.setattr(queries.snapshot, "_PARTITION_ROWS", 10)
    monkeypatch.setattr(queries.snapshot, "_PARTITION_MAX_ROWS", 10)
    monkeypatch.setattr(queries.snapshot.os, "cpu_count", lambda: 2)
    path = tmp_path / "ranges.db"
    pl.DataFrame({"id": [3 * i + 5 for i in range(rows)]}).write_database("numbers", f"sqlite:///{path}")
    uri = f"sqlite://{quote(str(path))}"
    queries_read = queries.snapshot._partitioned(uri, "numbers", "id")
    assert len(queries_read) == ranges
    ids = pl.concat(pl.read_database_uri(query, uri, engine="connectorx") for query in queries_read)["id"]
    assert sorted(ids.to_list()) == [3 * i + 5 for i in range(rows)]
