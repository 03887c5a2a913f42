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
