"""Check-ins: is the conversation rhythm that keeps goals alive actually happening?"""

import polars as pl
import streamlit as st

from components.charts import show
from components.context import current
from components.data import SETTINGS, ask
from components.kpis import kpi_row
from components.people_charts import cadence_scatter, days_since_histogram, weekly_heatmap
from components.tables import data_table
from queries.association import describe_association
from queries.checkins import (
    cadence_progress_association,
    cadence_vs_progress,
    checkin_kpis,
    days_since_distribution,
    lapsed_people,
    manager_cadence,
    weekly_checkins,
)

ROWS_SHOWN = 1000
HEATMAP_ROWS = 25

context = current()
filters, viewer = context.filters, context.viewer
window, lapse = SETTINGS.checkin_window_days, SETTINGS.lapse_days

st.title("Check-ins")
st.caption(context.scope_label)

kpis = ask(checkin_kpis, filters, viewer)
if kpis.filter(pl.col("kpi") == "coverage")["value"][0] is None:
    st.info(
        "Nobody is in this scope: no active people match these filters. Widen the regions or team in the sidebar.",
        icon=":material/filter_alt_off:",
    )
    st.stop()

kpi_row(kpis)

left, right = st.columns([2, 3], gap="large")
with left:
    st.subheader("Days since last check-in")
    show(
        days_since_histogram(ask(days_since_distribution, filters, viewer), lapse),
        name="Days since last check-in",
        key="checkins_days_since",
    )
    st.caption("One bar per week since the last check-in; “never” counts people with none on record.")
with right:
    st.subheader("Check-ins per week")
    by = st.segmented_control("Rows", ["Team", "Region"], default="Team", key="checkins_heatmap_by") or "Team"
    weekly = ask(weekly_checkins, filters, viewer, by=by.lower(), limit=HEATMAP_ROWS)
    show(weekly_heatmap(weekly, by), name=f"Check-ins per week by {by.lower()}", key="checkins_weekly")
    if by == "Team":
        st.caption(f"The {HEATMAP_ROWS} largest teams in scope by headcount; colour = check-ins per person that week.")

st.subheader("Managers")
managers = ask(manager_cadence, filters, viewer)
data_table(
    managers.drop("manager_id"),
    "Check-ins by manager",
    {
        "manager": st.column_config.TextColumn("Manager"),
        "team": st.column_config.TextColumn("Team"),
        "reports": st.column_config.NumberColumn("Reports in scope", help="Active direct reports in this scope."),
        "checkins_per_report": st.column_config.NumberColumn(
            "Check-ins per report per 30 days", format="%.2f", help="Check-ins held so far this period, per report."
        ),
        "median_interval": st.column_config.NumberColumn(
            "Median interval (days)",
            format="%.0f",
            help="Typical gap between a report's consecutive check-ins this period; blank when there is no second one.",
        ),
        "lapsed_reports": st.column_config.NumberColumn(
            "Lapsed reports", help=f"Reports with no check-in for more than {lapse} days, or none on record."
        ),
        "lapsed_share": st.column_config.ProgressColumn("Share lapsed", format="percent", min_value=0, max_value=1),
    },
    height=360,
    limit=ROWS_SHOWN,
    key="checkins_managers",
)
st.caption("Most lapsed reports first. Click a column heading to sort.")

st.subheader("Lapsed people")
lapsed = ask(lapsed_people, filters, viewer)
if lapsed.is_empty():
    st.success(f"Everyone in scope had a check-in in the last {lapse} days.", icon=":material/check_circle:")
else:
    data_table(
        lapsed.drop("id"),
        "Lapsed people",
        {
            "name": st.column_config.TextColumn("Person"),
            "team": st.column_config.TextColumn("Team"),
            "region": st.column_config.TextColumn("Region"),
            "manager": st.column_config.TextColumn("Manager"),
            "last_checkin": st.column_config.DateColumn("Last check-in", format="D MMM YYYY"),
            "days_since": st.column_config.NumberColumn("Days since"),
        },
        height=320,
        limit=ROWS_SHOWN,
        key="checkins_lapsed",
    )
    st.caption("A blank last check-in means none on record; those people come first.")

st.subheader("Cadence and progress")
teams = ask(cadence_vs_progress, filters, viewer)
if teams.is_empty():
    st.info("No team in this scope has both people and measured goals this period.", icon=":material/info:")
else:
    fit = ask(cadence_progress_association, filters, viewer).row(0, named=True)
    show(
        cadence_scatter(teams, fit["slope"] if fit["r"] is not None else None, fit["intercept"]),
        name="Cadence and progress",
        key="checkins_fit",
    )
    st.markdown(
        describe_association(
            fit["r"],
            fit["ci_low"],
            fit["ci_high"],
            fit["n"],
            x="check-ins per person",
            y="progress against pace",
            of="teams",
        )
    )
    st.caption(
        "Each dot is a team (size = people); the dark line is the least-squares fit, the dashed line is on pace. "
        "This is an association, not a cause: teams that check in more may also differ in their work, their "
        "managers or their goals, and progress may drive check-ins as much as the other way round."
    )
