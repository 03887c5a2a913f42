"""The demo organisation as frames: the build steps in order, and `build_tables`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
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


def built_steps(profile: str, seed: int, today: date) -> Iterator[tuple[str, dict[str, pl.DataFrame], float]]:
    """Each build step's label, the frames it built and the seconds it took, one step at a time.

    A writer stores and drops each step's frames before the next step draws, so the whole organisation
    is never in memory at once (at the xl profile it would not fit beside the update history's draws).
    """
    if profile not in PROFILES:
        raise ValueError(f"Unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    company = DemoCompany(PROFILES[profile], seed, today)
    for label, build in STEPS:
        started = time.perf_counter()
        frames = build(company)
        yield label, frames, time.perf_counter() - started


def build_tables(
    profile: str, seed: int, today: date, on_step: Callable[[str, float], None] | None = None
) -> dict[str, pl.DataFrame]:
    """Every snapshot table of the demo organisation, as frames with the models' columns.

    Pure: the same (profile, seed, today) always gives identical frames. `on_step(label, seconds)`
    is told when each build step ends (for progress bars and timings).
    """
    tables: dict[str, pl.DataFrame] = {}
    for label, frames, seconds in built_steps(profile, seed, today):
        tables.update(frames)
        if on_step is not None:
            on_step(label, seconds)
    return {name: tables[name] for name in SNAPSHOT_TABLES}
