"""The demo organisation as frames: the build steps in order, and `build_tables`."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import polars as pl

from data.generate.catalogue import PROFILES
from data.generate.checkins import checkins
from data.generate.company import DemoCompany
from data.generate.goals import goal_links, goals, periods
from data.generate.key_results import key_results
from data.generate.org import org_units, regions
from data.generate.people import employees, viewers
from data.generate.ratings import ratings, review_cycles
from data.schema import SNAPSHOT_TABLES

# (what the step builds, the step), in dependency order: each step draws from the company's one
# random generator, so the order is part of the output.
STEPS: tuple[tuple[str, Callable[[DemoCompany], dict[str, pl.DataFrame]]], ...] = (
    ("region", regions),
    ("org_unit", org_units),
    ("employee, employee_sensitive", employees),
    ("period", periods),
    ("goal", goals),
    ("goal_link", goal_links),
    ("key_result, key_result_milestone, progress_update", key_results),
    ("checkin", checkins),
    ("review_cycle, rating_guideline", review_cycles),
    ("rating", ratings),
    ("viewer", viewers),
)


def build_tables(
    profile: str, seed: int, today: date, on_step: Callable[[str, float], None] | None = None
) -> dict[str, pl.DataFrame]:
    """Every snapshot table of the demo organisation, as frames with the models' columns.

    Pure: the same (profile, seed, today) always gives identical frames. `on_step(label, seconds)`
    is told when each build step ends (for progress bars and timings).
    """
    if profile not in PROFILES:
        raise ValueError(f"Unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    company = DemoCompany(PROFILES[profile], seed, today)
    tables: dict[str, pl.DataFrame] = {}
    for label, build in STEPS:
        started = time.perf_counter()
        tables.update(build(company))
        if on_step is not None:
            on_step(label, time.perf_counter() - started)
    return {name: tables[name] for name in SNAPSHOT_TABLES}
