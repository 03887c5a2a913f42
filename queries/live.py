"""The live snapshot of one database: served to everyone, reloaded off the page's path, kept through outages.

- Exactly one snapshot is served at a time. A reload builds the next one in a background thread while the
  current one keeps serving, then swaps it in under a lock; the old one is dropped at once, so at most two
  are ever alive (components/data.py forgets everything it derived from the old one on the swap).
- The data stamp is checked when a page view finds the refresh interval passed; the check itself runs in
  the background too, so a slow or hung database never holds a page view.
- When the database cannot be reached, the last good snapshot keeps serving (or, at start-up, the stored
  one from disk), the outage's start is remembered for the banner, and the reload is retried with backoff
  for as long as somebody is looking, so the process recovers by itself once the database is back.
- `reload(wait=True)` is for the one person who changed the data through Ladder: they wait for their own
  data, everyone else keeps being served meanwhile.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from data.db import DatabaseError
from queries.model import Snapshot

_LOG = logging.getLogger(__name__)
RETRY_SECONDS = (0.5, 1.0, 2.0)  # backoff while the database is unreachable; the last repeats
IDLE_SECONDS = 120.0  # retrying stops when nobody has looked for this long, and resumes with the next view

Load = Callable[[Snapshot | None, bool], Snapshot]  # (previous, fresh) -> the snapshot at the current stamp


@dataclass(frozen=True)
class Health:
    """What a screen or a load balancer needs to know: what is served, and whether the database answers."""

    data_as_of: datetime | None  # when the served snapshot was read from the database (None: nothing to serve)
    unreachable_since: datetime | None  # the first failed attempt of the current outage
    problem: str | None  # the last failure, in words for people
    version: int  # counts the swaps: a session that rendered an older number has news to show

    @property
    def servable(self) -> bool:
        return self.data_as_of is not None

    @property
    def stale(self) -> bool:
        return self.unreachable_since is not None


class LiveSnapshot:
    """The snapshot a process serves for one database (see the module docstring)."""

    def __init__(
        self,
        load: Load,
        *,
        refresh_seconds: float,
        fallback: Callable[[], Snapshot | None] = lambda: None,
        retry_seconds: tuple[float, ...] = RETRY_SECONDS,
        attempt_seconds: float = 600.0,
        idle_seconds: float = IDLE_SECONDS,
        on_swap: Callable[[], None] = lambda: None,
    ) -> None:
        self._load, self._fallback, self._on_swap = load, fallback, on_swap
        self._refresh_seconds, self._retry_seconds, self._idle_seconds = refresh_seconds, retry_seconds, idle_seconds
        self._attempt_seconds = attempt_seconds
        self._condition = threading.Condition()
        self._snapshot: Snapshot | None = None
        self._version = 0
        self._checked = 0.0  # monotonic time of the last successful stamp check
        self._looked = time.monotonic()  # the last time anybody asked for the snapshot
        self._unreachable_since: datetime | None = None
        self._problem: str | None = None
        self._worker: threading.Thread | None = None
        self._requested = 0  # reload requests so far; an attempt serves every request made before it started
        self._attempted = 0  # requests covered by the last finished attempt, successful or not
        self._fresh = False
        self._closed = False

    # --- what pages ask -----------------------------------------------------------------------------

    def current(self, *, wait_seconds: float | None = None) -> Snapshot:
        """The served snapshot; starts a background check when the interval has passed.

        Only when nothing is served yet (the first view after start-up) does the caller wait, at most
        `wait_seconds`, for the first load; a DatabaseError says why there is nothing to show."""
        with self._condition:
            self._looked = time.monotonic()
            if self._snapshot is not None:
                if self._looked - self._checked >= self._refresh_seconds or self._unreachable_since is not None:
                    self._start_locked()
                return self._snapshot
        self.reload(wait=True, wait_seconds=wait_seconds)
        with self._condition:
            if self._snapshot is None:
                raise DatabaseError(self._problem or "The goals database is still being read; try again shortly.")
            return self._snapshot

    def health(self) -> Health:
        with self._condition:
            self._looked = time.monotonic()
            due = self._looked - self._checked >= self._refresh_seconds
            if due or self._unreachable_since is not None or self._snapshot is None:
                self._start_locked()  # open screens and the load balancer keep checks (and retries) going
            return Health(
                data_as_of=None if self._snapshot is None else self._snapshot.loaded_at,
                unreachable_since=self._unreachable_since,
                problem=self._problem,
                version=self._version,
            )

    def reload(self, *, fresh: bool = False, wait: bool = True, wait_seconds: float | None = None) -> bool:
        """Check the stamp now (`fresh`: read the database whatever it says); with `wait`, block the caller
        alone until that check has finished. True when it succeeded."""
        with self._condition:
            self._looked = time.monotonic()
            self._requested += 1
            ticket = self._requested
            self._fresh = self._fresh or fresh
            self._start_locked()
            if not wait:
                return True
            deadline = None if wait_seconds is None else time.monotonic() + wait_seconds
            while self._attempted < ticket:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._condition.wait(remaining)
            return self._unreachable_since is None

    def close(self) -> None:
        """Stop retrying and let go of the snapshot (a worker that is busy finishes its attempt and quits)."""
        with self._condition:
            self._closed = True
            self._snapshot = None
            self._condition.notify_all()

    # --- the background worker ------------------------------------------------------------------------

    def _start_locked(self) -> None:
        """Make sure an attempt starts now or is under way; the caller holds the lock."""
        if self._closed or self._worker is not None:
            return  # the running worker picks up every request made before it quits
        self._requested = max(self._requested, self._attempted + 1)
        self._worker = threading.Thread(target=self._work, name="ladder-snapshot-reload", daemon=True)
        self._worker.start()

    def _work(self) -> None:
        failures = 0
        while True:
            with self._condition:
                ticket, fresh = self._requested, self._fresh
                self._fresh = False
            succeeded = self._attempt(fresh)
            with self._condition:
                self._attempted = max(self._attempted, ticket)
                self._condition.notify_all()
                idle = time.monotonic() - self._looked > self._idle_seconds
                done = self._requested <= self._attempted and (succeeded or idle)
                if self._closed or done:
                    self._worker = None
                    return
            if succeeded:
                failures = 0
            else:
                time.sleep(self._retry_seconds[min(failures, len(self._retry_seconds) - 1)])
                failures += 1
                with self._condition:
                    self._requested = max(self._requested, self._attempted + 1)

    def _attempt(self, fresh: bool) -> bool:
        outcome: dict[str, object] = {}
        previous = [self._snapshot]  # let go as soon as the read is done: no old snapshot outlives its swap

        def run() -> None:
            try:
                outcome["snapshot"] = self._load(previous[0], fresh)
            except Exception as error:  # noqa: BLE001 - every failure keeps the last good snapshot
                outcome["error"] = error
            finally:
                previous.clear()

        # The database calls inside have time limits of their own; this one also covers a read that hangs
        # between them, so that the worker always comes back to retry.
        reader = threading.Thread(target=run, name="ladder-snapshot-read", daemon=True)
        reader.start()
        reader.join(self._attempt_seconds)
        if reader.is_alive() or "snapshot" not in outcome:
            error = outcome.get("error") or DatabaseError(
                f"The goals database did not answer within {self._attempt_seconds:.0f} s."
            )
            self._failed(error)
            return False
        loaded = outcome.pop("snapshot")
        with self._condition:
            if self._closed:
                return True
            swapped = loaded is not self._snapshot
            self._snapshot = loaded
            self._checked = time.monotonic()
            self._unreachable_since, self._problem = None, None
        del loaded
        if swapped:
            # Forget what was derived from the old snapshot and free it before anyone is told of the new one.
            self._on_swap()
            gc.collect()
            with self._condition:
                self._version += 1
        return True

    def _failed(self, error: Exception) -> None:
        problem = str(error) if isinstance(error, DatabaseError) else f"Reading it failed: {error}"
        _LOG.warning("The goals database could not be read: %s", problem)
        with self._condition:
            if self._unreachable_since is None:
                self._unreachable_since = datetime.now().replace(microsecond=0)
            self._problem = problem
            if self._snapshot is None:
                stored = self._fallback()
                if stored is not None:
                    self._snapshot = stored
                    self._version += 1
