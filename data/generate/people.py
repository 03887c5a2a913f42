"""The demo company's people (CEO > division heads > department heads > team leads > members) and
who of them may look at Ladder."""

from __future__ import annotations

import numpy as np
import polars as pl

from data.generate.catalogue import (
    AGE_BANDS,
    CEO,
    COMPANY_FOUNDED,
    DEPARTMENT_HEAD,
    DISTRIBUTED_SHARE,
    DISTRIBUTED_WORK_MODE_MIX,
    DIVISION_HEAD,
    EMAIL_DOMAIN,
    GENDER_SHARES,
    GENDERS,
    HEADQUARTERS_REGION,
    HR_DEPARTMENT_THEME,
    HR_VIEWERS,
    INACTIVE_SHARE,
    LAST_NAMES,
    MEMBER,
    MEMBER_LEVEL_SHARES,
    MEN_FIRST_NAMES,
    NEUTRAL_FIRST_NAMES,
    REGIONS,
    TEAM_LEAD,
    WOMEN_FIRST_NAMES,
)
from data.generate.company import DemoCompany
from data.generate.draws import dates, day_number, draw_age_band, email_part, ids_or_null, join_text, model_frame, pick
from data.schema import WORK_MODES


def _positions(company: DemoCompany) -> dict[str, np.ndarray]:
    """Every person's role, team, department, manager, unit and home region, ids parents first."""
    n_divisions, n_departments, n_teams = (
        len(company.division_unit),
        len(company.department_unit),
        len(company.team_unit),
    )
    members_per_team = company.team_size - 1
    n_members = int(members_per_team.sum())
    division_head_id = 2 + np.arange(n_divisions)
    department_head_id = 2 + n_divisions + np.arange(n_departments)
    team_lead_id = 2 + n_divisions + n_departments + np.arange(n_teams)
    member_team = np.repeat(np.arange(n_teams), members_per_team)
    team_department = company.team_department
    return {
        "role": np.concatenate(
            ([CEO], np.full(n_divisions, DIVISION_HEAD), np.full(n_departments, DEPARTMENT_HEAD),
             np.full(n_teams, TEAM_LEAD), np.full(n_members, MEMBER))
        ),
        "team": np.concatenate((np.full(1 + n_divisions + n_departments, -1), np.arange(n_teams), member_team)),
        "department": np.concatenate(
            (np.full(1 + n_divisions, -1), np.arange(n_departments), team_department, team_department[member_team])
        ),
        "manager": np.concatenate(
            ([0], np.ones(n_divisions, dtype=np.int64), division_head_id[company.department_division],
             department_head_id[team_department], team_lead_id[member_team])
        ),
        "unit": np.concatenate(
            ([company.company_unit], company.division_unit, company.department_unit, company.team_unit,
             company.team_unit[member_team])
        ),
        "home_region": np.concatenate(
            ([HEADQUARTERS_REGION], company.division_region, company.department_region, company.team_region,
             company.team_region[member_team])
        ),
        "team_lead_id": team_lead_id,
        "department_head_id": department_head_id,
    }  # fmt: skip


def _regions_and_work_modes(company: DemoCompany, role: np.ndarray, home_region: np.ndarray) -> tuple[np.ndarray, ...]:
    """Distributed teams: some members work from another region than their team's, mostly remotely."""
    rng, n = company.rng, len(role)
    distributed = (role == MEMBER) & (rng.random(n) < DISTRIBUTED_SHARE)
    region_ids = company.region_ids
    other_region = region_ids[(np.searchsorted(region_ids, home_region) + rng.integers(1, 7, n)) % 7]
    region = np.where(distributed, other_region, home_region)

    region_mix = np.array([r.work_mode_mix for r in REGIONS])[np.searchsorted(region_ids, region)]
    mix = np.where(distributed[:, None], np.array(DISTRIBUTED_WORK_MODE_MIX)[None, :], region_mix)
    work_mode = (rng.random(n)[:, None] > np.cumsum(mix, axis=1)[:, :2]).sum(axis=1)
    work_mode[0] = WORK_MODES.index("office")  # the CEO works from headquarters
    return region, work_mode


