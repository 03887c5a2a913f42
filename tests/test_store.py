"""The data stamp and the stored snapshot: a write anywhere changes the stamp; a stored snapshot is reused only
at its own stamp and code, and serves exactly what the database holds."""

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import text

import queries.snapshot as snapshot_module
import queries.store as store_module
from data.access_log import record_view, spool
from data.db import DatabaseError
from data.schema import SNAPSHOT_TABLES
from data.stamp import read_stamp
from queries.snapshot import load_snapshot
from queries.store import SnapshotStore, store_from
from tests.tiny_org import write_tiny


def _write(engine, sql: str) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql))


@pytest.fixture
def filled(engine):
    write_tiny(engine)
    return engine


def _no_database_reads(monkeypatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("the database was read although the stored snapshot was current")

    monkeypatch.setattr(snapshot_module, "_read_table", refuse)


# --- the stamp ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE goal SET title = 'Renamed' WHERE id = (SELECT MIN(id) FROM goal)",
        "DELETE FROM progress_update WHERE id = (SELECT MAX(id) FROM progress_update)",
        "INSERT INTO region (id, code, name) VALUES (99, 'ZZ', 'Elsewhere')",
        "UPDATE key_result SET current_value = current_value + 1",
    ],
    ids=["update", "delete", "insert", "update-many"],
)
def test_every_kind_of_write_to_a_snapshot_table_changes_the_stamp(filled, sql):
    before = read_stamp(filled)
    _write(filled, sql)
    after = read_stamp(filled)
    assert before is not None and after is not None
    assert after != before


def test_a_read_and_an_access_log_line_leave_the_stamp_alone(filled):
    before = read_stamp(filled)
    load_snapshot(filled)
    url = filled.url.render_as_string(hide_password=False)
    record_view(url, email="hr@example.com", role="hr", page="Overview", filters={"period": "2026-Q4"})
    spool(url).write_waiting()
    assert read_stamp(filled) == before


def test_two_new_databases_never_share_a_stamp(tmp_path):
    from data.db import make_engine, upgrade

    stamps = []
    for name in ("one", "two"):
        engine = make_engine(f"sqlite:///{tmp_path}/{name}.db")
        upgrade(engine)
        stamps.append(read_stamp(engine))
        engine.dispose()
    assert stamps[0] != stamps[1]


def test_a_database_from_before_the_stamp_has_none(tmp_path):
    from data.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    upgrade(engine, "0002")
    assert read_stamp(engine) is None


# --- the stored snapshot -----------------------------------------------------------------------------------------


def _assert_same_tables(one, other) -> None:
    for name in SNAPSHOT_TABLES:
        assert_frame_equal(getattr(one, name), getattr(other, name))


def test_a_new_process_maps_the_stored_snapshot_instead_of_reading_the_database(filled, tmp_path, monkeypatch):
    first = load_snapshot(filled, store=SnapshotStore(tmp_path))
    assert first.stored is not None and (first.stored.folder / "goal.arrow").exists()
    database = load_snapshot(filled)

    _no_database_reads(monkeypatch)
    second = load_snapshot(filled, store=SnapshotStore(tmp_path))  # a new store object: as in a new process
    _assert_same_tables(second, database)
    assert second.loaded_at == first.loaded_at
    assert second.stamp == first.stamp == read_stamp(filled)


def test_after_a_write_the_database_is_read_again_and_the_old_folder_goes(filled, tmp_path):
    store = SnapshotStore(tmp_path)
    old = load_snapshot(filled, store=store)
    _write(filled, "UPDATE goal SET title = 'Renamed' WHERE id = (SELECT MIN(id) FROM goal)")

    new = load_snapshot(filled, store=store)
    assert "Renamed" in new.goal["title"].to_list()
    assert "Renamed" not in old.goal["title"].to_list()
    assert new.stamp != old.stamp
    assert not old.stored.folder.exists() and new.stored.folder.exists()
    # A process that still maps the old files keeps reading them.
    assert old.goal.height == new.goal.height


