"""Two organisations that do not look like the demo, for the team picker: a flat one (depth 2) and an uneven
one eight levels deep, each with check-ins whose coverage can be worked out on paper.

Today and as of 2026-11-15 (in 2026-Q4). A check-in on 2026-11-10 is 5 days old: covered. One on 2026-09-01 is
75 days old: lapsed. No check-in at all: never. Coverage = covered ÷ active people with a manager in the scope.

FLAT (depth 2):  1 Flatco > 2 Team A, 3 Team B (teams directly under the company)
    people  1 Boss @1 (no manager)   2 Ana @2 covered   3 Ben @2 lapsed   4 Cyd @3 covered
    Team A (2): Ana covered, Ben lapsed -> 1/2 = 50%.    Team B (3): Cyd -> 1/1 = 100%.

DEEP (depth 8, uneven):
    1 Deepco
    ├ 2 Ops (a team directly under the company)
    ├ 3 Sales > 4 EMEA Sales > 5 Team 4
    └ 6 R&D (a department without a division) > 7 Platform > 8 Core > 9 Storage > 10 Disks > 11 Firmware > 12 Boot
    people  1 Ceo @1 (no manager)   2 Opa @2 covered   3 Sal @5 covered   4 Rex @6 covered
            5 Dee @10 (manager 4) covered   6 Fio @11 (manager 5) lapsed   7 Bea @12 (manager 5) covered
            8 Bo @12 (manager 5) never
    Firmware (11, with Boot below): Fio lapsed, Bea covered, Bo never -> 1/3 = 33%.
    Boot (12): Bea covered, Bo never -> 1/2 = 50%.
    Dee (5) manages Fio, Bea and Bo: as a manager she sees units 10, 11, 12 and the path above them
    (1, 6, 7, 8, 9), never Ops (2) or Sales (3, 4, 5).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert

from data.db import make_engine, upgrade
from data.demo import mark_demo
from data.schema import Base

TODAY = "2026-11-15"
COVERED, LAPSED = date(2026, 11, 10), date(2026, 9, 1)
FLAT_UNITS = [(1, None, "Flatco", "company"), (2, 1, "Team A", "team"), (3, 1, "Team B", "team")]
FLAT_PEOPLE = [
    (1, "Boss", None, 1, None),
    (2, "Ana", 1, 2, COVERED),
    (3, "Ben", 1, 2, LAPSED),
    (4, "Cyd", 1, 3, COVERED),
]
DEEP_UNITS = [
    (1, None, "Deepco", "company"),
    (2, 1, "Ops", "team"),
    (3, 1, "Sales", "division"),
    (4, 3, "EMEA Sales", "department"),
    (5, 4, "Team 4", "team"),
    (6, 1, "R&D", "department"),
    (7, 6, "Platform", "team"),
    (8, 7, "Core", "team"),
    (9, 8, "Storage", "team"),
    (10, 9, "Disks", "team"),
    (11, 10, "Firmware", "team"),
    (12, 11, "Boot", "team"),
]
DEEP_PEOPLE = [
    (1, "Ceo", None, 1, None),
    (2, "Opa", 1, 2, COVERED),
    (3, "Sal", 1, 5, COVERED),
    (4, "Rex", 1, 6, COVERED),
    (5, "Dee", 4, 10, COVERED),
    (6, "Fio", 5, 11, LAPSED),
    (7, "Bea", 5, 12, COVERED),
    (8, "Bo", 5, 12, None),
]
BOOT_PATH = "Deepco › R&D › Platform › Core › Storage › Disks › Firmware › Boot"
BOOT_LABEL = "Boot (Deepco › R&D › Platform › Core › Storage › Disks › Firmware)"
DEE = 5


def _rows(units: list[tuple], people: list[tuple]) -> dict[str, list[dict]]:
    return {
        "region": [{"id": 1, "code": "N", "name": "North"}],
        "org_unit": [{"id": i, "parent_id": p, "name": n, "kind": k, "region_id": 1} for i, p, n, k in units],
        "employee": [
            {
                "id": i,
                "name": n,
                "email": f"{n.lower()}@example.org",
                "manager_id": m,
                "org_unit_id": u,
                "region_id": 1,
                "level": 3,
                "job_family": "Operations",
                "hire_date": date(2020, 1, 1),
                "work_mode": "office",
                "active": True,
            }  # fmt: skip
            for i, n, m, u, _ in people
        ],
        "period": [
            {
                "id": 20260,
                "name": "2026",
                "kind": "year",
                "year": 2026,
                "quarter": None,
                "parent_id": None,
                "start_date": date(2026, 1, 1),
                "end_date": date(2026, 12, 31),
            },
            {
                "id": 20264,
                "name": "2026-Q4",
                "kind": "quarter",
                "year": 2026,
                "quarter": 4,
                "parent_id": 20260,
                "start_date": date(2026, 10, 1),
                "end_date": date(2026, 12, 31),
            },
        ],  # fmt: skip
        "checkin": [
            {"id": i, "employee_id": e, "manager_id": m, "held_at": held, "kind": "1:1"}
            for i, (e, _, m, _, held) in enumerate(people, start=1)
            if held is not None
        ],
        "viewer": [
            {"id": 1, "email": f"{n.lower()}@example.org", "role": "manager", "employee_id": i}
            for i, n, *_ in people
            if i == DEE
        ],
    }


def write_org(url: str, units: list[tuple], people: list[tuple]) -> str:
    """Create a migrated SQLite database at `url` holding this organisation; return the URL."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            for name, rows in _rows(units, people).items():
                if rows:
                    conn.execute(insert(Base.metadata.tables[name]), rows)
        _mark_demo(engine)
    finally:
        engine.dispose()
    return url


def _mark_demo(engine) -> None:
    """These organisations are made up: demo mode may show them."""
    mark_demo(engine, "tests.org_shapes")
