"""Reloads at scale: memory over timer-driven reloads, and the first render after a change of 1,000 rows.

    python -m bench.reloads --url sqlite:////path/to/copy-of-large.db [--rounds 10]

Writes to the database it is given (1,000 progress updates per round), so point it at a copy. Prints the
resident memory after each timer-driven reload (each after a 1,000-row change, with a screen rendered on the
new snapshot), the mappings of deleted files left at the end, and the server time of the first Overview render
after a change: the reload (reading only what changed) plus the render, as one person waiting for their own
import would see it.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
ROWS = 1_000


def _resident_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _deleted_mappings() -> int:
    with open("/proc/self/maps") as maps:
        return sum(1 for line in maps if line.rstrip().endswith("(deleted)") and ".arrow" in line)


def add_updates(engine, rows: int = ROWS) -> None:
    """`rows` new progress updates (ids above the largest), spread over the first key results."""
    with engine.begin() as conn:
        top = conn.execute(text("SELECT MAX(id) FROM progress_update")).scalar_one()
        krs = conn.execute(text(f"SELECT id FROM key_result ORDER BY id LIMIT {rows}")).scalars().all()
        conn.execute(
            text("INSERT INTO progress_update (id, key_result_id, at, value, confidence) "
                 "VALUES (:id, :kr, :at, 1, 0.5)"),  # fmt: skip
            [{"id": top + 1 + i, "kr": krs[i % len(krs)], "at": "2026-11-20"} for i in range(rows)],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    os.environ["LADDER_DATABASE_URL"] = args.url
    os.environ["LADDER_REFRESH_SECONDS"] = "1"  # timer-driven reloads as often as the settings allow
    os.environ.setdefault("LADDER_CACHE_DIR", tempfile.mkdtemp(prefix="ladder-bench-reloads-"))

    from streamlit.testing.v1 import AppTest

    import components.data as data
    from data.db import make_engine, prepare

    writer = make_engine(args.url)
    prepare(writer)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    started = time.perf_counter()
    at.run()
    print(f"first render (snapshot from the database or the store): {time.perf_counter() - started:.1f} s")

    # The first render after a 1,000-row change, for the person who waits for their own data.
    add_updates(writer)
    started = time.perf_counter()
    data.refresh()
    at.run()
    print(f"first render after a {ROWS:,}-row change (reload + Overview): {time.perf_counter() - started:.2f} s")

    # Timer-driven reloads: a view after the interval starts the check; the reload runs in the background.
    resident = []
    for round_ in range(args.rounds + 1):
        before = data.health().version
        add_updates(writer)
        time.sleep(1.1)
        data.snapshot()
        while data.health().version == before:
            time.sleep(0.05)
            data.snapshot()
        at.run()
        resident.append(_resident_mib())
        print(f"reload {round_ + 1}: {resident[-1]:,.0f} MiB resident")
    growth = resident[-1] / resident[0] - 1
    print(f"after {args.rounds} more reloads: {growth:+.1%} against the first; deleted .arrow mappings: "
          f"{_deleted_mappings()}")  # fmt: skip
    writer.dispose()


if __name__ == "__main__":
    main()
