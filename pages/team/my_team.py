"""My team: who on my team needs attention?"""

import polars as pl
import streamlit as st

from components.charts import progress_vs_pace, show
from components.context import current
from components.data import SETTINGS, ask
from components.format import count
from components.tables import data_table
from components.viewer import require_manager
from queries.forecast import people_forecast
from queries.my_team import my_team, my_team_summary

ROWS_SHOWN = 1000
CHART_PEOPLE = 30

context = current()
filters, viewer = context.filters, context.viewer

st.title("My team")
require_manager(viewer)

subtree = st.toggle(
    "Everyone below me",
    key="my_team_subtree",
    help="Off: your direct reports. On: everyone in your reporting line, however deep.",
)
summary = ask(my_team_summary, filters, viewer, subtree=subtree).row(0, named=True)
st.caption(f"{summary['manager']}'s {'organisation' if subtree else 'direct reports'} · {context.scope_label}")

if summary["people"] == 0:
    st.info(
        "Nobody on your team matches these filters. Clear the region or team filter in the sidebar"
        + ("." if subtree else ", or switch on “Everyone below me”."),
        icon=":material/filter_alt_off:",
    )
    st.stop()

cells = st.columns(5)
figures = (
    ("People", summary["people"], "Active people on the team in this scope."),
    ("Need attention", summary["needing_attention"], "People with at least one reason in the table below."),
    ("Behind or at risk", summary["off_pace"], "Their measured goals' progress is below the at-risk pace or worse."),
    ("Lapsed check-ins", summary["lapsed"], f"No check-in for more than {SETTINGS.lapse_days} days, or none yet."),
    ("No development goal", summary["without_development"], "No live development goal this period."),
)
for cell, (label, value, help_text) in zip(cells, figures, strict=True):
    cell.metric(label, count(value), border=True, help=help_text)

team = ask(my_team, filters, viewer, subtree=subtree).join(
    ask(people_forecast, filters, viewer, subtree=subtree), on="id", how="left"
)
st.subheader("Who needs attention")
columns = [
    "name",
    "reasons",
    "status",
    "progress",
    "expected",
    "chance_on_track",
    "forecast_p50",
    "unforecast_goals",
    "last_checkin",
    "days_since",
    "has_development",
    "goals",
    "team",
    *(["manager"] if subtree else []),
]
data_table(
    team.select(columns),
    "My team",
    {
        "name": st.column_config.TextColumn("Person"),
        "reasons": st.column_config.ListColumn("Needs attention because", width="large"),
        "status": st.column_config.TextColumn("Status", help="Blank: no measured business goal this period."),
        "progress": st.column_config.ProgressColumn(
            "Progress",
            format="percent",
            min_value=0,
            max_value=1,
            help="Mean progress of their measured business goals.",
        ),
        "expected": st.column_config.NumberColumn("Expected by now", format="percent"),
        "chance_on_track": st.column_config.NumberColumn(
            "Chance on track", format="percent",
            help="Mean chance that their forecast goals finish on track, from each key result's own history.",
        ),
        "forecast_p50": st.column_config.NumberColumn(
            "Forecast at period end", format="percent", help="Mean P50 of their forecast goals' end-of-period progress."
        ),
        "unforecast_goals": st.column_config.NumberColumn(
            "Too little history", help="Measured goals with too little update history to forecast."
        ),
        "last_checkin": st.column_config.DateColumn("Last check-in", format="D MMM YYYY"),
        "days_since": st.column_config.NumberColumn("Days since", help="Blank: no check-in on record."),
        "has_development": st.column_config.CheckboxColumn("Development goal"),
        "goals": st.column_config.NumberColumn("Goals", help="Live goals they own this period."),
        "team": st.column_config.TextColumn("Team"),
        "manager": st.column_config.TextColumn("Manager"),
    },
    height=min(38 + 35 * min(team.height, ROWS_SHOWN), 560),
    limit=ROWS_SHOWN,
    key="my_team_table",
)

measured = team.filter(pl.col("progress").is_not_null()).head(CHART_PEOPLE)
if measured.height:
    st.subheader("Progress against pace")
    chart = progress_vs_pace(measured.sort(["pace_ratio", "name"]), label="name")
    show(chart, name="My team against pace", key="my_team_pace")
    if team.filter(pl.col("progress").is_not_null()).height > CHART_PEOPLE:
        st.caption(f"The {CHART_PEOPLE} people needing most attention with measured goals.")
