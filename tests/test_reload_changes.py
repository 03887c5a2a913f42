"""A reload reads only what changed: per-table versions kept by the triggers, and for the append-only tables
only the rows added since, when that is provably the whole change. Whatever it reads, the snapshot equals a
full read of the database."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import text

import queries.snapshot as snapshot_module
from data.schema import SNAPSHOT_TABLES
from data.stamp import BUMP, TOUCH_ALL
from queries.snapshot import load_snapshot
from queries.store import SnapshotStore
from tests.tiny_org import write_tiny


@pytest.fixture
def filled(engine):
    write_tiny(engine)
    return engine


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The tables read whole from the database, in order."""
    names: list[str] = []
    whole = snapshot_module._read_table

    def counting(engine, name, uri):
        names.append(name)
        return whole(engine, name, uri)

    monkeypatch.setattr(snapshot_module, "_read_table", counting)
    return names


def _write(engine, *statements: str) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def _assert_as_read_whole(snapshot, engine) -> None:
    whole = load_snapshot(engine, fresh=True)
    for name in SNAPSHOT_TABLES:
        got, want = getattr(snapshot, name), getattr(whole, name)
        assert_frame_equal(got.sort(got.columns), want.sort(want.columns), check_row_order=True)


def _new_updates(engine, count: int, *, below: bool = False) -> str:
    """`count` progress updates of the first key result, with ids above the largest (or one below the smallest)."""
    with engine.connect() as conn:
        low, high = conn.execute(text("SELECT MIN(id), MAX(id) FROM progress_update")).one()
        kr = conn.execute(text("SELECT MIN(id) FROM key_result")).scalar_one()
    ids = [low - 1 - i for i in range(count)] if below else [high + 1 + i for i in range(count)]
    values = ", ".join(f"({i}, {kr}, '2026-11-20', {i % 7}, 0.5)" for i in ids)
    return f"INSERT INTO progress_update (id, key_result_id, at, value, confidence) VALUES {values}"


@pytest.mark.parametrize("store", [False, True], ids=["memory", "stored"])
def test_a_write_to_one_table_reads_that_table_alone(filled, reads, tmp_path, store):
    kept = SnapshotStore(tmp_path) if store else None
    first = load_snapshot(filled, store=kept)
    reads.clear()
    _write(filled, "UPDATE region SET name = 'Elsewhere' WHERE id = (SELECT MIN(id) FROM region)")
    second = load_snapshot(filled, store=kept, previous=first)
    assert reads == ["region"]
    assert second.goal is first.goal or store  # from memory the very frame is reused; stored, it is re-mapped
    _assert_as_read_whole(second, filled)


def test_updates_appended_above_the_mark_are_read_alone(filled, reads):
    first = load_snapshot(filled)
    reads.clear()
    _write(filled, _new_updates(filled, 3))
    second = load_snapshot(filled, previous=first)
    assert reads == []  # neither progress_update nor anything else read whole
    assert second.progress_update.height == first.progress_update.height + 3
    _assert_as_read_whole(second, filled)


def test_appended_updates_take_their_place_in_the_history(filled, reads):
    first = load_snapshot(filled)
    _write(filled, _new_updates(filled, 3))  # KR 100 on 20 Nov, the day of its last update (90): values 0, 1, 2
    second = load_snapshot(filled, previous=first)
    kr_100 = second.progress_update.filter(pl.col("key_result_id") == 100)["value"].to_list()
    assert second.progress_update["key_result_id"].to_list()[:6] == [100] * 6
    assert kr_100 == [20, 50, 90, 0, 1, 2]
    assert_frame_equal(second.progress_update, load_snapshot(filled, fresh=True).progress_update)


def test_an_update_added_below_the_mark_reads_the_table_whole(filled, reads):
    first = load_snapshot(filled)
    reads.clear()
    _write(filled, _new_updates(filled, 1, below=True))
    second = load_snapshot(filled, previous=first)
    assert reads == ["progress_update"]
    _assert_as_read_whole(second, filled)


def test_a_changed_update_reads_the_table_whole(filled, reads):
    first = load_snapshot(filled)
    reads.clear()
    _write(filled, "UPDATE progress_update SET value = value + 1 WHERE id = (SELECT MAX(id) FROM progress_update)")
    second = load_snapshot(filled, previous=first)
    assert reads == ["progress_update"]
    _assert_as_read_whole(second, filled)


def test_a_stamp_moved_by_hand_reads_everything(filled, reads):
    """A tool that wrote with the triggers off and bumped only the stamp: no table says what changed."""
    first = load_snapshot(filled)
    reads.clear()
    _write(filled, BUMP)
    load_snapshot(filled, previous=first)
    assert sorted(reads) == sorted(SNAPSHOT_TABLES)


def test_touching_every_table_by_hand_reads_everything(filled, reads):
    first = load_snapshot(filled)
    reads.clear()
    _write(filled, TOUCH_ALL)
    second = load_snapshot(filled, previous=first)
    assert second.stamp != first.stamp
    assert sorted(reads) == sorted(SNAPSHOT_TABLES)