def _levels(company: DemoCompany, role: np.ndarray, department: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Level 8 for the CEO down to 4-5 for team leads, 1-5 for members; job family by department."""
    rng, n = company.rng, len(role)
    level = np.select(
        [role == CEO, role == DIVISION_HEAD, role == DEPARTMENT_HEAD, role == TEAM_LEAD],
        [8, 7, 6, 4 + (rng.random(n) < 0.6)],
        default=1 + rng.choice(5, size=n, p=MEMBER_LEVEL_SHARES),
    )
    family = np.array(company.department_families, dtype=object)[np.maximum(department, 0)]
    job_family = np.where(department < 0, "Executive", family).astype(str)
    return level, job_family


def _tenure(company: DemoCompany, role: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hire day, leave day (int32 max while active) and whether active."""
    rng, n, today_day = company.rng, len(role), company.today_day
    # Most people joined in the last few years; leaders have been here longer.
    tenure_years = rng.gamma(1.4, 3.0, n) + np.choose(role, (0.0, 3.0, 2.0, 1.0, 0.0))
    founded = day_number(COMPANY_FOUNDED)
    hire_day = np.clip(today_day - (tenure_years * 365.25).astype(np.int64), founded, today_day - 14)
    hire_day[0] = founded
    active = ~((role == MEMBER) & (rng.random(n) < INACTIVE_SHARE))
    leave_day = np.where(active, np.iinfo(np.int32).max, today_day - rng.integers(14, 300, n))
    hire_day = np.where(active, hire_day, np.minimum(hire_day, leave_day - rng.integers(90, 900, n)))
    return hire_day, leave_day, active


def _names(company: DemoCompany, n: int) -> tuple[np.ndarray, pl.Series, pl.Series]:
    """Gender, name and e-mail address (first.last.id@domain) of every person."""
    rng = company.rng
    gender = rng.choice(len(GENDERS), size=n, p=GENDER_SHARES)
    # First names follow gender: non-binary people take a neutral name, undisclosed ones any name.
    first_names = WOMEN_FIRST_NAMES + MEN_FIRST_NAMES + NEUTRAL_FIRST_NAMES
    n_women, n_men = len(WOMEN_FIRST_NAMES), len(MEN_FIRST_NAMES)
    list_start = np.array((0, n_women, n_women + n_men, 0))[gender]
    list_size = np.array((n_women, n_men, len(NEUTRAL_FIRST_NAMES), len(first_names)))[gender]
    first_index = list_start + (rng.random(n) * list_size).astype(np.int64)
    last_index = rng.integers(0, len(LAST_NAMES), n)

    first = pick(first_names, first_index)
    last = pick(LAST_NAMES, last_index)
    email_first = pick([email_part(name) for name in first_names], first_index)
    email_last = pick([email_part(name) for name in LAST_NAMES], last_index)
    ids = pl.Series(np.arange(1, n + 1)).cast(pl.String)
    email = join_text(email_first, ".", email_last, ".", ids, f"@{EMAIL_DOMAIN}")
    return gender, join_text(first, " ", last), email


def employees(company: DemoCompany) -> dict[str, pl.DataFrame]:
    """Everyone in the org tree, with their sensitive attributes in a table of their own."""
    positions = _positions(company)
    role = positions["role"]
    n = len(role)
    region, work_mode = _regions_and_work_modes(company, role, positions["home_region"])
    level, job_family = _levels(company, role, positions["department"])
    hire_day, leave_day, active = _tenure(company, role)
    gender, name, email = _names(company, n)

    company.n_employees = n
    for key in ("role", "team", "department", "manager", "unit", "team_lead_id", "department_head_id"):
        setattr(company, key, positions[key])
    company.work_mode = work_mode
    company.hire_day = hire_day
    company.leave_day = leave_day
    company.active = active
    company.employee_email = email
    ids = np.arange(1, n + 1)
    return {
        "employee": model_frame(
            "employee",
            id=ids,
            name=name,
            email=email,
            manager_id=ids_or_null(positions["manager"]),
            org_unit_id=positions["unit"],
            region_id=region,
            level=level,
            job_family=job_family,
            hire_date=dates(hire_day),
            work_mode=pick(WORK_MODES, work_mode),
            active=active,
        ),
        "employee_sensitive": model_frame(
            "employee_sensitive",
            employee_id=ids,
            gender=pick(GENDERS, gender),
            age_band=pick(AGE_BANDS, draw_age_band(company.rng, level)),
        ),
    }


def viewers(company: DemoCompany) -> dict[str, pl.DataFrame]:
    """The CEO as executive, three people of the People department as HR, every manager as manager."""
    managers = np.flatnonzero(np.isin(company.role, (DIVISION_HEAD, DEPARTMENT_HEAD, TEAM_LEAD)))
    people_departments = [i for i, theme in enumerate(company.department_themes) if theme == HR_DEPARTMENT_THEME]
    hr_candidates = np.flatnonzero(
        (company.role == MEMBER) & company.active & np.isin(company.department, people_departments)
    )
    hr = np.sort(company.rng.choice(hr_candidates, size=min(HR_VIEWERS, len(hr_candidates)), replace=False))
    position = np.concatenate(([0], hr, managers))
    roles = ["executive"] + ["hr"] * len(hr) + ["manager"] * len(managers)
    return {
        "viewer": model_frame(
            "viewer",
            id=np.arange(1, len(position) + 1),
            email=company.employee_email.gather(position),
            role=roles,
            employee_id=position + 1,
        )
    }
