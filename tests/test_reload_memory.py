"""Timer-driven reloads never leak: after ten of them the process holds one snapshot, not eleven.

Each round writes one row (so the data stamp changes), lets a page view find the refresh interval passed,
waits for the background reload to swap the new snapshot in, and asks a query through the seam so that
scoped snapshots, derived frames and results exist for every generation. Old snapshots must then be gone:
the resident memory after the tenth reload is within 15% of that after the first, and no stored Arrow file
that was deleted (the store removes an older stamp's folder when it writes a new one) is still mapped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import GENERATOR_TIMEOUT, ROOT

ROUNDS = 10


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _deleted_mappings(folder: str) -> list[str]:
    with open("/proc/self/maps") as maps:
        return [line.strip() for line in maps if folder in line and line.rstrip().endswith("(deleted)")]


@pytest.fixture
def small_database(tmp_path: Path) -> str:
    """The small demo organisation (2,000 people), large enough for a leaked snapshot to show in RSS."""
    url = f"sqlite:///{tmp_path}/small.db"
    command = [sys.executable, "-m", "data.generate", "--profile", "small", "--seed", "7",
               "--today", "2026-11-25", "--quiet", "--url", url]  # fmt: skip
    subprocess.run(command, cwd=ROOT, check=True, timeout=GENERATOR_TIMEOUT, capture_output=True)
    return url


def test_ten_timer_driven_reloads_keep_one_snapshot_alive(small_database, monkeypatch):
    import components.data as data
    from data.db import make_engine
    from queries.model import Filters, Viewer
    from queries.overview import objective_progress

    monkeypatch.setenv("LADDER_DATABASE_URL", small_database)
    monkeypatch.setattr(data, "SETTINGS", replace(data.SETTINGS, refresh_seconds=0))  # every view finds it due
    data.restart()
    writer = make_engine(small_database)
    hr = Viewer("hr@example.com", "hr")
    first = data.snapshot()
    filters = Filters(period_id=int(first.period["id"][0]), as_of=date(2026, 11, 25))
    del first
    resident = []
    try:
        for round_ in range(ROUNDS + 1):
            before = data.health().version
            with writer.begin() as conn:
                conn.execute(text("UPDATE goal SET title = title || '.' WHERE id = (SELECT MIN(id) FROM goal)"))
            data.snapshot()  # a page view: the interval has passed, so a check starts in the background
            deadline = time.monotonic() + 120
            while data.health().version == before:
                assert time.monotonic() < deadline, f"reload {round_} did not swap within 120 s"
                data.snapshot()
                time.sleep(0.05)
            data.ask(objective_progress, filters, hr)
            resident.append(_resident_bytes())
    finally:
        writer.dispose()
    folder = str(data.STORE.directory) if data.STORE is not None else "ladder"
    leftovers = _deleted_mappings(folder)
    data.restart()
    assert resident[-1] <= 1.15 * resident[0], [f"{r / 2**20:.0f} MiB" for r in resident]
    assert not leftovers, (len(leftovers), leftovers[:3])
