"""The Overview screen's questions: is the strategy on pace in this scope, and what is most behind?"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from queries.alignment import period_alignment
from queries.checkins import checkin_coverage_at
from queries.frames import rows_with_ids
from queries.kpis import Kpi, kpi_frame
from queries.model import Filters, Settings, Snapshot, Viewer
from queries.periods import comparable_as_of, previous_period_id
from queries.rollup import MEASURED_STATUSES
from queries.scope import scope_of

DEFAULT_SETTINGS = Settings()

OVERVIEW_KPIS = (
    Kpi("objectives", "Company objectives", "count", help="Company objectives of the period that this scope carries."),
    Kpi("objectives_no_data", "No data yet", "count", rise_is_good=False, help="Carried objectives with "
        "nothing measured under them yet: neither 0% nor behind, and left out of Progress."),
    Kpi("progress", "Progress", help="How far the strategy is in this scope: the company objectives' progress as "
        "carried by the scope, weighted by objective weight (objectives with no data left out). The delta compares "
        "the same point of the previous period. Expected by now: {expected:.0%}."),
    Kpi("expected", "Expected by now", card=False),
    Kpi("goals_progress", "Goals' mean", help="The plain mean progress of the scope's measured business "
        "goals at every level, a second view of the same question. Expected by now: {goals_expected:.0%}."),
    Kpi("goals_expected", "Goals expected by now", card=False),
    Kpi("on_track", "On track", help="Share of the scope's measured business goals at or above "
        "{on_track_ratio:.0%} of the pace the calendar asks for."),
    Kpi("at_risk", "At risk", rise_is_good=False, help="Share of the scope's measured business goals between "
        "{at_risk_ratio:.0%} and {on_track_ratio:.0%} of the pace the calendar asks for."),
    Kpi("behind", "Behind", rise_is_good=False, help="Share of the scope's measured business goals below "
        "{at_risk_ratio:.0%} of the pace the calendar asks for."),
    Kpi("alignment", "Alignment", help="Share of business goals below company level that ladder up to a company "
        "objective."),
    Kpi("checkin_coverage", "Check-in coverage", help="Share of active people with a manager who had a check-in in "
        "the last {checkin_window_days} days."),
    Kpi("people_rated", "People rated", "count", help="People in scope with a final rating in the latest closed "
        "review cycle."),
)


def _weighted(frame: pl.DataFrame, column: str) -> float | None:
    """The weight-weighted mean of `column` over the rows of `frame` (None when the weights sum to nothing)."""
    total = frame["weight"].fill_null(0.0).sum()
    return (frame[column] * frame["weight"].fill_null(0.0)).sum() / total if frame.height and total > 0 else None


def _kpis(snapshot: Snapshot, filters: Filters, settings: Settings) -> dict[str, float | int | None]:
    scope = scope_of(snapshot, filters)
    business = scope.progress(settings).filter(pl.col("in_scope") & (pl.col("kind") == "business"))
    objectives = scope.objectives(settings)
    with_data = objectives.filter(pl.col("progress").is_not_null())
    measured = business.filter(pl.col("status").is_in(MEASURED_STATUSES))
    status_share = {
        key: (measured.filter(pl.col("status") == label).height / measured.height if measured.height else None)
        for key, label in (("on_track", "on track"), ("at_risk", "at risk"), ("behind", "behind"))
    }
    below_company = business.filter(pl.col("level") != "company")
    aligned = rows_with_ids(period_alignment(snapshot, filters.period_id), below_company["id"])
    alignment = aligned["objective_id"].is_not_null().sum() / below_company.height if below_company.height else None
    people = scope.people()
    coverage = checkin_coverage_at(snapshot, people, filters.as_of, settings.checkin_window_days)["coverage"]
    return {
        "objectives": objectives.height,
        "objectives_no_data": objectives.height - with_data.height,
        "progress": _weighted(with_data, "progress"),
        "expected": _weighted(with_data, "expected"),
        "goals_progress": measured["progress"].mean() if measured.height else None,
        "goals_expected": measured["expected"].mean() if measured.height else None,
        **status_share,
        "alignment": alignment,
        "checkin_coverage": coverage,
        "people_rated": rated_people(snapshot, people, filters),
    }


def rated_people(snapshot: Snapshot, people: pl.DataFrame, filters: Filters) -> int | None:
    """People in scope with a final rating in the latest review cycle closed by the as-of date."""
    cycles = snapshot.review_cycle.filter(pl.col("closed_on").is_not_null() & (pl.col("closed_on") <= filters.as_of))
    if cycles.is_empty():
        return None
    latest = cycles.sort("closed_on")["id"][-1]
    ratings = snapshot.derived(
        ("rated_in_cycle", latest),
        lambda: snapshot.rating.filter(pl.col("cycle_id") == latest).select("employee_id").unique(),
    )
    return people.join(ratings, left_on="id", right_on="employee_id", how="semi").height


def overview_kpis(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """One row per KPI: value in scope now, and the same KPI at the same point of the previous period."""
    current = _kpis(snapshot, filters, settings)
    previous_id = previous_period_id(snapshot, filters.period_id)
    if previous_id is None:
        previous = dict.fromkeys(current)
    else:
        as_of = comparable_as_of(snapshot, filters.period_id, filters.as_of, previous_id)
        previous = _kpis(snapshot, replace(filters, period_id=previous_id, as_of=as_of), settings)
    return kpi_frame(OVERVIEW_KPIS, current, previous, settings)


def objective_progress(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Each company objective's progress as carried by the scope, expected progress, pace ratio and status."""
    scope = scope_of(snapshot, filters)
    progress = scope.progress(settings)
    contributing = progress.filter(pl.col("in_scope") & (pl.col("level") != "company"))["id"]
    contributors = (
        rows_with_ids(period_alignment(snapshot, filters.period_id), contributing)
        .group_by("objective_id")
        .agg(pl.len().alias("contributing_goals"))
    )
    return (
        scope.objectives(settings)
        .join(contributors, left_on="id", right_on="objective_id", how="left")
        .with_columns(
            pl.col("contributing_goals").fill_null(0).cast(pl.Int64),
            (pl.col("expected") - pl.col("progress")).alias("gap"),
        )
        .select("id", "title", "progress", "expected", "pace_ratio", "status", "contributing_goals", "gap")
        .sort("title")
    )


def objectives_most_behind(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS, limit: int = 5
) -> pl.DataFrame:
    """The objectives furthest behind pace (lowest progress / expected), worst first."""
    return (
        objective_progress(snapshot, filters, viewer, settings)
        .filter(pl.col("status").is_in(MEASURED_STATUSES))
        .sort(["pace_ratio", "title"], nulls_last=True)
        .head(limit)
    )
