"""The snapshot on disk: Arrow files of its tables and of its costliest derived frames, keyed by the data stamp.

A snapshot read from the database at one data stamp (data/stamp.py) is written once as uncompressed Arrow
IPC files in a folder named after the database, the stamp and the code that shaped the frames. A process
that starts later and finds the stamp unchanged maps those files into memory instead of reading the
database: milliseconds instead of seconds at the large profile. Any write to a snapshot table changes the
stamp, and a change to the query code changes the folder name, so a folder is never served for other
data or other formulas.

Folders and files are written under a temporary name and renamed into place, and never changed after
that, so a process may keep a file mapped while another replaces the folder. Anything unreadable is a
miss, anything unwritable is skipped: the cache can make Ladder faster, never wrong or down.

The files hold people's data (gender and age band among them), so they are private to the server's user:
folders 0700, files 0600. A folder or file that another user owns, or that anyone else may read or write,
is not trusted: it is a miss, and the snapshot is written again in a fresh private folder. A store
directory that another user owns is not used at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import stat
import threading
import time
import uuid
from collections.abc import Hashable
from datetime import datetime
from pathlib import Path

import polars as pl

_LOG = logging.getLogger(__name__)
_ROOT = Path(__file__).resolve().parent.parent
_OFF = {"", "0", "off", "none", "false", "no"}
PRIVATE_FOLDER, PRIVATE_FILE = 0o700, 0o600
DERIVED_FILES = 64  # derived frames kept per folder; the least recently written go first
UNUSED_DAYS = 7  # folders of other databases that nobody opened for this long are removed


def _code_fingerprint() -> str:
    """A hash of the source that decides what the stored frames hold: the schema and every query module."""
    digest = hashlib.sha256()
    for path in sorted([_ROOT / "data" / "schema.py", *(_ROOT / "queries").glob("*.py")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE = _code_fingerprint()


def _hash(text: str, length: int = 16) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def default_directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ladder" / "snapshots"


def store_from(setting: str | None) -> SnapshotStore | None:
    """The store for a `cache_dir` setting: None for the default folder, 'off' for no store, else a path."""
    if setting is None:
        return SnapshotStore(default_directory())
    if setting.strip().lower() in _OFF:
        return None
    return SnapshotStore(Path(setting).expanduser())


def is_private(path: Path) -> bool:
    """Owned by the server's user, not a symbolic link, and no permission bit for group or others."""
    info = path.lstat()
    return not stat.S_ISLNK(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077


def _private_folder(path: Path) -> None:
    """Create a folder only the server's user may enter (the mode is set again: umask may have narrowed it)."""
    path.mkdir(mode=PRIVATE_FOLDER)
    os.chmod(path, PRIVATE_FOLDER)


def _read_arrow(path: Path) -> pl.DataFrame:
    """An Arrow IPC file as a Polars frame backed by a memory map of the file (no copy)."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    table = ipc.open_file(pa.memory_map(str(path))).read_all()
    return pl.from_arrow(table, rechunk=False)


def _write_arrow(frame: pl.DataFrame, path: Path) -> None:
    """Write a private Arrow file: created 0600, so its rows are never readable by anyone else, even briefly."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE), "wb") as handle:
        frame.write_ipc(handle, compression="uncompressed")


def _link_or_write(frame: pl.DataFrame, same: Path | None, path: Path) -> None:
    """A hard link to `same` (the private file this unchanged frame was mapped from), else a fresh file."""
    if same is not None:
        try:
            if is_private(same):
                os.link(same, path)
                return
        except OSError:
            pass
    _write_arrow(frame, path)


def _write_private_text(path: Path, text: str) -> None:
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE), "w") as handle:
        handle.write(text)


def _untrusted(paths: list[Path]) -> Path | None:
    """The first of these paths that is not private to the server's user, if any."""
    return next((path for path in paths if not is_private(path)), None)