def test_the_previous_snapshot_is_kept_while_the_stamp_holds(filled, monkeypatch):
    previous = load_snapshot(filled)
    assert load_snapshot(filled, previous=previous) is previous
    assert load_snapshot(filled, previous=previous, fresh=True) is not previous

    _write(filled, "INSERT INTO region (id, code, name) VALUES (99, 'ZZ', 'Elsewhere')")
    newer = load_snapshot(filled, previous=previous)
    assert newer is not previous and 99 in newer.region["id"].to_list()


def test_fresh_reads_the_database_even_when_a_stored_snapshot_exists(filled, tmp_path, monkeypatch):
    store = SnapshotStore(tmp_path)
    load_snapshot(filled, store=store)
    _no_database_reads(monkeypatch)
    with pytest.raises(DatabaseError, match="database was read"):
        load_snapshot(filled, store=store, fresh=True)


def test_other_code_never_reads_a_stored_snapshot(filled, tmp_path, monkeypatch):
    store = SnapshotStore(tmp_path)
    first = load_snapshot(filled, store=store)
    monkeypatch.setattr(store_module, "CODE", "other-formulas")
    second = load_snapshot(filled, store=store)
    assert second.stored.folder != first.stored.folder


def test_a_broken_stored_file_is_a_miss_not_an_error(filled, tmp_path):
    store = SnapshotStore(tmp_path)
    first = load_snapshot(filled, store=store)
    (first.stored.folder / "goal.arrow").write_bytes(b"not arrow at all")
    database = load_snapshot(filled)
    again = load_snapshot(filled, store=store)
    _assert_same_tables(again, database)


