"""Check-in cadence: how often managers and people actually meet.

Definitions (design.md, "Check-in cadence"), for the people expected to have check-ins: the active people in scope
with a manager (the head of the organisation, or anyone else without a manager, is never "lapsed"):
- days since last check-in = as_of - the person's latest check-in held on or before as_of (null: never);
- covered = a check-in at most `checkin_window_days` days before as_of (days since 0..window); coverage = the share
  of people covered;
- lapsed = the last check-in more than `lapse_days` days before as_of; never = no check-in at all. With window =
  lapse (both 30 by default), every person is exactly one of covered, lapsed and never (`state`); "lapsed people"
  counts the lapsed and the never together, as the people to follow up;
- check-ins per person per 30 days = check-ins held from the period's start to as_of / people / days elapsed × 30;
- interval = days between a check-in held in that span and the same person's previous check-in.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import polars as pl

from queries.association import fitted_line, pearson_with_ci
from queries.frames import group_names, id_names
from queries.kpis import Kpi, kpi_frame
from queries.model import Filters, Settings, Snapshot, Viewer
from queries.periods import comparable_as_of, period_row, previous_period_id
from queries.rollup import MEASURED_STATUSES, period_goals, period_progress
from queries.scope import goal_region, scope_of

DEFAULT_SETTINGS = Settings()

CHECKIN_KPIS = (
    Kpi("coverage", "Check-in coverage", help="Share of active people with a manager who had a check-in in the last "
        "{checkin_window_days} days. Deltas compare the same point of the previous period."),
    Kpi("median_days_since", "Median days since check-in", "days", rise_is_good=False,
        help="Half the people had their last check-in more recently than this, among those who have had one at all. "
        "Lower is better."),
    Kpi("checkins_per_person", "Check-ins / person / 30 days", "rate", help="Check-ins held so far this period ÷ "
        "people ÷ days elapsed × 30. Weekly 1:1s give about 4.3, fortnightly about 2.1, monthly about 1."),
    Kpi("lapsed_people", "Lapsed people", "count", rise_is_good=False, help="Active people with a manager and no "
        "check-in for more than {lapse_days} days, or none on record."),
)

# Bins of the days-since distribution: weeks up to 13 weeks, then one open bin, then "never".
_BIN_DAYS = 7
_LAST_BIN = 13
NEVER = "never"


def expected_to_check_in(people: pl.DataFrame) -> pl.DataFrame:
    """The people (employee rows) expected to have check-ins: those with a manager."""
    return people.filter(pl.col("manager_id").is_not_null())


def checkin_coverage_at(
    snapshot: Snapshot, people: pl.DataFrame, as_of: date, window_days: int
) -> dict[str, float | int]:
    """Coverage = share of `people` expected to have check-ins (those with a manager) with a check-in at most
    `window_days` days before as_of."""
    people = expected_to_check_in(people)
    since = as_of - timedelta(days=window_days)
    recent = snapshot.derived(
        ("checked_in", as_of, window_days),
        lambda: snapshot.checkin.filter(pl.col("held_at").is_between(since, as_of)).select("employee_id").unique(),
    )
    covered = people.join(recent, left_on="id", right_on="employee_id", how="semi").height
    total = people.height
    return {"people": total, "covered": covered, "coverage": covered / total if total else None}


def checkin_coverage(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Coverage = share of active people in scope with a manager with a check-in at most `checkin_window_days` days
    before as_of."""
    people = scope_of(snapshot, filters).people()
    return pl.DataFrame([checkin_coverage_at(snapshot, people, filters.as_of, settings.checkin_window_days)])


# --- per-person cadence, memoised per (period, as-of) -------------------------------------------------------


def elapsed_days(snapshot: Snapshot, period_id: int, as_of: date) -> int:
    """Days of the period up to and including as_of (0 before it starts)."""
    row = period_row(snapshot, period_id)
    return max((min(as_of, row["end_date"]) - row["start_date"]).days + 1, 0)


def active_checkins(snapshot: Snapshot) -> pl.DataFrame:
    """Check-ins of active people by person and date, each with `interval` = days since that person's previous
    check-in (null for their first); memoised, so every as-of date and period only filters it."""

    def compute() -> pl.DataFrame:
        active = snapshot.employee.filter(pl.col("active")).select(pl.col("id").alias("employee_id"))
        return (
            snapshot.checkin.select("employee_id", "held_at")
            .join(active, on="employee_id", how="semi")
            .sort("employee_id", "held_at")
            .with_columns(
                (pl.col("held_at") - pl.col("held_at").shift(1).over("employee_id")).dt.total_days().alias("interval")
            )
        )

    return snapshot.derived("active_checkins", compute)


def _active_checkins(snapshot: Snapshot, as_of: date) -> pl.DataFrame:
    return active_checkins(snapshot).filter(pl.col("held_at") <= as_of)


