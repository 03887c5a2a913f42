"""`python -m data.migrate [--url URL]`: bring a goals database up to the current schema."""

from __future__ import annotations

import argparse

from data.db import DatabaseError, describe, make_engine, upgrade


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="database URL (default: LADDER_DATABASE_URL or data/ladder.db)")
    args = parser.parse_args(argv)
    try:
        engine = make_engine(args.url)
        upgrade(engine)
    except DatabaseError as exc:
        parser.exit(2, f"{exc}\n")
    except Exception as exc:  # noqa: BLE001 - a CLI says what went wrong in one line
        parser.exit(2, f"Could not migrate {describe(str(args.url or ''))}: {exc}\n")
    print(f"Schema of {describe(str(engine.url))} is current.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