class StoredSnapshot:
    """One folder: the tables of one snapshot and the derived frames computed from it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()

    def tables(self, names: tuple[str, ...]) -> tuple[dict[str, pl.DataFrame], datetime] | None:
        """Every table and the time it was read from the database, or None if anything is missing or broken."""
        try:
            files = [self.folder / "meta.json", *(self.folder / f"{name}.arrow" for name in names)]
            exposed = _untrusted([self.folder, *files])
            if exposed is not None:
                raise PermissionError(f"{exposed} is not private to this server's user; it is not trusted")
            meta = json.loads((self.folder / "meta.json").read_text())
            frames = {name: _read_arrow(self.folder / f"{name}.arrow") for name in names}
            os.utime(self.folder)  # last used: see SnapshotStore.write
            return frames, datetime.fromisoformat(meta["loaded_at"])
        except Exception as exc:  # noqa: BLE001 - a miss: the snapshot is read from the database
            if self.folder.exists():
                _LOG.warning("Ignoring the stored snapshot in %s: %s", self.folder, exc)
            return None

    def meta(self) -> dict:
        """What was written beside the tables: loaded_at, stamp, demo, versions, marks ({} when unreadable)."""
        try:
            meta = json.loads((self.folder / "meta.json").read_text())
        except (OSError, ValueError):
            return {}
        return meta if isinstance(meta, dict) else {}

    def demo(self) -> bool:
        """Whether the database carried the demo marker when these tables were read (no: when unknown)."""
        return self.meta().get("demo") is True

    def table_path(self, name: str) -> Path:
        return self.folder / f"{name}.arrow"

    def _derived_path(self, key: Hashable) -> Path:
        return self.folder / "derived" / f"{_hash(repr(key), 32)}.arrow"

    def derived(self, key: Hashable) -> pl.DataFrame | None:
        path = self._derived_path(key)
        try:
            if not path.exists():
                return None
            exposed = _untrusted([self.folder, path.parent, path])
            if exposed is not None:
                raise PermissionError(f"{exposed} is not private to this server's user; it is not trusted")
            return _read_arrow(path)
        except Exception as exc:  # noqa: BLE001
            _LOG.warning("Ignoring the stored frame %s: %s", path, exc)
            return None

    def keep_derived(self, key: Hashable, frame: pl.DataFrame) -> pl.DataFrame:
        """Write a derived frame beside the tables (atomically); keep at most DERIVED_FILES of them. Returns the
        written file mapped into memory, or `frame` itself when it could not be written or read back."""
        path = self._derived_path(key)
        try:
            if not path.parent.exists():
                with contextlib.suppress(FileExistsError):  # another thread made it first
                    _private_folder(path.parent)
            if _untrusted([self.folder, path.parent]) is not None:
                return frame  # never add people's data to a folder others may read
            temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.tmp")
            _write_arrow(frame, temporary)
            mapped = _read_arrow(temporary)  # mapped before the rename: a pruning thread may remove `path` at once
            os.replace(temporary, path)
            with self._lock:
                files = sorted(path.parent.glob("*.arrow"), key=lambda p: p.stat().st_mtime)
                for old in files[:-DERIVED_FILES]:
                    old.unlink(missing_ok=True)
            return mapped
        except Exception as exc:  # noqa: BLE001 - a cache that cannot be written is only slower
            _LOG.warning("Could not keep a derived frame in %s: %s", path.parent, exc)
            return frame


class SnapshotStore:
    """A directory of StoredSnapshot folders, one per database and stamp (older stamps are removed)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _private_directory(self) -> bool:
        """Make the store directory private to the server's user; False (with a warning) when another user owns it."""
        self.directory.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        info = self.directory.lstat()
        if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
            _LOG.warning(
                "Not keeping snapshots in %s: it belongs to user %s, not to this server's user %s",
                self.directory,
                info.st_uid,
                os.getuid(),
            )
            return False
        if info.st_mode & 0o077:
            os.chmod(self.directory, PRIVATE_FOLDER)
        return True

    def _prefix(self, url: str) -> str:
        return _hash(url)

    def _folder(self, url: str, stamp: str) -> Path:
        return self.directory / f"{self._prefix(url)}-{_hash(f'{stamp}|{CODE}')}"

    def open(self, url: str, stamp: str) -> StoredSnapshot:
        """The folder for this database at this stamp (which may not exist yet)."""
        return StoredSnapshot(self._folder(url, stamp))

    def latest(self, url: str) -> tuple[StoredSnapshot, str] | None:
        """The folder this database was last stored in by this code, and its stamp (None if there is none)."""
        candidates = []
        for folder in self.directory.glob(f"{self._prefix(url)}-*"):
            try:
                meta = json.loads((folder / "meta.json").read_text())
                if folder.is_dir() and folder == self._folder(url, meta["stamp"]):  # this code's folder
                    candidates.append((folder.stat().st_mtime, folder, meta["stamp"]))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        if not candidates:
            return None
        _, folder, stamp = max(candidates)
        return StoredSnapshot(folder), stamp

    def write(
        self,
        url: str,
        stamp: str,
        tables: dict[str, pl.DataFrame],
        loaded_at: datetime,
        *,
        demo: bool = False,
        extra: dict | None = None,
        unchanged: dict[str, Path] | None = None,
    ) -> StoredSnapshot | None:
        """Write the tables under a temporary name, rename the folder into place, drop older stamps' folders.

        A table in `unchanged` is the file named there, linked rather than written again; `extra` goes into
        meta.json."""
        folder = self._folder(url, stamp)
        temporary = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}.tmp")
        try:
            if not self._private_directory():
                return None
            _private_folder(temporary)
            for name, frame in tables.items():
                _link_or_write(frame, (unchanged or {}).get(name), temporary / f"{name}.arrow")
            meta = {"loaded_at": loaded_at.isoformat(), "stamp": stamp, "demo": demo, **(extra or {})}
            _write_private_text(temporary / "meta.json", json.dumps(meta))
            # A fresh read of the same stamp replaces the folder; mapped files live on.
            if folder.exists() or folder.is_symlink():
                retired = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}.old")
                folder.rename(retired)
                shutil.rmtree(retired, ignore_errors=True)
            try:
                temporary.rename(folder)
            except OSError:  # another process wrote the same stamp at the same moment: theirs is as good
                shutil.rmtree(temporary, ignore_errors=True)
        except Exception as exc:  # noqa: BLE001
            _LOG.warning("Could not keep the snapshot in %s: %s", self.directory, exc)
            shutil.rmtree(temporary, ignore_errors=True)
            return None
        for other in self.directory.glob(f"{self._prefix(url)}-*"):
            if other != folder:
                shutil.rmtree(other, ignore_errors=True)
        self._forget_unused(time.time() - UNUSED_DAYS * 86400)
        return StoredSnapshot(folder)

    def _forget_unused(self, before: float) -> None:
        """Remove the folders (of any database) last written or opened before `before` (seconds since epoch)."""
        for other in self.directory.iterdir():
            try:
                if other.is_dir() and other.stat().st_mtime < before:
                    shutil.rmtree(other, ignore_errors=True)
            except OSError:
                continue