def person_cadence(snapshot: Snapshot, period_id: int, as_of: date, settings: Settings) -> pl.DataFrame:
    """Every active person with a manager: last check-in, days since, covered, lapsed, never, state and check-ins held
    in the period so far.

    Memoised per snapshot, so a filter change only narrows this frame."""
    start = period_row(snapshot, period_id)["start_date"]

    def compute() -> pl.DataFrame:
        held = _active_checkins(snapshot, as_of)
        per_person = held.group_by("employee_id").agg(
            pl.col("held_at").max().alias("last_checkin"),
            (pl.col("held_at") >= start).sum().cast(pl.Int64).alias("checkins"),
        )
        days_since = pl.col("days_since")
        return (
            expected_to_check_in(snapshot.employee.filter(pl.col("active")))
            .select("id", "name", "manager_id", "org_unit_id", "region_id", "work_mode")
            .join(per_person, left_on="id", right_on="employee_id", how="left")
            .with_columns(
                pl.col("checkins").fill_null(0),
                (pl.lit(as_of) - pl.col("last_checkin")).dt.total_days().alias("days_since"),
            )
            .with_columns(
                (days_since <= settings.checkin_window_days).fill_null(False).alias("covered"),
                days_since.is_null().alias("never"),
                (days_since.is_null() | (days_since > settings.lapse_days)).alias("lapsed"),
                pl.when(days_since.is_null())
                .then(pl.lit("never"))
                .when(days_since > settings.lapse_days)
                .then(pl.lit("lapsed"))
                .when(days_since <= settings.checkin_window_days)
                .then(pl.lit("covered"))
                .otherwise(pl.lit("due"))
                .alias("state"),
            )
        )

    key = ("person_cadence", start, as_of, settings.checkin_window_days, settings.lapse_days)
    return snapshot.derived(key, compute)


def checkin_intervals(snapshot: Snapshot, period_id: int, as_of: date) -> pl.DataFrame:
    """Per check-in held from the period's start to as_of: days since the same person's previous check-in."""
    start = period_row(snapshot, period_id)["start_date"]

    def compute() -> pl.DataFrame:
        return (
            active_checkins(snapshot)
            .filter(pl.col("held_at").is_between(start, as_of) & pl.col("interval").is_not_null())
            .select("employee_id", "interval")
        )

    return snapshot.derived(("checkin_intervals", start, as_of), compute)


def cadence_in_scope(snapshot: Snapshot, filters: Filters, settings: Settings) -> pl.DataFrame:
    """The per-person cadence of the active people the filters select; memoised per filters, since every question
    of the screen starts from it. The cadence rows are active people with their own unit and region, so the scope
    narrows them as it narrows the people."""

    def compute() -> pl.DataFrame:
        return scope_of(snapshot, filters).narrow(person_cadence(snapshot, filters.period_id, filters.as_of, settings))

    return snapshot.derived(("scope_cadence", filters, settings), compute)


def _rate(checkins: pl.Expr, people: pl.Expr, days: int) -> pl.Expr:
    """Check-ins per person per 30 days."""
    return pl.when((people > 0) & (days > 0)).then(checkins / people / days * 30.0)


# --- the Check-ins screen -----------------------------------------------------------------------------------


def _kpis(snapshot: Snapshot, filters: Filters, settings: Settings) -> dict[str, float | None]:
    people = cadence_in_scope(snapshot, filters, settings)
    days = elapsed_days(snapshot, filters.period_id, filters.as_of)
    if people.is_empty():
        return dict.fromkeys(kpi.key for kpi in CHECKIN_KPIS)
    return {
        "coverage": people["covered"].mean(),
        "median_days_since": people["days_since"].median(),
        "checkins_per_person": people["checkins"].sum() / people.height / days * 30.0 if days else None,
        "lapsed_people": float(people["lapsed"].sum()),
    }


