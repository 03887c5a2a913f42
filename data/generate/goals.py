"""The demo company's periods and goal tree: objectives > department goals > team goals > individual
goals, development goals beside them, and cross-team links."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from data.generate.catalogue import (
    DEPARTMENT_GOAL_TITLES,
    DEVELOPMENT_GOAL_TITLES,
    GOAL_LEVEL_NAMES,
    LEVEL_COMPANY,
    LEVEL_DEPARTMENT,
    LEVEL_INDIVIDUAL,
    LEVEL_TEAM,
    MEMBER,
    OBJECTIVE_TITLES,
)
from data.generate.company import DemoCompany
from data.generate.draws import (
    dates,
    day_number,
    draw_weight,
    ids_or_null,
    join_text,
    model_frame,
    pick,
    pick_from_pools,
    pick_in_group,
    quarter_slot,
)

CEO_ID = 1


def periods(company: DemoCompany) -> dict[str, pl.DataFrame]:
    """Last year and this year, then their quarters: slots 0-1 are the years, 2-9 the quarters in order."""
    ids, names, kinds, years, quarters, parents, starts, ends = [], [], [], [], [], [], [], []
    for year in company.years:
        ids.append(year * 10)
        names.append(str(year))
        kinds.append("year")
        years.append(year)
        quarters.append(None)
        parents.append(0)
        starts.append(day_number(date(year, 1, 1)))
        ends.append(day_number(date(year, 12, 31)))
    for year in company.years:
        for quarter in range(1, 5):
            ids.append(year * 10 + quarter)
            names.append(f"{year}-Q{quarter}")
            kinds.append("quarter")
            years.append(year)
            quarters.append(quarter)
            parents.append(year * 10)
            starts.append(day_number(date(year, 3 * quarter - 2, 1)))
            ends.append(day_number(date(year + quarter // 4, 3 * quarter % 12 + 1, 1)) - 1)
    company.period_id = np.array(ids)
    company.period_start = np.array(starts)
    company.period_end = np.array(ends)
    return {
        "period": model_frame(
            "period",
            id=company.period_id,
            name=names,
            kind=kinds,
            year=years,
            quarter=quarters,
            parent_id=ids_or_null(np.array(parents)),
            start_date=dates(company.period_start),
            end_date=dates(company.period_end),
        )
    }


class _GoalRows:
    """Goals drawn so far, in id order: each batch takes the next ids."""

    def __init__(self) -> None:
        self.parts: list[dict[str, object]] = []
        self.next_id = 1

    def add(self, **columns: object) -> np.ndarray:
        count = len(columns["level"])
        ids = np.arange(self.next_id, self.next_id + count)
        self.next_id += count
        self.parts.append({"id": ids, **columns})
        return ids


def _objectives(company: DemoCompany, rows: _GoalRows) -> list[dict[str, np.ndarray]]:
    """5-8 company objectives a year, with their planted pace and thin support.

    The two objectives fewest departments pick up are the ones that fall behind (the story:
    under-resourced bets)."""
    rng = company.rng
    years = []
    for year_index in range(2):
        count = int(rng.integers(5, 9))
        titles = rng.choice(len(OBJECTIVE_TITLES), size=count, replace=False)
        thin = np.zeros(count, dtype=bool)
        thin[rng.choice(count, size=int(rng.integers(1, 3)), replace=False)] = True
        popularity = np.where(thin, 0.0, rng.dirichlet(np.full(count, 5.0)))
        popularity /= popularity.sum()
        least_popular = np.argsort(np.where(thin, np.inf, popularity))
        pace = rng.uniform(1.0, 1.1, count)
        pace[least_popular[0]] = 0.6  # behind
        pace[least_popular[1]] = 0.85  # at risk
        ids = rows.add(
            level=np.full(count, LEVEL_COMPANY),
            development=np.zeros(count, dtype=bool),
            title=pick(OBJECTIVE_TITLES, titles),
            parent=np.zeros(count, dtype=np.int64),
            owner=np.full(count, CEO_ID),
            unit=np.full(count, company.company_unit),
            slot=np.full(count, year_index),
            weight=np.ones(count),
            pace=pace,
        )
        years.append({"ids": ids, "pace": pace, "thin": thin, "popularity": popularity})
    return years


def _department_goals(company: DemoCompany, rows: _GoalRows, objectives: list[dict[str, np.ndarray]]) -> dict:
    """2-4 goals a year per department, each under an objective of that year; a thin objective gets 0 or 1."""
    rng, n_departments = company.rng, len(company.department_unit)
    count = rng.integers(2, 5, size=(2, n_departments))
    start = np.zeros((2, n_departments), dtype=np.int64)
    paces = []
    for year_index, objective in enumerate(objectives):
        counts = count[year_index]
        department = np.repeat(np.arange(n_departments), counts)
        total = len(department)
        ids_of_objectives, thin = objective["ids"], objective["thin"]
        supported = ids_of_objectives[~thin]
        # Every objective with support gets at least two department goals, a thin one 0 or 1.
        thin_supporters = ids_of_objectives[thin][rng.random(int(thin.sum())) < 0.5]
        popularity = objective["popularity"][~thin]
        required = np.concatenate((thin_supporters, np.repeat(supported, 2)))[:total]
        parent = rng.permutation(
            np.concatenate((required, rng.choice(supported, size=total - len(required), p=popularity)))
        )
        pace = objective["pace"][np.searchsorted(ids_of_objectives, parent)]
        ids = rows.add(
            level=np.full(total, LEVEL_DEPARTMENT),
            development=np.zeros(total, dtype=bool),
            title=join_text(
                pick(company.department_themes, department),
                ": ",
                pick(DEPARTMENT_GOAL_TITLES, rng.integers(0, len(DEPARTMENT_GOAL_TITLES), total)),
            ),
            parent=parent,
            owner=company.department_head_id[department],
            unit=company.department_unit[department],
            slot=np.full(total, year_index),
            weight=draw_weight(rng, total),
            pace=pace,
        )
        start[year_index] = ids[0] + np.cumsum(counts) - counts
        paces.append(pace)
    return {"count": count, "start": start, "pace": np.concatenate(paces)}


def _team_goals(company: DemoCompany, rows: _GoalRows, department_goals: dict) -> dict:
    """1-3 goals per team and quarter, under a department goal of their department and year."""
    rng, n_departments, n_teams = company.rng, len(company.department_unit), len(company.team_unit)
    # Team performance: a tenth of teams are clearly behind all along.
    struggling = rng.random(n_teams) < 0.10
    company.team_pace = np.where(struggling, rng.uniform(0.35, 0.6, n_teams), rng.normal(1.1, 0.08, n_teams))

    flat_counts = (1 + rng.choice(3, size=(8, n_teams), p=(0.65, 0.28, 0.07))).ravel()  # quarter-major
    block = np.repeat(np.arange(8 * n_teams), flat_counts)
    quarter_index, team = block // n_teams, block % n_teams
    total = len(block)
    year_index = quarter_index // 4
    department = company.team_department[team]
    parent = pick_in_group(
        rng,
        department_goals["start"].ravel(),
        department_goals["count"].ravel(),
        year_index * n_departments + department,
    )
    inherited_pace = department_goals["pace"][parent - int(department_goals["start"][0, 0])]
    disconnected_block = rng.random(8 * n_teams) < 0.03  # the team contributes to nothing that quarter
    orphan = disconnected_block[block] | (rng.random(total) < 0.015)
    parent = np.where(orphan, 0, parent)
    pace = np.where(orphan, 1.0, inherited_pace) * company.team_pace[team]
    ids = rows.add(
        level=np.full(total, LEVEL_TEAM),
        development=np.zeros(total, dtype=bool),
        title=pick_from_pools(
            rng, [d.team_goals for d in company.divisions], company.unit_division[company.team_unit[team]]
        ),
        parent=parent,
        owner=company.team_lead_id[team],
        unit=company.team_unit[team],
        slot=quarter_slot(quarter_index),
        weight=draw_weight(rng, total),
        pace=pace * rng.normal(1.0, 0.05, total),
    )
    company.team_goal_ids = ids
    company.team_goal_quarter = quarter_index
    company.team_goal_department = department
    return {"ids": ids, "counts": flat_counts, "start": ids[0] + np.cumsum(flat_counts) - flat_counts, "pace": pace}


def _individual_goals(company: DemoCompany, rows: _GoalRows, team_goals: dict) -> None:
    """For quarters that have started, most members of most teams; leads own the team goals instead."""
    rng, n_teams = company.rng, len(company.team_unit)
    participation = rng.beta(5.5, 4.5, n_teams)
    people = np.flatnonzero(company.role == MEMBER)
    quarter_start = company.period_start[quarter_slot(np.arange(8))]
    eligible = (
        (company.hire_day[people, None] <= quarter_start[None, :] + 30)
        & (company.leave_day[people, None] > quarter_start[None, :] + 30)
        & (quarter_start[None, :] <= company.today_day)
    )
    has_goals = eligible & (rng.random(eligible.shape) < participation[company.team[people]][:, None])
    person_position, quarter_index = np.nonzero(has_goals.T)[::-1]  # quarter-major, then person
    counts = 1 + (rng.random(len(person_position)) < 0.05)
    person = np.repeat(people[person_position], counts)
    quarter_index = np.repeat(quarter_index, counts)
    total = len(person)
    team = company.team[person]
    team_goal_ids = team_goals["ids"]
    parent_position = pick_in_group(
        rng, team_goals["start"] - team_goal_ids[0], team_goals["counts"], quarter_index * n_teams + team
    )
    orphan = rng.random(total) < 0.035
    parent = np.where(orphan, 0, team_goal_ids[parent_position])
    pace = np.where(orphan, company.team_pace[team], team_goals["pace"][parent_position])
    rows.add(
        level=np.full(total, LEVEL_INDIVIDUAL),
        development=np.zeros(total, dtype=bool),
        title=pick_from_pools(
            rng, [d.individual_goals for d in company.divisions], company.unit_division[company.unit[person]]
        ),
        parent=parent,
        owner=person + 1,
        unit=company.unit[person],
        slot=quarter_slot(quarter_index),
        weight=draw_weight(rng, total),
        pace=pace * rng.normal(1.0, 0.08, total),
    )


def _development_goals(company: DemoCompany, rows: _GoalRows) -> None:
    """One a year for 30-70% of a team; leaders above teams: half of them."""
    rng, n_teams = company.rng, len(company.team_unit)
    in_team = company.team >= 0
    development_rate = np.where(in_team, rng.beta(4, 4, n_teams)[np.maximum(company.team, 0)], 0.5)
    for year_index in range(2):
        year_start = company.period_start[year_index]
        year_end = company.period_end[year_index]
        eligible = (company.hire_day <= min(year_end, company.today_day)) & (company.leave_day > year_start + 60)
        person = np.flatnonzero(eligible & (rng.random(company.n_employees) < development_rate))
        total = len(person)
        rows.add(
            level=np.full(total, LEVEL_INDIVIDUAL),
            development=np.ones(total, dtype=bool),
            title=pick(DEVELOPMENT_GOAL_TITLES, rng.integers(0, len(DEVELOPMENT_GOAL_TITLES), total)),
            parent=np.zeros(total, dtype=np.int64),
            owner=person + 1,
            unit=company.unit[person],
            slot=np.full(total, year_index),
            weight=draw_weight(rng, total),
            pace=np.clip(rng.normal(0.85, 0.25, total), 0.1, 1.2),
        )


def goals(company: DemoCompany) -> dict[str, pl.DataFrame]:
    """The goal tree of both years; ~2% of everything below the company objectives archived."""
    rows = _GoalRows()
    objectives = _objectives(company, rows)
    department_goals = _department_goals(company, rows, objectives)
    team_goals = _team_goals(company, rows, department_goals)
    _individual_goals(company, rows, team_goals)
    _development_goals(company, rows)

    parts = rows.parts
    columns = {key: np.concatenate([part[key] for part in parts]) for key in parts[0] if key != "title"}
    titles = pl.concat([part["title"] for part in parts])
    archived = (columns["level"] != LEVEL_COMPANY) & (company.rng.random(len(columns["id"])) < 0.02)
    company.goal = columns
    return {
        "goal": model_frame(
            "goal",
            id=columns["id"],
            parent_id=ids_or_null(columns["parent"]),
            title=titles,
            level=pick(GOAL_LEVEL_NAMES, columns["level"]),
            kind=pick(("business", "development"), columns["development"].astype(np.int64)),
            owner_employee_id=columns["owner"],
            org_unit_id=columns["unit"],
            period_id=company.period_id[columns["slot"]],
            weight=columns["weight"],
            archived=archived,
        )
    }


def goal_links(company: DemoCompany) -> dict[str, pl.DataFrame]:
    """~3% of team goals link to a department or team goal of another department of the same period."""
    rng = company.rng
    goal = company.goal
    team_goals = company.team_goal_ids
    n_team_goals = len(team_goals)
    source = rng.choice(n_team_goals, size=round(0.03 * n_team_goals), replace=False)
    to_department_goal = rng.random(len(source)) < 0.5

    department_goals = np.flatnonzero(goal["level"] == LEVEL_DEPARTMENT)
    department_goal_year = goal["slot"][department_goals]
    department_goal_department = np.searchsorted(company.department_unit, goal["unit"][department_goals])
    year_counts = np.bincount(department_goal_year, minlength=2)
    year_starts = np.cumsum(year_counts) - year_counts
    source_year = company.team_goal_quarter[source] // 4
    department_target = pick_in_group(rng, year_starts, year_counts, source_year)

    quarter_counts = np.bincount(company.team_goal_quarter, minlength=8)
    quarter_starts = np.cumsum(quarter_counts) - quarter_counts
    team_target = pick_in_group(rng, quarter_starts, quarter_counts, company.team_goal_quarter[source])

    target_id = np.where(to_department_goal, goal["id"][department_goals[department_target]], team_goals[team_target])
    target_department = np.where(
        to_department_goal, department_goal_department[department_target], company.team_goal_department[team_target]
    )
    keep = target_department != company.team_goal_department[source]
    source_id, target_id = team_goals[source][keep], target_id[keep]
    # Edges always point to a lower id, like parent edges, so links can never close a cycle.
    pairs = np.unique(np.stack((np.maximum(source_id, target_id), np.minimum(source_id, target_id)), axis=1), axis=0)
    n = len(pairs)
    return {
        "goal_link": model_frame(
            "goal_link",
            id=np.arange(1, n + 1),
            goal_id=pairs[:, 0],
            target_goal_id=pairs[:, 1],
            link_type=pick(("contributes", "supports"), (rng.random(n) < 0.2).astype(np.int64)),
            weight=np.where(rng.random(n) < 0.3, 0.5, 1.0),
        )
    }
