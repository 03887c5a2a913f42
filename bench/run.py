"""`python -m bench.run --profile large`: Ladder's benchmark, every figure measured in one run.

1. generate + load the demo organisation at the profile (a fresh SQLite file, or the PostgreSQL database
   `--db` names);
2. snapshot load: read from the database, and mapped from the stored snapshot (medians of several loads);
   the review pack (PowerPoint and PDF) built for an HR viewer on the whole organisation, on a freshly mapped
   snapshot and again on the same one;
3. for every screen, server time through Streamlit's AppTest:
   - after a data change: first render once the data stamp has changed, so the snapshot is read from the
     database and every derived frame is computed (and both are stored);
   - cold: first render with every in-memory cache empty, as after a server restart on unchanged data:
     the stored snapshot and stored frames are mapped from disk;
   - warm: a filter change (region, team or period) on the rendered screen, all caches warm;
   as medians over several runs, and warm as a ratio of cold;
4. peak resident memory of the benchmark process.

Times are wall-clock seconds on a shared machine: compare figures within one run, not across runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def screens() -> list[str]:
    """Every screen file, relative to app.py (pages/<group>/<screen>.py)."""
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*/*.py"))


def generate(url: str, profile: str, seed: int, today: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "data.generate", "--profile", profile, "--seed", str(seed), "--today", today,
         "--url", url, "--quiet"],
        cwd=ROOT, check=True,
    )  # fmt: skip
    return time.perf_counter() - started


def snapshot_loads(url: str, runs: int, store) -> tuple[list[float], list[float]]:
    """Times of reading the snapshot from the database (and storing it), then of mapping the stored one."""
    from data.db import make_engine
    from queries.snapshot import load_snapshot

    from_database, from_store = [], []
    for times, fresh in ((from_database, True), (from_store, False)):
        for _ in range(runs):
            engine = make_engine(url)
            started = time.perf_counter()
            load_snapshot(engine, store=store, fresh=fresh)
            times.append(time.perf_counter() - started)
            engine.dispose()
    return from_database, from_store


def change_data(url: str) -> None:
    """What any write to a snapshot table does to the data stamp (data/stamp.py)."""
    from sqlalchemy import text

    from data.db import make_engine
    from data.stamp import BUMP

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(BUMP))
    engine.dispose()


def _filter_changes(snapshot) -> list[dict]:
    """Session-state changes a person makes in the sidebar: regions one by one, then divisions."""
    import polars as pl

    regions = snapshot.region["id"].to_list()
    divisions = snapshot.org_unit.filter(pl.col("kind") == "division")["id"].to_list()
    changes = [{"f_regions": [r]} for r in regions]
    changes += [{"f_regions": [], "f_division": d, "f_department": None, "f_team": None} for d in divisions]
    return changes


def _first_render(at, screen: str, data, before=None) -> float:
    """Seconds of the screen's first render after `data.restart()` (and `before()`, if given)."""
    if screen.endswith("overview.py"):
        if before:
            before()
        data.restart()
        started = time.perf_counter()
        at.run()
    else:
        at.run()  # registers the pages; then forget everything and render the screen cold
        if before:
            before()
        data.restart()
        at.switch_page(screen)
        started = time.perf_counter()
        at.run()
    return time.perf_counter() - started


def time_screen(
    screen: str, url: str, changed_runs: int, cold_runs: int, warm_runs: int
) -> tuple[list[float], list[float], list[float], str | None]:
    from streamlit.testing.v1 import AppTest

    from components import data

    changed, cold, warm = [], [], []
    problem = None

    def new_app():
        return AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)

    def check(at) -> None:
        nonlocal problem
        if at.exception:
            problem = str(at.exception[0].value)[:200]

    for _ in range(changed_runs):
        at = new_app()
        changed.append(_first_render(at, screen, data, before=lambda: change_data(url)))
        check(at)
    for _ in range(cold_runs):
        at = new_app()
        cold.append(_first_render(at, screen, data))
        check(at)
    shared = data.snapshot()
    changes = _filter_changes(shared)
    for change in changes[:warm_runs]:
        for key, value in change.items():
            at.session_state[key] = value
        started = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - started)
        check(at)
    return changed, cold, warm, problem


def review_pack_builds(url: str, store) -> tuple[float, float]:
    """Seconds to build the review pack (PowerPoint and PDF) for an HR viewer, whole organisation, current period:
    on a snapshot just mapped from the store (as the command line does), then again on the same snapshot."""
    from datetime import date

    import polars as pl

    from components.pack_files import pdf_bytes, pptx_bytes
    from components.review_pack import PackHeader, review_sections, runner
    from data import config
    from data.db import make_engine
    from data.review_notes import read_notes
    from queries.access import scoped_snapshot, viewer_for_email
    from queries.model import Filters
    from queries.notes import scope_notes
    from queries.periods import clamp_as_of, current_period_id, period_row
    from queries.snapshot import load_snapshot

    settings = config.current()
    engine = make_engine(url)
    shared = load_snapshot(engine, store=store)
    engine.dispose()
    viewer = viewer_for_email(shared, shared.viewer.filter(pl.col("role") == "hr")["email"][0])
    snapshot = scoped_snapshot(shared, viewer)
    today = settings.today or date.today()
    period_id = current_period_id(snapshot, today)
    filters = Filters(period_id=period_id, as_of=clamp_as_of(snapshot, period_id, today))
    header = PackHeader("bench", period_row(snapshot, period_id)["name"], filters.as_of, shared.loaded_at, shared.stamp)
    times = []
    for _ in range(2):
        started = time.perf_counter()
        notes = scope_notes(snapshot, filters, read_notes(url))
        sections = review_sections(runner(snapshot, filters, viewer, settings.settings), viewer, header, notes)
        pptx_bytes(sections), pdf_bytes(sections)
        times.append(time.perf_counter() - started)
    return times[0], times[1]


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return own / 1024