def test_an_unwritable_store_only_costs_speed(filled, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("in the way")
    snapshot = load_snapshot(filled, store=SnapshotStore(blocked / "store"))
    assert snapshot.stored is None
    _assert_same_tables(snapshot, load_snapshot(filled))


def test_store_setting():
    assert store_from("off") is None and store_from("") is None
    assert store_from("/tmp/somewhere").directory.as_posix() == "/tmp/somewhere"
    assert store_from(None).directory.name == "snapshots"


# --- derived frames on disk --------------------------------------------------------------------------------------


@pytest.fixture
def example_frame(monkeypatch):
    """A derived frame named "example", declared as stored on disk."""
    from queries.derived import FRAMES, Frame

    monkeypatch.setitem(FRAMES, "example", Frame(persist=True))


def test_a_persisted_derived_frame_is_read_back_by_the_next_process(filled, tmp_path, example_frame):
    calls = []

    def compute():
        calls.append(1)
        return pl.DataFrame({"a": [1, 2, 3], "when": [datetime(2026, 1, 1)] * 3})

    first = load_snapshot(filled, store=SnapshotStore(tmp_path))
    made = first.derived(("example", 1), compute)
    second = load_snapshot(filled, store=SnapshotStore(tmp_path))
    again = second.derived(("example", 1), compute)
    assert calls == [1]
    assert_frame_equal(again, made)
    # Another key is another frame.
    second.derived(("example", 2), compute)
    assert calls == [1, 1]


def _mapped_file(address: int) -> str | None:
    """The file whose memory map holds `address` in this process (/proc/self/maps), if any."""
    for line in Path("/proc/self/maps").read_text().splitlines():
        parts = line.split(maxsplit=5)
        low, high = (int(bound, 16) for bound in parts[0].split("-"))
        if low <= address < high:
            return parts[5] if len(parts) == 6 else None
    return None


def test_a_frame_computed_and_stored_is_served_from_its_mapped_file(filled, tmp_path, example_frame):
    import numpy as np

    snapshot = load_snapshot(filled, store=SnapshotStore(tmp_path))
    served = snapshot.derived(("example", 1), lambda: pl.DataFrame({"a": np.arange(100_000, dtype=np.int64)}))
    assert served["a"].sum() == 99_999 * 100_000 // 2
    address = served["a"].to_numpy(allow_copy=False).__array_interface__["data"][0]
    (stored,) = (snapshot.stored.folder / "derived").glob("*.arrow")
    assert _mapped_file(address) == str(stored)


def test_a_frame_that_cannot_be_stored_is_served_as_computed(filled, tmp_path, example_frame, monkeypatch):
    def full_disk(*_args) -> None:
        raise OSError("No space left on device")

    snapshot = load_snapshot(filled, store=SnapshotStore(tmp_path))
    monkeypatch.setattr(store_module, "_write_arrow", full_disk)
    computed = pl.DataFrame({"a": [1, 2, 3]})
    assert snapshot.derived(("example", 1), lambda: computed) is computed


def test_a_narrowed_snapshot_keeps_nothing_on_disk(filled, tmp_path, example_frame):
    shared = load_snapshot(filled, store=SnapshotStore(tmp_path))
    narrowed = shared.narrowed("a team", goal=shared.goal.head(1))
    assert narrowed.stored is None
    narrowed.derived(("example", "narrowed"), lambda: pl.DataFrame({"a": [1]}))
    assert not (shared.stored.folder / "derived").exists()


def test_the_update_history_of_a_mapped_snapshot_is_the_stored_table_itself(filled, tmp_path):
    import numpy as np

    from queries.rollup import update_history

    load_snapshot(filled, store=SnapshotStore(tmp_path))
    mapped = load_snapshot(filled, store=SnapshotStore(tmp_path))
    history = update_history(mapped)
    assert_frame_equal(history, history.sort("key_result_id", "at", maintain_order=True))
    for column in history.columns:
        if column != "at":
            assert np.shares_memory(
                history[column].to_numpy(allow_copy=False), mapped.progress_update[column].to_numpy(allow_copy=False)
            )
    assert not (mapped.stored.folder / "derived").exists()  # nothing derived was stored for it


def test_persisted_roll_ups_equal_computed_ones(filled, tmp_path):
    from queries.model import Settings
    from queries.rollup import period_progress
    from tests.tiny_org import tiny_filters

    filters = tiny_filters()
    computed = period_progress(load_snapshot(filled), filters.period_id, filters.as_of, Settings())
    period_progress(load_snapshot(filled, store=SnapshotStore(tmp_path)), filters.period_id, filters.as_of, Settings())
    restarted = load_snapshot(filled, store=SnapshotStore(tmp_path))
    assert any((restarted.stored.folder / "derived").glob("*.arrow"))
    read_back = period_progress(restarted, filters.period_id, filters.as_of, Settings())
    assert_frame_equal(read_back.sort("id"), computed.sort("id"))


# --- the seam --------------------------------------------------------------------------------------------------


def test_the_seam_keeps_its_snapshot_while_the_data_stay_and_reads_again_when_they_change(filled, monkeypatch):
    from components import data

    url = filled.url.render_as_string(hide_password=False)
    monkeypatch.setenv("LADDER_DATABASE_URL", url)
    data.refresh()
    first = data.snapshot()
    data.refresh()  # what the Refresh button and the refresh interval do
    assert data.snapshot() is first

    _write(filled, "INSERT INTO region (id, code, name) VALUES (99, 'ZZ', 'Elsewhere')")
    data.refresh()
    second = data.snapshot()
    assert second is not first and 99 in second.region["id"].to_list()

    data.refresh(from_database=True)
    third = data.snapshot()
    assert third is not second and third.stamp == second.stamp
    data.refresh()


def test_folders_nobody_used_for_a_week_are_removed_when_another_is_written(filled, tmp_path):
    import os
    import time

    store = SnapshotStore(tmp_path)
    stale, recent = tmp_path / "0123456789abcdef-old", tmp_path / "fedcba9876543210-recent"
    for folder, days in ((stale, store_module.UNUSED_DAYS + 1), (recent, store_module.UNUSED_DAYS - 1)):
        folder.mkdir()
        then = time.time() - days * 86400
        os.utime(folder, (then, then))
    snapshot = load_snapshot(filled, store=store)
    assert not stale.exists() and recent.exists() and snapshot.stored.folder.exists()


def test_opening_a_stored_snapshot_counts_as_using_it(filled, tmp_path):
    import os

    first = load_snapshot(filled, store=SnapshotStore(tmp_path))
    os.utime(first.stored.folder, (0, 0))
    load_snapshot(filled, store=SnapshotStore(tmp_path))
    assert first.stored.folder.stat().st_mtime > 0