def checkin_kpis(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """One row per cadence KPI: in scope now, and at the same point of the previous period (median days since
    counts people with at least one check-in; rate = check-ins so far this period / people / days elapsed × 30)."""
    current = _kpis(snapshot, filters, settings)
    previous_id = previous_period_id(snapshot, filters.period_id)
    if previous_id is None:
        previous = dict.fromkeys(current)
    else:
        as_of = comparable_as_of(snapshot, filters.period_id, filters.as_of, previous_id)
        previous = _kpis(snapshot, replace(filters, period_id=previous_id, as_of=as_of), settings)
    return kpi_frame(CHECKIN_KPIS, current, previous, settings)


def days_since_distribution(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """People in scope per bin of days since their last check-in (weeks; 91+; never), split lapsed / not lapsed;
    every bin is present, empty ones with 0."""
    people = cadence_in_scope(snapshot, filters, settings)
    counts = (
        people.with_columns(
            (pl.col("days_since") // _BIN_DAYS).clip(upper_bound=_LAST_BIN).fill_null(_LAST_BIN + 1).alias("order"),
            pl.when(pl.col("lapsed")).then(pl.lit("lapsed")).otherwise(pl.lit("not lapsed")).alias("state"),
        )
        .group_by("order", "state")
        .agg(pl.len().cast(pl.Int64).alias("people"))
    )
    labels = [f"{b * _BIN_DAYS}–{b * _BIN_DAYS + _BIN_DAYS - 1}" for b in range(_LAST_BIN)]
    labels += [f"{_LAST_BIN * _BIN_DAYS}+", NEVER]
    grid = pl.DataFrame({"order": range(len(labels)), "days": labels}, schema={"order": pl.Int64, "days": pl.String})
    return (
        grid.join(pl.DataFrame({"state": ["not lapsed", "lapsed"]}), how="cross")
        .join(counts, on=["order", "state"], how="left")
        .with_columns(pl.col("people").fill_null(0))
        .sort("order", "state")
    )


def weekly_unit_checkins(snapshot: Snapshot, period_id: int, as_of: date) -> pl.DataFrame:
    """Check-ins of active people from the period's start to as_of per (org unit, region, week); memoised, and
    exact for any filter, since the filters select whole units and regions."""
    start = period_row(snapshot, period_id)["start_date"]

    def compute() -> pl.DataFrame:
        people = snapshot.employee.select("id", "org_unit_id", "region_id")
        return (
            _active_checkins(snapshot, as_of)
            .filter(pl.col("held_at") >= start)
            .join(people, left_on="employee_id", right_on="id", how="inner")
            .group_by("org_unit_id", "region_id", pl.col("held_at").dt.truncate("1w").alias("week"))
            .agg(pl.len().cast(pl.Int64).alias("checkins"))
        )

    return snapshot.derived(("weekly_unit_checkins", start, as_of), compute)


def weekly_checkins(
    snapshot: Snapshot,
    filters: Filters,
    viewer: Viewer,
    settings: Settings = DEFAULT_SETTINGS,
    by: str = "team",
    limit: int = 25,
) -> pl.DataFrame:
    """Check-ins per person per week (Monday start) from the period's start to as_of, by team (the `limit`
    largest by headcount) or by region: check-ins held that week by the group's people / the group's people."""
    column, names = group_names(snapshot.region, snapshot.org_unit, by)
    people = cadence_in_scope(snapshot, filters, settings).select("id", column)
    headcount = (
        people.group_by(column)
        .agg(pl.len().cast(pl.Int64).alias("people"))
        .sort(["people", column], descending=[True, False])
    )
    if by != "region":
        headcount = headcount.head(limit)
    start = period_row(snapshot, filters.period_id)["start_date"]
    first, last = (pl.Series([start, max(filters.as_of, start)]).dt.truncate("1w")).to_list()
    weeks = pl.date_range(first, last, "1w", eager=True).alias("week")
    held = (
        scope_of(snapshot, filters).narrow(weekly_unit_checkins(snapshot, filters.period_id, filters.as_of))
        .join(headcount.select(column), on=column, how="semi")
        .group_by(column, "week")
        .agg(pl.col("checkins").sum())
    )
    return (
        headcount.join(pl.DataFrame(weeks), how="cross")
        .join(held, on=[column, "week"], how="left")
        .join(names, on=column, how="left")
        .with_columns(
            pl.col("checkins").fill_null(0),
            (pl.col("checkins").fill_null(0) / pl.col("people")).alias("per_person"),
        )
        .select(pl.col(column).alias("group_id"), "group", "people", "week", "checkins", "per_person")
        .sort(["people", "group", "week"], descending=[True, False, False])
    )


def manager_cadence(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Per manager of people in scope: reports, check-ins per report per 30 days this period, median interval
    between a report's check-ins, and reports lapsed (no check-in for more than `lapse_days` days)."""
    people = cadence_in_scope(snapshot, filters, settings).filter(pl.col("manager_id").is_not_null())
    days = elapsed_days(snapshot, filters.period_id, filters.as_of)
    intervals = (
        checkin_intervals(snapshot, filters.period_id, filters.as_of)
        .join(people.select("id", "manager_id"), left_on="employee_id", right_on="id", how="inner")
        .group_by("manager_id")
        .agg(pl.col("interval").median().alias("median_interval"))
    )
    managers = snapshot.employee.select(
        pl.col("id").alias("manager_id"), pl.col("name").alias("manager"), "org_unit_id"
    ).join(id_names(snapshot.org_unit, "org_unit_id", "team"), on="org_unit_id", how="left")
    return (
        people.group_by("manager_id")
        .agg(
            pl.len().cast(pl.Int64).alias("reports"),
            pl.col("checkins").sum().alias("checkins"),
            pl.col("lapsed").sum().cast(pl.Int64).alias("lapsed_reports"),
        )
        .join(managers, on="manager_id", how="inner")
        .join(intervals, on="manager_id", how="left")
        .with_columns(
            _rate(pl.col("checkins"), pl.col("reports"), days).alias("checkins_per_report"),
            (pl.col("lapsed_reports") / pl.col("reports")).alias("lapsed_share"),
        )
        .select(
            "manager_id",
            "manager",
            "team",
            "reports",
            "checkins_per_report",
            "median_interval",
            "lapsed_reports",
            "lapsed_share",
        )
        .sort(["lapsed_reports", "checkins_per_report", "manager"], descending=[True, False, False], nulls_last=True)
    )


def lapsed_people(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Active people in scope with no check-in for more than `lapse_days` days (or none at all), longest first."""
    people = cadence_in_scope(snapshot, filters, settings).filter(pl.col("lapsed"))
    managers = id_names(snapshot.employee, "manager_id", "manager")
    return (
        people.join(managers, on="manager_id", how="left")
        .join(id_names(snapshot.org_unit, "org_unit_id", "team"), on="org_unit_id", how="left")
        .join(id_names(snapshot.region, "region_id", "region"), on="region_id", how="left")
        .select("id", "name", "team", "region", "manager", "last_checkin", "days_since")
        .sort(["days_since", "name"], descending=[True, False], nulls_last=False)
    )


# --- cadence against progress -------------------------------------------------------------------------------


def unit_progress(snapshot: Snapshot, period_id: int, as_of: date, settings: Settings) -> pl.DataFrame:
    """Per (owning org unit, goal region): sums of progress and of expected progress over the period's measured
    business goals; memoised, so a filter change only narrows and sums it."""

    def compute() -> pl.DataFrame:
        in_period = period_goals(snapshot, period_id).filter(pl.col("kind") == "business").select("id")
        measured = (
            period_progress(snapshot, period_id, as_of, settings)
            .join(in_period, on="id", how="semi")
            .filter(pl.col("status").is_in(MEASURED_STATUSES))
        )
        return (
            goal_region(snapshot, measured)
            .group_by("org_unit_id", "region_id")
            .agg(
                pl.len().cast(pl.Int64).alias("goals"),
                pl.col("progress").sum().alias("progress_sum"),
                pl.col("expected").sum().alias("expected_sum"),
            )
        )

    return snapshot.derived(("unit_progress", period_id, as_of, settings), compute)


def cadence_vs_progress(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Per team in scope: check-ins per person per 30 days this period (x) and progress / expected over the team's
    measured business goals (y, 1 = on pace). Teams with no people or no measured goal are left out."""
    people = cadence_in_scope(snapshot, filters, settings)
    days = elapsed_days(snapshot, filters.period_id, filters.as_of)
    teams = snapshot.org_unit.filter(pl.col("kind") == "team").select(
        pl.col("id").alias("org_unit_id"), pl.col("name").alias("team")
    )
    cadence = (
        people.group_by("org_unit_id")
        .agg(pl.len().cast(pl.Int64).alias("people"), pl.col("checkins").sum())
        .with_columns(_rate(pl.col("checkins"), pl.col("people"), days).alias("checkins_per_person"))
    )
    progress = scope_of(snapshot, filters).narrow(unit_progress(snapshot, filters.period_id, filters.as_of, settings))
    progress = progress.group_by("org_unit_id").agg(
        pl.col("goals").sum(), (pl.col("progress_sum").sum() / pl.col("expected_sum").sum()).alias("pace")
    )
    return (
        teams.join(cadence, on="org_unit_id", how="inner")
        .join(progress, on="org_unit_id", how="inner")
        .filter(pl.col("checkins_per_person").is_not_null() & pl.col("pace").is_finite())
        .select("org_unit_id", "team", "people", "goals", "checkins_per_person", "pace")
        .sort("team")
    )


def cadence_progress_association(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Across teams in scope: Pearson r of check-ins per person per 30 days with progress / expected, its 95% CI
    (Fisher z) and the least-squares line pace = intercept + slope × cadence."""
    teams = cadence_vs_progress(snapshot, filters, viewer, settings)
    x, y = teams["checkins_per_person"].to_list(), teams["pace"].to_list()
    r = pearson_with_ci(x, y)
    line = fitted_line(x, y)
    return pl.DataFrame(
        [{**r, **line}],
        schema={
            "n": pl.Int64,
            "r": pl.Float64,
            "ci_low": pl.Float64,
            "ci_high": pl.Float64,
            "slope": pl.Float64,
            "intercept": pl.Float64,
        },
    )