def rss_mb() -> float:
    """Resident memory of the benchmark process now (Linux), else its peak."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    from data.generate.catalogue import PROFILES

    parser.add_argument("--profile", default="large", choices=list(PROFILES))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--today", default="2026-11-25")
    parser.add_argument(
        "--db", default=None,
        help="SQLite file or postgresql:// URL to use (default: bench-results/<profile>.db); "
        "a PostgreSQL database's rows are replaced unless --reuse",
    )  # fmt: skip
    parser.add_argument("--reuse", action="store_true", help="reuse an existing database instead of generating")
    parser.add_argument("--changed-runs", type=int, default=1)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--warm-runs", type=int, default=5)
    parser.add_argument("--loads", type=int, default=3, help="snapshot loads from the database and from the store")
    parser.add_argument("--no-pack", action="store_true", help="leave the review pack out")
    parser.add_argument("--screens", nargs="*", help="only these screen files")
    args = parser.parse_args(argv)

    postgresql = bool(args.db) and args.db.startswith("postgresql")
    if postgresql:
        url, store_dir = args.db, ROOT / "bench-results" / f"{args.profile}-postgresql-store"
    else:
        db = Path(args.db or ROOT / "bench-results" / f"{args.profile}.db").resolve()
        url, store_dir = f"sqlite:///{db}", db.parent / f"{db.stem}-store"
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    os.environ["LADDER_DATABASE_URL"] = url
    os.environ["LADDER_TODAY"] = args.today
    os.environ["LADDER_CACHE_DIR"] = str(store_dir)

    from queries.store import SnapshotStore

    rows: list[tuple[str, str]] = [("profile", args.profile)]
    if args.reuse and (postgresql or db.exists()):
        rows.append(("generate + load", "reused existing database"))
    else:
        if not postgresql:  # a fresh SQLite file; the generator replaces a PostgreSQL database's rows itself
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        rows.append(("generate + load", f"{generate(url, args.profile, args.seed, args.today):.1f} s"))
    print(rows[-1][0], rows[-1][1], flush=True)

    from_database, from_store = snapshot_loads(url, args.loads, SnapshotStore(store_dir))
    rows.append((f"snapshot read from database (median of {args.loads})", _ms(_median(from_database))))
    rows.append((f"snapshot mapped from store (median of {args.loads})", _ms(_median(from_store))))
    rows.append(("resident memory after the snapshot loads", f"{rss_mb():,.0f} MB"))
    for name, value in rows[-3:]:
        print(name, value, flush=True)
    if not args.no_pack:
        pack_first, pack_again = review_pack_builds(url, SnapshotStore(store_dir))
        rows.append(("review pack, HR, whole organisation", f"{pack_first:.1f} s (again: {pack_again:.1f} s)"))
        print(rows[-1][0], rows[-1][1], flush=True)

    table = []
    for screen in args.screens or screens():
        changed, cold, warm, problem = time_screen(screen, url, args.changed_runs, args.cold_runs, args.warm_runs)
        changed_m, cold_m, warm_m = _median(changed), _median(cold), _median(warm)
        ratio = warm_m / cold_m if cold_m else float("nan")
        table.append((screen, changed_m, cold_m, warm_m, ratio, len(changed), len(cold), len(warm), problem))
        print(
            f"{screen}: after change {_ms(changed_m)}, cold {_ms(cold_m)}, warm {_ms(warm_m)} "
            f"(resident memory {rss_mb():,.0f} MB)",
            flush=True,
        )

    print()
    print(f"Ladder benchmark — {args.profile} profile, seed {args.seed}, today {args.today}")
    for name, value in rows:
        print(f"  {name:<42} {value}")
    print(f"  {'peak RSS':<42} {peak_rss_mb():,.0f} MB")
    print()
    print(f"  {'screen':<30} {'after change':>13} {'cold':>10} {'warm filter change':>19} {'warm/cold':>10}  runs")
    for screen, changed_m, cold_m, warm_m, ratio, n_changed, n_cold, n_warm, problem in table:
        print(f"  {screen:<30} {_ms(changed_m):>13} {_ms(cold_m):>10} {_ms(warm_m):>19} {ratio:>10.2f}"
              f"  {n_changed}/{n_cold}/{n_warm}")  # fmt: skip
        if problem:
            print(f"    ! the screen raised: {problem}")
    return 1 if any(row[-1] for row in table) else 0


if __name__ == "__main__":
    raise SystemExit(main())
