"""The demo company's regions and org tree: company > divisions > departments > teams."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from data.generate.catalogue import DIVISIONS, HEADQUARTERS_REGION, MEAN_TEAM_SIZE, MIN_TEAM_SIZE, REGIONS, Division
from data.generate.company import DemoCompany
from data.generate.draws import ids_or_null, model_frame, within_group


def regions(company: DemoCompany) -> dict[str, pl.DataFrame]:
    """The seven regions; their shares weight where units sit."""
    company.region_ids = np.array([r.id for r in REGIONS])
    company.region_shares = np.array([r.share for r in REGIONS])
    company.region_shares /= company.region_shares.sum()
    return {
        "region": model_frame(
            "region",
            id=company.region_ids,
            code=[r.code for r in REGIONS],
            name=[r.name for r in REGIONS],
        )
    }


def draw_regions(company: DemoCompany, n: int) -> np.ndarray:
    return company.rng.choice(company.region_ids, size=n, p=company.region_shares)


def _departments(
    company: DemoCompany, divisions: Sequence[Division]
) -> tuple[np.ndarray, list[str], list[str], list[str]]:
    """Each department's division (by position), name, theme and job family."""
    n_divisions = len(divisions)
    division_shares = np.array([d.share for d in divisions])
    departments_per_division = 1 + company.rng.multinomial(
        n_divisions * company.profile.departments_per_division - n_divisions, division_shares / division_shares.sum()
    )
    department_division = np.repeat(np.arange(n_divisions), departments_per_division)

    # The j-th department of a division takes the division's j-th theme; later rounds are numbered.
    department_names, department_themes, department_families = [], [], []
    for division_index, position in zip(department_division, within_group(departments_per_division), strict=True):
        themes = divisions[division_index].departments
        theme, family = themes[position % len(themes)]
        rounds = position // len(themes)
        department_themes.append(theme)
        department_families.append(family)
        department_names.append(f"{theme} Department" + (f" {rounds + 1}" if rounds else ""))
    return department_division, department_names, department_themes, department_families


def _teams(
    company: DemoCompany, n_leaders: int, department_themes: list[str]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Each team's department (by position), size (lead included) and name."""
    rng = company.rng
    n_departments = len(department_themes)
    # People sit in teams, apart from the CEO and the division and department heads.
    team_people = company.profile.employees - n_leaders
    n_teams = max(n_departments, round(team_people / MEAN_TEAM_SIZE))
    department_weight = rng.gamma(3.0, size=n_departments)
    teams_per_department = 1 + rng.multinomial(n_teams - n_departments, department_weight / department_weight.sum())
    team_department = np.repeat(np.arange(n_departments), teams_per_department)
    spare_people = team_people - MIN_TEAM_SIZE * n_teams
    team_size = MIN_TEAM_SIZE + rng.multinomial(spare_people, np.full(n_teams, 1 / n_teams))

    # Teams are numbered per theme across the company, so "Payments Team 3" is one team.
    theme_counter: dict[str, int] = {}
    team_names = []
    for department in team_department:
        theme = department_themes[department]
        theme_counter[theme] = theme_counter.get(theme, 0) + 1
        team_names.append(f"{theme} Team {theme_counter[theme]}")
    return team_department, team_size, team_names


def _unit_regions(company: DemoCompany, n_divisions: int, n_departments: int, team_department: np.ndarray) -> None:
    """Divisions mostly at headquarters, departments anywhere, most teams where their department is."""
    rng, n_teams = company.rng, len(team_department)
    company.division_region = np.where(
        rng.random(n_divisions) < 0.6, HEADQUARTERS_REGION, draw_regions(company, n_divisions)
    )
    company.department_region = draw_regions(company, n_departments)
    company.team_region = np.where(
        rng.random(n_teams) < 0.7, company.department_region[team_department], draw_regions(company, n_teams)
    )


def org_units(company: DemoCompany) -> dict[str, pl.DataFrame]:
    """The org tree, ids parents first: the company, its divisions, their departments, their teams."""
    divisions = DIVISIONS[: company.profile.divisions]
    n_divisions = len(divisions)
    department_division, department_names, department_themes, department_families = _departments(company, divisions)
    n_departments = len(department_division)
    team_department, team_size, team_names = _teams(company, 1 + n_divisions + n_departments, department_themes)
    n_teams = len(team_department)
    _unit_regions(company, n_divisions, n_departments, team_department)

    company.company_unit = 1
    company.division_unit = 2 + np.arange(n_divisions)
    company.department_unit = 2 + n_divisions + np.arange(n_departments)
    company.team_unit = 2 + n_divisions + n_departments + np.arange(n_teams)
    company.department_division = department_division
    company.department_themes = department_themes
    company.department_families = department_families
    company.team_department = team_department
    company.team_size = team_size
    company.divisions = divisions
    company.division_names = [d.name for d in divisions]
    # Division of every org unit, by unit id (the company belongs to none).
    company.unit_division = np.concatenate(
        ([-1, -1], np.arange(n_divisions), department_division, department_division[team_department])
    )
    parent = np.concatenate(
        (
            [0],
            np.full(n_divisions, company.company_unit),
            company.division_unit[department_division],
            company.department_unit[team_department],
        )
    )
    region = (company.division_region, company.department_region, company.team_region)
    return {
        "org_unit": model_frame(
            "org_unit",
            id=np.concatenate(
                ([company.company_unit], company.division_unit, company.department_unit, company.team_unit)
            ),
            parent_id=ids_or_null(parent),
            name=["Ladder Inc."] + company.division_names + department_names + team_names,
            kind=["company"] + ["division"] * n_divisions + ["department"] * n_departments + ["team"] * n_teams,
            region_id=np.concatenate(([HEADQUARTERS_REGION], *region)),
        )
    }
