"""The small immutable values every query takes: the snapshot, the filters, the viewer and the settings."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from typing import Any

import numpy as np
import polars as pl

# The thresholds are read and checked with the rest of the configuration; queries take them from here.
from data.config import Settings as Settings
from queries.derived import BUDGET, CAPACITY, frame_of

ROLES = ("executive", "hr", "manager", "none")


@dataclass(frozen=True)
class Filters:
    """What the viewer narrowed the screen to: one period, some regions, one org subtree, an as-of date."""

    period_id: int
    as_of: date
    region_ids: tuple[int, ...] = ()
    org_unit_id: int | None = None


@dataclass(frozen=True)
class Viewer:
    """Who is looking. `employee_id` anchors a manager's scope; `demo` marks the demo-mode picker."""

    email: str
    role: str
    employee_id: int | None = None
    demo: bool = False

    @property
    def sees_sensitive(self) -> bool:
        return self.role == "hr"


def footprint(value: Any) -> int:
    """Bytes a memoised value holds in frames and arrays (Polars' estimated sizes, NumPy's nbytes), through tuples,
    lists, dicts and the attributes of plain objects; a snapshot it refers to belongs to the memo's owner and is
    not counted. Frames that share buffers are each counted whole, so the figure errs on the high side."""
    seen: set[int] = set()

    def size(item: Any) -> int:
        if item is None or isinstance(item, (int, float, str, bytes, date)) or id(item) in seen:
            return 0  # scalars (the keys and values of an index) are not counted
        if isinstance(item, Snapshot):
            return 0
        seen.add(id(item))
        if isinstance(item, (pl.DataFrame, pl.Series)):
            return item.estimated_size()
        if isinstance(item, np.ndarray):
            return item.nbytes
        if isinstance(item, (tuple, list, set, frozenset)):
            return sum(size(element) for element in item)
        if isinstance(item, dict):
            return sum(size(element) for element in item.values())
        attributes = getattr(item, "__dict__", None)
        return sum(size(element) for element in attributes.values()) if attributes is not None else 0

    return size(value)


