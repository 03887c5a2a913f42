"""A tiny hand-built organisation whose numbers can be worked out on paper.

Acme (company, North) > Product (division) > Engineering (department) > Alpha (team, North), Beta (team, South)

people  1 Ceo (company)  2 Dana (Engineering head)  3 Ann (Alpha lead)  4 Bob, 5 Cat (Alpha; Cat sits South)
        6 Lee (Beta lead, South)  7 Max (Beta, South)  8 Old (Beta, inactive)

AS_OF = 2026-11-15: 46 of Q4's 92 days gone (expected 0.5); 319 of 2026's 365 days (expected 319/365).

goals   1 "Grow revenue" (objective, 2026)       <- 10 "Ship platform" (department, 2026)
        2 "Delight customers" (objective, 2026, no contributors: a gap)
        10 <- 20 Alpha "Launch API" (Q4), 21 Beta "Scale infra" (Q4), 22 Alpha "Beta programme" (Q3)
        20 <- 30 Bob (Q4);  21 <- 32 Max (Q4, weight 2);  31 Cat (Q4, orphan; "supports" 20 only)
        33 Bob development goal (Q4);  34 archived (Q4, parent 20)

key-result progress as of AS_OF
        20: KR100 0->100 at 50 (0.5, w1), KR101 10->0 at 8 (0.2, w3) -> (0.5 + 0.6) / 4 = 0.275
        21: KR102 0->10 at 9 -> 0.9      22: KR107 0->10 at 10 -> 1.0
        30: 1.0   31: 0.2   32: 0.6   34 (archived): 1.0, never counts
roll-up  10 = (0.275 + 0.9 + 1.0) / 3 = 0.725;  1 = 0.725;  2 = nothing to measure
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
from sqlalchemy import Engine, insert, inspect

from data.schema import Base, table_schema
from queries.model import Filters, Snapshot

AS_OF = date(2026, 11, 15)
Q4 = 20264
Q3 = 20263
YEAR = 20260
NORTH, SOUTH = 1, 2
COMPANY, PRODUCT, ENGINEERING, ALPHA, BETA = 1, 2, 3, 4, 5

D = date


def _rows() -> dict[str, list[dict]]:
    return {
        "region": [{"id": NORTH, "code": "N", "name": "North"}, {"id": SOUTH, "code": "S", "name": "South"}],
        "org_unit": [
            {"id": COMPANY, "parent_id": None, "name": "Acme", "kind": "company", "region_id": NORTH},
            {"id": PRODUCT, "parent_id": COMPANY, "name": "Product", "kind": "division", "region_id": NORTH},
            {"id": ENGINEERING, "parent_id": PRODUCT, "name": "Engineering", "kind": "department", "region_id": NORTH},
            {"id": ALPHA, "parent_id": ENGINEERING, "name": "Alpha", "kind": "team", "region_id": NORTH},
            {"id": BETA, "parent_id": ENGINEERING, "name": "Beta", "kind": "team", "region_id": SOUTH},
        ],
        "employee": [
            _person(1, "Ceo", None, COMPANY, NORTH, 8),
            _person(2, "Dana", 1, ENGINEERING, NORTH, 7),
            _person(3, "Ann", 2, ALPHA, NORTH, 5),
            _person(4, "Bob", 3, ALPHA, NORTH, 3, work_mode="remote"),
            _person(5, "Cat", 3, ALPHA, SOUTH, 3, work_mode="hybrid"),
            _person(6, "Lee", 2, BETA, SOUTH, 5),
            _person(7, "Max", 6, BETA, SOUTH, 2, work_mode="remote"),
            _person(8, "Old", 6, BETA, SOUTH, 2, active=False),
        ],
        "employee_sensitive": [
            {"employee_id": i, "gender": g, "age_band": a}
            for i, g, a in [
                (1, "woman", "45-54"),
                (2, "man", "35-44"),
                (3, "woman", "25-34"),
                (4, "man", "25-34"),
                (5, "woman", "<25"),
                (6, "man", "35-44"),
                (7, "non-binary", "25-34"),
                (8, "man", "55+"),
            ]
        ],
        "period": [
            {
                "id": 20250,
                "name": "2025",
                "kind": "year",
                "year": 2025,
                "quarter": None,
                "parent_id": None,
                "start_date": D(2025, 1, 1),
                "end_date": D(2025, 12, 31),
            },
            {
                "id": YEAR,
                "name": "2026",
                "kind": "year",
                "year": 2026,
                "quarter": None,
                "parent_id": None,
                "start_date": D(2026, 1, 1),
                "end_date": D(2026, 12, 31),
            },
            *[
                {
                    "id": 20260 + q,
                    "name": f"2026-Q{q}",
                    "kind": "quarter",
                    "year": 2026,
                    "quarter": q,
                    "parent_id": YEAR,
                    "start_date": start,
                    "end_date": end,
                }
                for q, start, end in [
                    (1, D(2026, 1, 1), D(2026, 3, 31)),
                    (2, D(2026, 4, 1), D(2026, 6, 30)),
                    (3, D(2026, 7, 1), D(2026, 9, 30)),
                    (4, D(2026, 10, 1), D(2026, 12, 31)),
                ]
            ],
        ],
        "goal": [
            _goal(1, None, "Grow revenue", "company", COMPANY, YEAR, owner=1),
            _goal(2, None, "Delight customers", "company", COMPANY, YEAR, owner=1),
            _goal(10, 1, "Ship platform", "department", ENGINEERING, YEAR, owner=2),
            _goal(20, 10, "Launch API", "team", ALPHA, Q4, owner=3),
            _goal(21, 10, "Scale infra", "team", BETA, Q4, owner=6),
            _goal(22, 10, "Beta programme", "team", ALPHA, Q3, owner=3),
            _goal(30, 20, "Bob: API docs", "individual", ALPHA, Q4, owner=4),
            _goal(31, None, "Cat: side project", "individual", ALPHA, Q4, owner=5),
            _goal(32, 21, "Max: autoscaling", "individual", BETA, Q4, owner=7, weight=2.0),
            _goal(33, None, "Bob: learn Rust", "individual", ALPHA, Q4, owner=4, kind="development"),
            _goal(34, 20, "Old plan", "individual", ALPHA, Q4, owner=4, archived=True),
        ],
        "goal_link": [{"id": 1, "goal_id": 31, "target_goal_id": 20, "link_type": "supports", "weight": 1.0}],
        "key_result": [
            _kr(100, 20, 0, 100, 50),
            _kr(101, 20, 10, 0, 8, weight=3.0),
            _kr(102, 21, 0, 10, 9),
            _kr(103, 30, 0, 4, 4),
            _kr(104, 31, 0, 10, 2),
            _kr(105, 32, 0, 10, 6),
            _kr(106, 34, 0, 10, 10),
            _kr(107, 22, 0, 10, 10),
        ],
        # Cat's KR 104 is phased on the straight line (5 of 10 due on day 46 of 92): the same pace as no milestone.
        "key_result_milestone": [{"id": 1, "key_result_id": 104, "at": D(2026, 11, 15), "value": 5.0}],
        "progress_update": [
            {"id": i, "key_result_id": kr, "at": at, "value": v, "confidence": 0.7}
            for i, (kr, at, v) in enumerate(
                [
                    (100, D(2026, 10, 10), 20),
                    (100, D(2026, 11, 5), 50),
                    (101, D(2026, 10, 20), 8),
                    (102, D(2026, 10, 15), 5),
                    (102, D(2026, 11, 10), 9),
                    (103, D(2026, 11, 1), 4),
                    (104, D(2026, 11, 1), 2),
                    (105, D(2026, 11, 12), 6),
                    (106, D(2026, 11, 1), 10),
                    (107, D(2026, 7, 10), 2),
                    (107, D(2026, 8, 1), 5),
                    (107, D(2026, 9, 20), 10),
                    (100, D(2026, 11, 20), 90),  # after AS_OF: must not count as of AS_OF
                ],
                start=1,
            )
        ],
        "checkin": [
            {"id": i, "employee_id": e, "manager_id": m, "held_at": at, "kind": "1:1"}
            for i, (e, m, at) in enumerate(
                [
                    (4, 3, D(2026, 11, 1)),
                    (4, 3, D(2026, 10, 1)),
                    (5, 3, D(2026, 9, 1)),
                    (3, 2, D(2026, 11, 10)),
                    (7, 6, D(2026, 10, 17)),
                    (2, 1, D(2026, 10, 16)),
                    (8, 6, D(2026, 11, 1)),
                ],
                start=1,
            )
        ],
        "review_cycle": [
            {
                "id": 1,
                "name": "2026 mid-year",
                "period_id": 20262,
                "scale_min": 1,
                "scale_max": 5,
                "closed_on": D(2026, 7, 15),
            },
        ],
        "rating": [
            {
                "id": i,
                "cycle_id": 1,
                "employee_id": e,
                "reviewer_id": r,
                "pre_calibration": pre,
                "post_calibration": post,
                "potential": pot,
            }
            for i, (e, r, pre, post, pot) in enumerate(
                [(3, 2, 4, 4, 3), (4, 3, 4, 3, 2), (5, 3, 5, 5, 3), (6, 2, 2, 2, 1), (7, 6, 3, 3, 2)], start=1
            )
        ],
        "rating_guideline": [
            {"id": r, "cycle_id": 1, "rating": r, "target_share": s}
            for r, s in [(1, 0.05), (2, 0.15), (3, 0.5), (4, 0.2), (5, 0.1)]
        ],
        "viewer": [
            {"id": 1, "email": "ceo@acme.example", "role": "executive", "employee_id": 1},
            {"id": 2, "email": "dana@acme.example", "role": "manager", "employee_id": 2},
            {"id": 3, "email": "ann@acme.example", "role": "manager", "employee_id": 3},
            {"id": 4, "email": "hr@acme.example", "role": "hr", "employee_id": None},
        ],
    }


def _person(id_, name, manager, unit, region, level, *, work_mode="office", active=True) -> dict:
    return {
        "id": id_,
        "name": name,
        "email": f"{name.lower()}@acme.example",
        "manager_id": manager,
        "org_unit_id": unit,
        "region_id": region,
        "level": level,
        "job_family": "Engineering",
        "hire_date": D(2020, 1, 1),
        "work_mode": work_mode,
        "active": active,
    }


def _goal(id_, parent, title, level, unit, period, *, owner, weight=1.0, kind="business", archived=False) -> dict:
    return {
        "id": id_,
        "parent_id": parent,
        "title": title,
        "level": level,
        "kind": kind,
        "owner_employee_id": owner,
        "org_unit_id": unit,
        "period_id": period,
        "weight": weight,
        "archived": archived,
    }


def _kr(id_, goal, start, target, current, *, weight=1.0) -> dict:
    return {
        "id": id_,
        "goal_id": goal,
        "metric": f"KR {id_}",
        "start_value": float(start),
        "target_value": float(target),
        "current_value": float(current),
        "direction": "increase" if target > start else "decrease",
        "weight": weight,
    }


def tiny_tables() -> dict[str, pl.DataFrame]:
    return {name: pl.DataFrame(rows, schema=table_schema(name)) for name, rows in _rows().items()}


def tiny_snapshot(**replacements: pl.DataFrame) -> Snapshot:
    tables = tiny_tables() | replacements
    return Snapshot(**tables, loaded_at=datetime(2026, 11, 15, 9, 0))


def tiny_filters(**changes) -> Filters:
    return Filters(**({"period_id": Q4, "as_of": AS_OF} | changes))


def write_tiny(engine: Engine) -> None:
    """Insert the tiny organisation into a migrated, empty database (the tables its revision has)."""
    present = set(inspect(engine).get_table_names())
    with engine.begin() as conn:
        for name, rows in _rows().items():
            if name in present and rows:
                conn.execute(insert(Base.metadata.tables[name]), rows)
