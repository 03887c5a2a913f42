"""`python -m data.generate`: fill the goals database with a demo organisation."""

from __future__ import annotations

import argparse
import time
from datetime import date

from sqlalchemy import Engine, inspect, text

from data.db import DatabaseError, describe, make_engine
from data.generate.build import PROFILES
from data.generate.bulk_load import generate


def _has_employees(engine: Engine) -> int:
    if not inspect(engine).has_table("employee"):
        return 0
    with engine.connect() as connection:
        return connection.execute(text("SELECT COUNT(*) FROM employee")).scalar_one()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m data.generate", description="Fill the goals database with a demo organisation."
    )
    parser.add_argument(
        "--profile", choices=tuple(PROFILES), default="small", help="scale (default: small, 2,000 people)"
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    parser.add_argument("--url", help="database URL (default: LADDER_DATABASE_URL, secrets, or data/ladder.db)")
    parser.add_argument(
        "--today", type=date.fromisoformat, default=None, help="the as-of date, YYYY-MM-DD (default: today)"
    )
    parser.add_argument("--if-missing", action="store_true", help="do nothing when the database already has employees")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or per-table report")
    args = parser.parse_args(argv)
    today = args.today or date.today()
    try:
        engine = make_engine(args.url)
        where = describe(str(engine.url))
        if args.if_missing:
            existing = _has_employees(engine)
            if existing:
                print(f"{where} already holds {existing:,} employees; leaving it as it is.")
                return 0
        started = time.perf_counter()
        step_seconds: dict[str, float] = {}
        counts = generate(engine, args.profile, args.seed, today, progress=not args.quiet, step_seconds=step_seconds)
        elapsed = time.perf_counter() - started
    except DatabaseError as exc:
        parser.exit(2, f"{exc}\n")
    except Exception as exc:  # noqa: BLE001 - a CLI says what went wrong in one line
        parser.exit(2, f"Generating the demo organisation failed: {type(exc).__name__}: {exc}\n")
    if not args.quiet:
        for label, seconds in step_seconds.items():
            print(f"  {label:<40} {seconds:7.2f} s")
        for name, count in counts.items():
            print(f"  {name:<40} {count:>12,}")
    print(
        f"Demo organisation '{args.profile}' (seed {args.seed}, as of {today}) written to {where}: "
        f"{sum(counts.values()):,} rows in {elapsed:.1f} s."
    )
    return 0
