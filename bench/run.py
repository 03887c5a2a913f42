"""`python -m bench.run --profile large`: Ladder's benchmark, every figure measured in one run.

1. generate + load the demo organisation at the profile (a fresh SQLite file);
2. snapshot load time (median of several loads);
3. for every screen, server time through Streamlit's AppTest:
   - cold: first render of the screen with every cache empty (includes the snapshot load);
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


def snapshot_loads(url: str, runs: int) -> list[float]:
    from data.db import make_engine
    from queries.snapshot import load_snapshot

    times = []
    for _ in range(runs):
        engine = make_engine(url)
        started = time.perf_counter()
        load_snapshot(engine)
        times.append(time.perf_counter() - started)
        engine.dispose()
    return times


def _filter_changes(snapshot) -> list[dict]:
    """Session-state changes a person makes in the sidebar: regions one by one, then divisions."""
    import polars as pl

    regions = snapshot.region["id"].to_list()
    divisions = snapshot.org_unit.filter(pl.col("kind") == "division")["id"].to_list()
    changes = [{"f_regions": [r]} for r in regions]
    changes += [{"f_regions": [], "f_division": d, "f_department": None, "f_team": None} for d in divisions]
    return changes


def time_screen(screen: str, cold_runs: int, warm_runs: int) -> tuple[list[float], list[float], str | None]:
    from streamlit.testing.v1 import AppTest

    from components import data

    cold, warm = [], []
    problem = None
    for _ in range(cold_runs):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        if screen.endswith("overview.py"):
            data.refresh()
            started = time.perf_counter()
            at.run()
        else:
            at.run()  # registers the pages; then forget everything and render the screen cold
            data.refresh()
            at.switch_page(screen)
            started = time.perf_counter()
            at.run()
        cold.append(time.perf_counter() - started)
        if at.exception:
            problem = str(at.exception[0].value)[:200]
    shared = data.snapshot()
    changes = _filter_changes(shared)
    for change in changes[:warm_runs]:
        for key, value in change.items():
            at.session_state[key] = value
        started = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - started)
        if at.exception:
            problem = str(at.exception[0].value)[:200]
    return cold, warm, problem


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return own / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="large", choices=["tiny", "small", "medium", "large"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--today", default="2026-11-25")
    parser.add_argument("--db", default=None, help="SQLite file to use (default: bench-results/<profile>.db)")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing database instead of generating")
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--warm-runs", type=int, default=5)
    parser.add_argument("--screens", nargs="*", help="only these screen files")
    args = parser.parse_args(argv)

    db = Path(args.db or ROOT / "bench-results" / f"{args.profile}.db").resolve()
    db.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{db}"
    os.environ["LADDER_DATABASE_URL"] = url
    os.environ["LADDER_TODAY"] = args.today

    rows: list[tuple[str, str]] = [("profile", args.profile)]
    if args.reuse and db.exists():
        rows.append(("generate + load", "reused existing database"))
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        rows.append(("generate + load", f"{generate(url, args.profile, args.seed, args.today):.1f} s"))
    print(rows[-1][0], rows[-1][1], flush=True)

    loads = snapshot_loads(url, 3)
    rows.append(("snapshot load (median of 3)", _ms(_median(loads))))
    print(rows[-1][0], rows[-1][1], flush=True)

    table = []
    for screen in args.screens or screens():
        cold, warm, problem = time_screen(screen, args.cold_runs, args.warm_runs)
        cold_m, warm_m = _median(cold), _median(warm)
        table.append(
            (screen, cold_m, warm_m, warm_m / cold_m if cold_m else float("nan"), len(cold), len(warm), problem)
        )
        print(f"{screen}: cold {_ms(cold_m)}, warm {_ms(warm_m)}", flush=True)

    print()
    print(f"Ladder benchmark — {args.profile} profile, seed {args.seed}, today {args.today}")
    for name, value in rows:
        print(f"  {name:<32} {value}")
    print(f"  {'peak RSS':<32} {peak_rss_mb():,.0f} MB")
    print()
    print(f"  {'screen':<34} {'cold (median)':>14} {'warm filter change':>20} {'warm/cold':>10}  runs")
    for screen, cold_m, warm_m, ratio, n_cold, n_warm, problem in table:
        print(f"  {screen:<34} {_ms(cold_m):>14} {_ms(warm_m):>20} {ratio:>10.2f}  {n_cold}/{n_warm}")
        if problem:
            print(f"    ! the screen raised: {problem}")
    return 1 if any(row[-1] for row in table) else 0


if __name__ == "__main__":
    raise SystemExit(main())
