"""Every manager of the small demo organisation sees their own subtree and nobody else, on every screen.

Enumerated, not sampled: for each manager (every employee with a report) the scoped snapshot's person rows,
and the output of every query function in queries/ (found by signature, so a new screen's queries are covered
the day they are written), hold no person outside the manager's reporting subtree: no id in a person column,
and no name or e-mail address that only an outsider has. Filters applied on top only ever narrow.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import multiprocessing
import os
import pkgutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from typing import Any

import polars as pl
import pytest

import queries
from queries.access import reporting_subtree, scoped_snapshot, visible_region_ids, visible_unit_ids
from queries.model import Filters, Snapshot, Viewer
from queries.periods import clamp_as_of, current_period_id
from queries.scope import people_in_scope
from tests.conftest import DEMO_TODAY, GENERATOR_TIMEOUT, ROOT
from tests.reference import goals_in_scope

TODAY = date.fromisoformat(DEMO_TODAY)
# Columns that name a person by id, wherever a query puts them.
PERSON_COLUMNS = {"employee_id", "owner_employee_id", "manager_id", "reviewer_id", "person_id", "owner_id"}
# Values for query options that have no default; a new required option must be added here.
REQUIRED_OPTIONS: dict[str, Callable[[Snapshot], Any]] = {
    "cycle_id": lambda snap: int(snap.review_cycle.sort("period_id")["id"][-1]),
    "attribute": lambda snap: "gender",
    "top_from": lambda snap: int(snap.review_cycle.sort("period_id")["scale_max"][-1]),
    "by": lambda snap: "team",
    "settings": lambda snap: __import__("data.config", fromlist=["Settings"]).Settings(),
    # the rated people a ratings helper keys by group: the latest cycle's ratings in the snapshot it is given
    "rated": lambda snap: __import__("queries.ratings", fromlist=["cycle_ratings"]).cycle_ratings(
        snap, int(snap.review_cycle.sort("period_id")["id"][-1])
    ),
}
BY_VARIANTS = ("manager",)  # the grouping that puts people's names into an answer


def load(url: str) -> Snapshot:
    from data.db import make_engine
    from queries.snapshot import load_snapshot

    engine = make_engine(url)
    try:
        return load_snapshot(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def small_org_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file of the small demo organisation (2,000 people, seed 42, as of 2026-11-25), generated once."""
    if not (ROOT / "data" / "generate" / "__init__.py").exists():
        pytest.skip("data/generate/ does not exist yet, so there is no demo organisation")
    url = f"sqlite:///{tmp_path_factory.mktemp('access') / 'small.db'}"
    command = [sys.executable, "-m", "data.generate", "--profile", "small", "--seed", "42", "--today", DEMO_TODAY,
               "--quiet", "--url", url]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=GENERATOR_TIMEOUT, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return url


@pytest.fixture(scope="session")
def small_org(small_org_url: str) -> Snapshot:
    return load(small_org_url)


def managers(snapshot: Snapshot) -> list[int]:
    return sorted(snapshot.employee["manager_id"].drop_nulls().unique().to_list())