class _Flight:
    """A computation under way: other callers asking for the same key wait for its value."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.failed = False


class BoundedMemo:
    """A small thread-safe memo that forgets the least recently used entries beyond `capacity` entries or, when
    given, beyond `budget` bytes (each entry's `footprint`, taken when it is stored; the newest entry stays even if
    it alone is larger).

    A key is computed by one caller at a time: others asking for it meanwhile wait for that value rather than
    computing it again, so many sessions opening the same screen cost one computation's time and memory. If that
    computation raises, each waiting caller tries again itself.

    On a snapshot it holds frames derived from that snapshot (roll-ups, subtree indexes) and dies with it,
    so it can never serve figures from older data; the caching seam uses one for query results.
    """

    def __init__(self, capacity: int = 32, budget: int | None = None) -> None:
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._capacity = capacity
        self._budget = budget
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key][0]
                flight = self._flights.get(key)
                if flight is None:
                    flight = self._flights[key] = _Flight()
                    break
            flight.done.wait()
            if not flight.failed:
                return flight.value
        value, size, failed = None, 0, True
        try:
            value = compute()
            size = 0 if self._budget is None else footprint(value)
            failed = False
        finally:
            with self._lock:
                del self._flights[key]
                if not failed:
                    self._keep(key, value, size)
            flight.value, flight.failed = value, failed
            flight.done.set()
        return value

    def _keep(self, key: Hashable, value: Any, size: int) -> None:
        """Store an entry and forget the least recently used beyond the bounds (the caller holds the lock)."""
        self._items[key] = (value, size)
        self._bytes += size
        while len(self._items) > 1 and (
            len(self._items) > self._capacity or (self._budget is not None and self._bytes > self._budget)
        ):
            self._bytes -= self._items.popitem(last=False)[1][1]

    @property
    def bytes(self) -> int:
        """The footprints of the entries held (0 without a budget: nothing is measured)."""
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


def _empty_table(name: str) -> pl.DataFrame:
    from data.schema import table_schema

    return pl.DataFrame(schema=table_schema(name))


HISTORY_ORDER = ("key_result_id", "at")


def in_history_order(updates: pl.DataFrame) -> pl.DataFrame:
    """The progress updates sorted by (key_result_id, at), the updates of one day in the order given; the frame
    itself when it already is, as the snapshot loader stores it, so the sorted history costs no copy."""
    step = pl.col("key_result_id").diff()
    ordered = ((step > 0) | ((step == 0) & (pl.col("at").diff() >= 0))).slice(1).fill_null(False).all()
    if updates.height < 2 or updates.lazy().select(ordered).collect().item():
        return updates
    return updates.sort(HISTORY_ORDER, maintain_order=True)


def _memos() -> dict[str, BoundedMemo]:
    return {memo: BoundedMemo(CAPACITY[memo], BUDGET[memo]) for memo in CAPACITY}


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Every table of the goals database as immutable Polars frames, read at `loaded_at`."""

    region: pl.DataFrame
    org_unit: pl.DataFrame
    employee: pl.DataFrame
    employee_sensitive: pl.DataFrame
    period: pl.DataFrame
    goal: pl.DataFrame
    goal_link: pl.DataFrame
    key_result: pl.DataFrame
    progress_update: pl.DataFrame
    checkin: pl.DataFrame
    review_cycle: pl.DataFrame
    rating: pl.DataFrame
    rating_guideline: pl.DataFrame
    viewer: pl.DataFrame
    loaded_at: datetime
    # Phased targets; a default keeps snapshots built from older table sets valid (no milestones: linear pace).
    key_result_milestone: pl.DataFrame = field(default_factory=lambda: _empty_table("key_result_milestone"))
    scope_label: str = "everyone"
    stamp: str | None = None  # the database's data stamp when it was read (data/stamp.py)
    demo: bool = False  # the database carried the demo marker when it was read (data/demo.py)
    # What a reload needs to read only what changed: {table: (inserts, changes)} at the read, and for the
    # append-only tables {table: (largest id, rows)} (queries/snapshot.py); None: read everything next time.
    versions: Any = field(default=None, repr=False, compare=False)
    marks: Any = field(default=None, repr=False, compare=False)
    stored: Any = field(default=None, repr=False, compare=False)  # its StoredSnapshot on disk, if any
    _memos: dict[str, BoundedMemo] = field(default_factory=_memos, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Every replay reads the update history in this order; held so, the table is the sorted history itself.
        object.__setattr__(self, "progress_update", in_history_order(self.progress_update))

    def derived(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """Memoise a frame computed from this snapshot alone (for example the roll-up of one period).

        `key` is the frame's name, or a tuple starting with it; queries/derived.py declares every name and
        decides there which memo keeps it and whether it is also stored on disk beside the stored snapshot."""
        frame = frame_of(key)
        memo = self._memos[frame.memo]
        if not frame.persist or self.stored is None:
            return memo.get(key, compute)

        def from_disk() -> Any:
            frame = self.stored.derived(key)
            return compute_and_keep() if frame is None else frame

        def compute_and_keep() -> Any:
            # The stored file's mapped copy is what stays in memory: its pages are shared with every process
            # mapping the same file and can be given back under pressure; the computed frame's memory goes now.
            return self.stored.keep_derived(key, compute())

        return memo.get(key, from_disk)

    def narrowed(self, scope_label: str, **tables: pl.DataFrame) -> Snapshot:
        """A copy with some tables replaced (a fresh memo and nothing on disk, since the data differ)."""
        return replace(
            self,
            scope_label=scope_label,
            stored=None,
            _memos=_memos(),
            **tables,
        )

    @classmethod
    def table_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls) if f.type == "pl.DataFrame")
