"""Progress: are the objectives on pace over the period, where, which goals are most behind, and what changed."""

from datetime import date

import polars as pl
import streamlit as st

from components.charts import show
from components.context import current
from components.data import ask
from components.forecast_charts import calibration_chart, forecast_intervals, forecast_table, skill_table
from components.format import day, pct
from components.notes import NOTE_COLUMN, with_latest_note
from components.pins import pin_button, since_last_pin
from components.progress_charts import burnup_chart, pace_heatmap_chart, trend_chart
from components.tables import data_table
from queries.backtest import BACKTEST_MIN_GOALS, BACKTEST_QUARTERS, forecast_calibration, forecast_skill
from queries.forecast import MIN_DAYS, MIN_UPDATES, objective_forecast
from queries.progress import (
    AT_RISK_LIMIT,
    default_comparison_date,
    goals_at_risk,
    objective_burnup,
    objective_changes,
    pace_heatmap,
    status_counts,
    status_moves,
)
from queries.review import objective_trend

context = current()
filters, viewer = context.filters, context.viewer

st.title("Progress")
st.caption(context.scope_label)

burnup = ask(objective_burnup, filters, viewer)
if burnup.is_empty():
    st.info("Nothing in this scope: no goals of these filters ladder up to a company objective. "
            "Widen the period, regions or team in the sidebar.", icon=":material/filter_alt_off:")
    st.stop()

counts = dict(ask(status_counts, filters, viewer).iter_rows())
measured = sum(counts[s] for s in ("on track", "at risk", "behind"))
_HELP = {
    "not started": "Business goals of this scope whose period has not begun yet.",
    "no data": "Business goals of this scope with nothing measured under them yet: neither 0% nor behind.",
}
cells = st.columns(5)
for cell, status in zip(cells, ("on track", "at risk", "behind", "not started", "no data"), strict=True):
    share = f" · {pct(counts[status] / measured)}" if measured and status not in _HELP else ""
    cell.metric(
        f"Goals {status}" if status != "no data" else "Goals with no data", f"{counts[status]:,}{share}", border=True,
        help=_HELP.get(status, f"Business goals of this scope whose progress / expected progress puts them {status}; "
                       "the share is of measured goals."),
    )

st.subheader("Objectives against pace")
st.caption("Each objective's rolled-up progress as carried by this scope, replayed from the progress-update history "
           "at weekly dates, against the pace line: the share of the objective's period elapsed, bent by the "
           "milestones of the key results beneath it where they have some.")
show(burnup_chart(burnup), name="Objectives against pace")

st.subheader("Trend over the year's quarters")
st.caption("Each objective at the end of each past quarter of the year and now, replayed from the same history; "
           "dashed: expected progress at those dates.")
show(trend_chart(ask(objective_trend, filters, viewer)), name="Objective trend over quarters")

st.subheader("Where the objectives stand")
st.caption("Cells show pace = progress / expected progress as of the as-of date: 1.00 is exactly on pace, below 1 "
           "behind (red), above 1 ahead (green). A blank cell: no goals there ladder up to the objective.")
# Only the open tab is drawn, so a filter change pays for one heatmap.
by_region, by_team = st.tabs(["By region", "By team"], key="progress_heatmap", on_change="rerun")
if by_region.open:
    with by_region:
        regions = ask(pace_heatmap, filters, viewer, by="region")
        if regions.is_empty():
            st.info("No region in this scope carries an objective.", icon=":material/filter_alt_off:")
        else:
            show(pace_heatmap_chart(regions, column_title="Region"), name="Pace by region")
if by_team.open:
    with by_team:
        teams = ask(pace_heatmap, filters, viewer, by="team")
        if teams.is_empty():
            st.info("No team in this scope carries an objective.", icon=":material/filter_alt_off:")
        else:
            st.caption("The ten teams with the most goals laddering up to an objective.")
            show(pace_heatmap_chart(teams, column_title="Team"), name="Pace by team")


def goals_at_risk_table() -> None:
    at_risk = ask(goals_at_risk, filters, viewer)
    behind_total = counts["behind"] + counts["at risk"]
    if at_risk.is_empty():
        st.success("No business goal in this scope is behind or at risk.", icon=":material/check_circle:")
        return
    shown = f"all {behind_total:,}"
    if behind_total > at_risk.height:
        shown = f"the {AT_RISK_LIMIT:,} furthest behind of {behind_total:,}"
    st.caption(f"Business goals behind or at risk, furthest behind pace first ({shown}). Click a column to sort.")
    data_table(
        with_latest_note(at_risk, viewer).drop("id"),
        "Goals at risk",
        {
            "title": st.column_config.TextColumn("Goal", width="large"),
            "level": st.column_config.TextColumn("Level"),
            "owner": st.column_config.TextColumn("Owner"),
            "team": st.column_config.TextColumn("Team"),
            "objective": st.column_config.TextColumn("Objective", help="The company objective it ladders up to"),
            "progress": st.column_config.ProgressColumn("Progress", format="percent", min_value=0, max_value=1),
            "expected": st.column_config.NumberColumn("Expected", format="percent",
                                                      help="Share of the goal's period elapsed, or its plan's share "
                                                      "where key results beneath it have milestones"),
            "pace_ratio": st.column_config.NumberColumn("Pace", format="%.2f", help="Progress / expected"),
            "gap": st.column_config.NumberColumn("Gap", format="percent", help="Expected minus progress"),
            "status": st.column_config.TextColumn("Status"),
            "p50": st.column_config.NumberColumn("Forecast", format="percent",
                                                 help="P50 of its end-of-period progress; blank: too little history"),
            "p_on_track": st.column_config.NumberColumn("Chance on track", format="percent",
                                                        help="Share of forecasts finishing at or above the on-track "
                                                        "pace"),
            "note": NOTE_COLUMN,
        },
        height=420,
        key="progress_at_risk",
    )


