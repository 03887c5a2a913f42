"""The stored snapshot is private: folders 0700 and files 0600, and a folder or file that another user owns, or
that group or others may read or write, is a miss, rebuilt in a fresh private folder."""

import os
import stat

import polars as pl
import pytest

import queries.store as store_module
from queries.snapshot import load_snapshot
from queries.store import SnapshotStore
from tests.tiny_org import write_tiny


@pytest.fixture
def filled(engine):
    write_tiny(engine)
    return engine


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _everything_under(folder):
    return [folder, *folder.rglob("*")]


@pytest.fixture
def privacy_frame(monkeypatch):
    """A derived frame named "privacy", declared as stored on disk."""
    from queries.derived import FRAMES, Frame

    monkeypatch.setitem(FRAMES, "privacy", Frame(persist=True))


def test_every_folder_is_0700_and_every_file_0600(filled, tmp_path, privacy_frame):
    """With a permissive umask (000), a write still leaves nothing readable by group or others."""
    directory = tmp_path / "store"
    old_umask = os.umask(0)
    try:
        snapshot = load_snapshot(filled, store=SnapshotStore(directory))
        snapshot.derived(("privacy", 1), lambda: pl.DataFrame({"a": [1]}))
    finally:
        os.umask(old_umask)
    paths = _everything_under(directory)
    assert any(p.name == "employee_sensitive.arrow" for p in paths)
    assert any(p.parent.name == "derived" for p in paths if p.is_file())
    for path in paths:
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_a_store_directory_made_by_older_code_is_made_private(filled, tmp_path):
    directory = tmp_path / "store"
    directory.mkdir(mode=0o755)
    os.chmod(directory, 0o755)
    load_snapshot(filled, store=SnapshotStore(directory))
    assert _mode(directory) == 0o700


def _reads_database(monkeypatch) -> list[str]:
    """Record every table read from the database (a miss of the stored snapshot)."""
    import queries.snapshot as snapshot_module

    reads: list[str] = []
    original = snapshot_module._read_table

    def counting(*args, **kwargs):
        reads.append(args[1] if len(args) > 1 else "?")
        return original(*args, **kwargs)

    monkeypatch.setattr(snapshot_module, "_read_table", counting)
    return reads


@pytest.mark.parametrize(
    ("what", "mode"),
    [("folder", 0o770), ("folder", 0o757), ("folder", 0o755), ("file", 0o666), ("file", 0o644)],
    ids=["folder-group-writable", "folder-others-writable", "folder-0755", "file-0666", "file-0644"],
)
def test_a_folder_or_file_others_may_read_or_write_is_a_miss_and_is_rebuilt_private(
    filled, tmp_path, monkeypatch, what, mode
):
    store = SnapshotStore(tmp_path / "store")
    first = load_snapshot(filled, store=store)
    target = first.stored.folder if what == "folder" else first.stored.folder / "employee_sensitive.arrow"
    os.chmod(target, mode)

    reads = _reads_database(monkeypatch)
    again = load_snapshot(filled, store=SnapshotStore(tmp_path / "store"))
    assert reads, "an exposed stored snapshot was trusted instead of read again from the database"
    assert again.stored is not None
    for path in _everything_under(again.stored.folder):
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path

    reads.clear()
    load_snapshot(filled, store=SnapshotStore(tmp_path / "store"))
    assert reads == [], "the rebuilt private folder is trusted by the next process"


def test_a_folder_owned_by_another_user_is_a_miss(filled, tmp_path, monkeypatch):
    """Running as root, ownership is checked by pretending the server runs as another user id."""
    store = SnapshotStore(tmp_path / "store")
    first = load_snapshot(filled, store=store)
    owner = os.stat(first.stored.folder).st_uid
    assert store_module.is_private(first.stored.folder)

    monkeypatch.setattr(store_module.os, "getuid", lambda: owner + 1)
    assert not store_module.is_private(first.stored.folder)
    assert first.stored.tables(("goal",)) is None
    reads = _reads_database(monkeypatch)
    # The store directory itself belongs to "another user" too: it is not used at all, and the data still come.
    snapshot = load_snapshot(filled, store=SnapshotStore(tmp_path / "store"))
    assert reads and snapshot.stored is None
    assert snapshot.goal.height == first.goal.height


def test_a_derived_frame_others_may_write_is_computed_again(filled, tmp_path, privacy_frame):
    snapshot = load_snapshot(filled, store=SnapshotStore(tmp_path / "store"))
    snapshot.derived(("privacy", 2), lambda: pl.DataFrame({"a": [1]}))
    [stored] = (snapshot.stored.folder / "derived").glob("*.arrow")
    assert snapshot.stored.derived(("privacy", 2)) is not None
    os.chmod(stored, 0o666)
    assert snapshot.stored.derived(("privacy", 2)) is None


def test_a_symbolic_link_in_place_of_a_folder_is_not_trusted(filled, tmp_path):
    store = SnapshotStore(tmp_path / "store")
    first = load_snapshot(filled, store=store)
    elsewhere = tmp_path / "elsewhere"
    first.stored.folder.rename(elsewhere)
    first.stored.folder.symlink_to(elsewhere)
    assert first.stored.tables(("goal",)) is None