def query_functions() -> list[Callable]:
    """Every public `(snapshot, filters, viewer, ...)` function defined in a queries/ module."""
    found = []
    for module_info in pkgutil.iter_modules(queries.__path__):
        module = importlib.import_module(f"queries.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            if list(inspect.signature(function).parameters)[:3] == ["snapshot", "filters", "viewer"]:
                found.append(function)
    return found


def option_sets(function: Callable, snapshot: Snapshot) -> list[dict[str, Any]]:
    """The options to call a query with: its defaults (plus values for required ones), then each grouping."""
    base: dict[str, Any] = {}
    parameters = list(inspect.signature(function).parameters.values())[3:]
    for parameter in parameters:
        if parameter.default is inspect.Parameter.empty and parameter.kind is not parameter.VAR_KEYWORD:
            assert parameter.name in REQUIRED_OPTIONS, (
                f"{function.__module__}.{function.__name__} needs a value for `{parameter.name}`: "
                "add one to REQUIRED_OPTIONS"
            )
            base[parameter.name] = REQUIRED_OPTIONS[parameter.name](snapshot)
    sets = [base]
    if any(p.name == "by" for p in parameters):
        sets += [base | {"by": by} for by in BY_VARIANTS]
    return sets


def frames(value: Any) -> Iterator[pl.DataFrame]:
    """Every DataFrame inside a query's answer (frames, dicts, tuples, dataclasses)."""
    if isinstance(value, pl.DataFrame):
        yield value
    elif isinstance(value, pl.Series):
        yield value.to_frame()
    elif isinstance(value, dict):
        for item in value.values():
            yield from frames(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from frames(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from frames(getattr(value, item.name))


def strings(frame: pl.DataFrame) -> set[str]:
    values: set[str] = set()
    for name, dtype in frame.schema.items():
        if dtype == pl.String:
            values.update(frame[name].drop_nulls().unique().to_list())
        elif dtype == pl.List(pl.String):
            values.update(frame[name].explode().drop_nulls().unique().to_list())
    return values


class Outsiders:
    """What would give away someone outside one manager's subtree: their ids, names and e-mail addresses."""

    def __init__(self, snapshot: Snapshot, inside: set[int]) -> None:
        everyone = snapshot.employee
        within = everyone.filter(pl.col("id").is_in(list(inside)))
        outside = everyone.filter(~pl.col("id").is_in(list(inside)))
        self.inside = inside
        # A name shared with someone inside is not a leak: only names no insider has give an outsider away.
        self.words = (set(outside["name"].to_list()) - set(within["name"].to_list())) | set(outside["email"].to_list())

    def in_frame(self, frame: pl.DataFrame) -> list[str]:
        leaks = []
        for column in PERSON_COLUMNS & set(frame.columns):
            ids = set(frame[column].drop_nulls().to_list())
            if ids - self.inside:
                leaks.append(f"column {column} names {sorted(ids - self.inside)[:5]}")
        words = strings(frame) & self.words
        if words:
            leaks.append(f"text names {sorted(words)[:5]}")
        return leaks


def test_the_small_organisation_has_managers_to_enumerate(small_org):
    assert len(managers(small_org)) > 200
    assert small_org.viewer.filter(pl.col("role") == "manager").height > 200


def test_every_managers_snapshot_holds_only_their_subtree(small_org):
    full = small_org
    problems = []
    for manager_id in managers(full):
        inside = set(reporting_subtree(full, manager_id).to_list())
        scoped = scoped_snapshot(full, Viewer(f"m{manager_id}@x", "manager", manager_id))
        goal_ids = set(scoped.goal["id"].to_list())
        kr_ids = set(scoped.key_result["id"].to_list())
        checks = {
            "employee": set(scoped.employee["id"].to_list()) == inside,
            "employee.manager_id": set(scoped.employee["manager_id"].drop_nulls().to_list()) <= inside,
            "employee_sensitive": scoped.employee_sensitive.is_empty(),
            "goal owners": set(scoped.goal["owner_employee_id"].drop_nulls().to_list()) <= inside,
            "individual goals": scoped.goal.filter(pl.col("level") == "individual")["owner_employee_id"].is_in(
                list(inside)
            ).all(),
            "goal links": set(scoped.goal_link["goal_id"].to_list()) | set(scoped.goal_link["target_goal_id"].to_list())
            <= goal_ids,
            "key results": set(scoped.key_result["goal_id"].to_list()) <= goal_ids,
            "progress updates": set(scoped.progress_update["key_result_id"].to_list()) <= kr_ids,
            "check-ins": set(scoped.checkin["employee_id"].to_list()) <= inside
            and set(scoped.checkin["manager_id"].drop_nulls().to_list()) <= inside,
            "ratings": set(scoped.rating["employee_id"].to_list()) <= inside
            and set(scoped.rating["reviewer_id"].drop_nulls().to_list()) <= inside,
            "viewer": set(scoped.viewer["employee_id"].to_list()) <= {manager_id},
        }
        problems += [f"manager {manager_id}: {name}" for name, ok in checks.items() if not ok]
        # Nothing of their own is lost either: every check-in and rating of their people is there.
        mine = full.checkin.filter(pl.col("employee_id").is_in(list(inside))).height
        if scoped.checkin.height != mine:
            problems.append(f"manager {manager_id}: lost check-ins")
    assert not problems, problems[:20]


def test_the_leak_detector_catches_an_answer_computed_without_the_scope(small_org):
    """The check below can fail: run on the whole organisation, a manager's screens would name outsiders."""
    full = small_org
    manager_id = managers(full)[-1]
    outsiders = Outsiders(full, set(reporting_subtree(full, manager_id).to_list()))
    period_id = current_period_id(full, TODAY)
    filters = Filters(period_id=period_id, as_of=clamp_as_of(full, period_id, TODAY))
    from queries.checkins import lapsed_people

    assert outsiders.in_frame(full.checkin)
    assert outsiders.in_frame(lapsed_people(full, filters, Viewer("hr@x", "hr")))


def query_leaks(url: str, manager_ids: list[int]) -> tuple[int, list[str]]:
    """Run every query for each of these managers on their scoped snapshot; return (calls made, leaks found)."""
    full = load(url)
    period_id = current_period_id(full, TODAY)
    filters = Filters(period_id=period_id, as_of=clamp_as_of(full, period_id, TODAY))
    functions = query_functions()
    problems = []
    calls = 0
    for manager_id in manager_ids:
        viewer = Viewer(f"m{manager_id}@x", "manager", manager_id)
        scoped = scoped_snapshot(full, viewer)
        outsiders = Outsiders(full, set(reporting_subtree(full, manager_id).to_list()))
        for function in functions:
            for index, options in enumerate(option_sets(function, scoped)):
                try:
                    answer = function(scoped, filters, viewer, **options)
                except (ValueError, KeyError) as error:
                    # A grouping the query does not offer; its defaults must always work.
                    if index == 0:
                        problems.append(f"manager {manager_id}: {function.__name__} failed: {error!r}")
                    continue
                calls += 1
                for frame in frames(answer):
                    problems += [
                        f"manager {manager_id}: {function.__module__}.{function.__name__}{options}: {leak}"
                        for leak in outsiders.in_frame(frame)
                    ]
    return calls, problems


def test_every_query_answer_of_every_manager_names_only_their_subtree(small_org, small_org_url, monkeypatch):
    functions = query_functions()
    assert len(functions) >= 10, [f.__name__ for f in functions]
    everyone = managers(small_org)
    # The managers are shared out over one process per core; each reads the organisation itself.
    workers = max(1, min(4, os.cpu_count() or 1))
    monkeypatch.setenv("POLARS_MAX_THREADS", "1")  # read by the workers' Polars; frames here are small
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        answers = list(pool.map(query_leaks, [small_org_url] * workers, [everyone[i::workers] for i in range(workers)]))
    calls = sum(made for made, _ in answers)
    problems = [problem for _, found in answers for problem in found]
    assert calls >= len(everyone) * len(functions)
    assert not problems, problems[:20]


def test_any_team_or_region_filter_only_narrows_a_managers_scope(small_org):
    """Every division and every region, chosen by a manager, leaves people and goals inside the subtree."""
    full = small_org
    period_id = current_period_id(full, TODAY)
    units = full.org_unit.filter(pl.col("kind") == "division")["id"].to_list()
    regions = full.region["id"].to_list()
    problems = []
    for manager_id in managers(full):
        inside = set(reporting_subtree(full, manager_id).to_list())
        scoped = scoped_snapshot(full, Viewer(f"m{manager_id}@x", "manager", manager_id))
        visible_goals = set(scoped.goal["id"].to_list())
        for unit_id in [None, *units]:
            for region_ids in [(), *[(r,) for r in regions]]:
                if unit_id is not None and region_ids:
                    continue
                filters = Filters(period_id, TODAY, region_ids=region_ids, org_unit_id=unit_id)
                people = set(people_in_scope(scoped, filters, active_only=False)["id"].to_list())
                goals = set(goals_in_scope(scoped, filters)["id"].to_list())
                if not people <= inside or not goals <= visible_goals:
                    problems.append(f"manager {manager_id}, team {unit_id}, regions {region_ids}")
    assert not problems, problems[:20]


def test_the_sidebar_offers_a_manager_only_units_and_regions_holding_their_people(small_org):
    full = small_org
    for manager_id in managers(full):
        scoped = scoped_snapshot(full, Viewer(f"m{manager_id}@x", "manager", manager_id))
        people = scoped.employee
        units = set(visible_unit_ids(scoped).to_list())
        assert set(people["org_unit_id"].to_list()) <= units
        for unit_id in units:
            below = people_in_scope(scoped, Filters(0, TODAY, org_unit_id=unit_id), active_only=False)
            assert below.height > 0, (manager_id, unit_id)
        assert set(visible_region_ids(scoped).to_list()) == set(people["region_id"].to_list())
    assert len(visible_unit_ids(full)) >= full.org_unit.height - 1