def what_changed() -> None:
    st.markdown("**Since the last pinned review**")
    pin_button(context)
    since_last_pin(context)
    st.markdown("**Since a date**")
    default_since = default_comparison_date(filters.as_of)
    since = st.date_input(
        "Compare with", value=default_since, max_value=filters.as_of, key="progress_since",
        help="Defaults to the last quarterly review: the first day of the current quarter.",
    )
    since = since if isinstance(since, date) else default_since
    changes = ask(objective_changes, filters, viewer, since=since)
    moves = ask(status_moves, filters, viewer, since=since)
    st.caption(f"Objectives on {day(since)} and on {day(filters.as_of)}.")
    data_table(
        changes.with_columns(pl.format("{} → {}", "status_then", "status").alias("move")).select(
            "title", "progress_then", "progress", "delta", "move"
        ),
        f"Objectives since {since:%Y-%m-%d}",
        {
            "title": st.column_config.TextColumn("Objective", width="large"),
            "progress_then": st.column_config.NumberColumn("Then", format="percent", help="Empty: nothing to measure"),
            "progress": st.column_config.ProgressColumn("Now", format="percent", min_value=0, max_value=1),
            "delta": st.column_config.NumberColumn("Change", format="percent", help="Progress now minus progress then"),
            "move": st.column_config.TextColumn("Status then → now"),
        },
        key="progress_changes",
    )
    st.caption("Business goals of this scope by status then (rows) and now (columns); “new”: their period began later.")
    order = ["on track", "at risk", "behind", "not started", "no data"]
    table = moves.pivot(on="to_status", index="from_status", values="goals").fill_null(0)
    table = table.select("from_status", *[s for s in order if s in table.columns]).sort(
        pl.col("from_status").replace_strict([*order, "new"], list(range(6)), default=6)
    )
    data_table(
        table,
        f"Status moves since {since:%Y-%m-%d}",
        {"from_status": st.column_config.TextColumn("Then")},
        key="progress_moves",
    )


st.subheader("Goals at risk, and what changed")
# Only the open tab is computed and drawn.
risk_tab, changed_tab = st.tabs(
    ["Goals at risk", "What changed since the last review"], key="progress_detail", on_change="rerun"
)
if risk_tab.open:
    with risk_tab:
        goals_at_risk_table()
if changed_tab.open:
    with changed_tab:
        what_changed()


def forecast_view() -> None:
    forecast = ask(objective_forecast, filters, viewer)
    if forecast["p50"].is_null().all():
        st.info(f"Too little history to forecast: no key result under these objectives has {MIN_UPDATES} updates "
                f"over {MIN_DAYS} days yet.", icon=":material/hourglass_empty:")
        return
    st.caption("Each objective's progress at the period's end as forecast from its key results' own update histories "
               "(docs/forecasting.md): the band runs from P10 to P90, the tick is P50, the dot is progress now.")
    show(forecast_intervals(forecast), name="Progress forecast", key="progress_forecast_chart")
    forecast_table(forecast, name="Progress forecast figures")


def trust_view() -> None:
    skill = ask(forecast_skill, filters, viewer)
    if skill.is_empty():
        st.info(f"No finished quarter in this scope has {BACKTEST_MIN_GOALS} goals to check the forecasts against.",
                icon=":material/hourglass_empty:")
        return
    whole = skill.row(0, named=True)
    st.caption(f"The last {BACKTEST_QUARTERS} finished quarters, each forecast from its middle day with only the "
               "history known then, against how each business goal finished. Brier score: the mean squared gap "
               "between the predicted chance and what happened (0 is perfect, 0.25 is always saying 50%).")
    cells = st.columns(3)
    cells[0].metric("Goals checked", f"{whole['goals']:,}", border=True)
    cells[1].metric("Forecast Brier", f"{whole['forecast_brier']:.3f}", border=True,
                    help="Lower is better; 0.25 is what always saying 50% scores.")
    cells[2].metric("Owners' confidence Brier", f"{whole['confidence_brier']:.3f}", border=True,
                    help="The owners' own confidence at the same day, scored the same way.")
    show(calibration_chart(ask(forecast_calibration, filters, viewer)), name="Forecast calibration",
         key="progress_calibration")
    st.caption("On the dashed diagonal, a predicted 70% comes true 70% of the time. Bands with fewer goals than "
               f"{BACKTEST_MIN_GOALS} (or the minimum group size) are left out.")
    for by, label in (("region", "Region"), ("team", "Team")):
        groups = ask(forecast_skill, filters, viewer, by=by)
        st.markdown(f"**By {by}**")
        if groups.is_empty():
            st.caption(f"No {by} in this scope has enough goals to say.")
            continue
        # The group whose owners' confident calls came true least often: where confidence needs a second look.
        confident = groups.filter(pl.col("confident_came_true").is_not_null()).sort("confident_came_true").head(1)
        if confident.height:
            row = confident.row(0, named=True)
            st.caption(f"{row['group']} owners' confident calls (70-90%) came true "
                       f"{pct(row['confident_came_true'])} of the time, over {row['confident_goals']:,} goals.")
        skill_table(groups, f"Forecast quality by {by}", label=label)


st.subheader("Will we make it?")
forecast_tab, trust_tab = st.tabs(["Forecast", "How far to trust it"], key="progress_forecast", on_change="rerun")
if forecast_tab.open:
    with forecast_tab:
        forecast_view()
if trust_tab.open:
    with trust_tab:
        trust_view()
