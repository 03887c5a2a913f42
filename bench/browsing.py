"""Page views while the snapshot reloads: 5 Chromium sessions browse while 1,000 progress updates are written.

    python app.py --server.port 8651   # with LADDER_DATABASE_URL=sqlite:////path/to/copy.db, LADDER_REFRESH_SECONDS=5
    python -m bench.browsing http://127.0.0.1:8651 /path/to/copy.db

Each session opens Overview, Progress, Check-ins, Alignment and Ratings in turn (a new page load each time) and
times every view until the app is idle. After 40 s the updates are written to the SQLite file; the readiness
check tells when the new snapshot is served; browsing goes on for 40 s more. Prints the longest view before the
write and among the views overlapping the reload (from the write to 5 s after the swap).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import time
import urllib.request

from tests.browser.helpers import APP_CONNECTED, APP_IDLE, CHROMIUM, CHROMIUM_ARGS, VIEWPORT

SCREENS = ["", "progress", "checkins", "alignment", "ratings"]
SESSIONS = 5
ROWS = 1_000
WAIT_MS = 300_000


def _data_as_of(base: str) -> str:
    with urllib.request.urlopen(f"{base}/_ladder/ready", timeout=10) as response:
        return json.loads(response.read())["data_as_of"]


def _write_updates(path: str) -> None:
    with sqlite3.connect(path) as con:
        top = con.execute("SELECT MAX(id) FROM progress_update").fetchone()[0]
        krs = [row[0] for row in con.execute(f"SELECT id FROM key_result ORDER BY id LIMIT {ROWS}")]
        con.executemany(
            "INSERT INTO progress_update (id, key_result_id, at, value, confidence) VALUES (?, ?, ?, 1, 0.5)",
            [(top + 1 + i, krs[i % len(krs)], "2026-11-20") for i in range(ROWS)],
        )


async def _session(browser, base: str, first: int, stop: asyncio.Event, views: list) -> None:
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    turn = first
    while not stop.is_set():
        screen = SCREENS[turn % len(SCREENS)]
        started = time.monotonic()
        await page.goto(f"{base}/{screen}")
        await page.wait_for_selector(APP_CONNECTED, timeout=WAIT_MS)
        await page.wait_for_selector(APP_IDLE, timeout=WAIT_MS)
        await page.wait_for_timeout(300)
        await page.wait_for_selector(APP_IDLE, timeout=WAIT_MS)
        views.append((started, time.monotonic() - started, screen or "overview"))
        turn += 1


async def main(base: str, path: str) -> None:
    from playwright.async_api import async_playwright

    views: list[tuple[float, float, str]] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        stop = asyncio.Event()
        tasks = [asyncio.create_task(_session(browser, base, i, stop, views)) for i in range(SESSIONS)]
        await asyncio.sleep(40)
        before = _data_as_of(base)
        written = time.monotonic()
        _write_updates(path)
        while _data_as_of(base) == before:
            await asyncio.sleep(0.2)
        swapped = time.monotonic()
        await asyncio.sleep(40)
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await browser.close()
    quiet = [v for v in views if v[0] + v[1] < written]
    during = [v for v in views if v[0] + v[1] >= written and v[0] <= swapped + 5]
    print(f"new snapshot served {swapped - written:.1f} s after the write; {len(views)} views")
    print(f"before the write: {len(quiet)} views, longest {max(v[1] for v in quiet):.1f} s")
    longest = max(during, key=lambda v: v[1])
    print(f"overlapping the reload: {len(during)} views, longest {longest[1]:.1f} s ({longest[2]})")
    print(f"median view {sorted(v[1] for v in views)[len(views) // 2]:.1f} s")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
