"""Access log: who opened which screen, with which filters, and when (HR only)."""

from datetime import date, timedelta

import altair as alt
import polars as pl
import streamlit as st

from components import access_log
from components.charts import show
from components.context import current
from components.format import count
from components.viewer import ROLE_LABELS

context = current()
viewer = context.viewer

st.title("Access log")
st.caption(
    "Every page view in Ladder: who looked, in which role, at which screen and filters. "
    "The sidebar filters do not apply here; use the ones below."
)

if not access_log.sees_access_log(viewer):
    st.info("Only HR can read the access log.", icon=":material/lock:")
    st.stop()

last = date.today()  # the log is stamped with the real clock, whatever day the data pretend it is
left, middle, right = st.columns([2, 2, 2])
span = left.date_input(
    "Dates",
    value=(last - timedelta(days=6), last),
    max_value=last,
    key="log_dates",
    help="Views from the first day through the last, both included.",
)
if not isinstance(span, tuple) or len(span) != 2:
    st.info("Pick the last day of the range too.", icon=":material/date_range:")
    st.stop()
start, end = span
person = middle.text_input("Person", key="log_person", placeholder="Part of an e-mail address")
screens = access_log.screens_viewed(viewer, start, end)
screen = right.selectbox("Screen", screens, index=None, key="log_screen", placeholder="All screens")
filters = access_log.LogFilters(start=start, end=end, person=person, page=screen)

totals = access_log.totals(viewer, filters)
cells = st.columns(3)
cells[0].metric("Page views", count(totals["views"]), border=True, help="Page views matching these filters.")
cells[1].metric("People", count(totals["people"]), border=True, help="Different e-mail addresses among them.")
cells[2].metric("Screens", count(totals["pages"]), border=True, help="Different screens they opened.")

if not totals["views"]:
    st.info(
        "Nobody opened a screen with these filters. Widen the dates or clear the person and screen.",
        icon=":material/filter_alt_off:",
    )
    st.stop()

per_day = access_log.daily(viewer, filters).with_columns(
    pl.col("role").replace_strict(ROLE_LABELS, default=pl.col("role")).alias("role")
)
weekly = (end - start).days >= access_log.DAILY_DAYS
st.subheader("Views per week" if weekly else "Views per day")
show(
    alt.Chart(per_day)
    .mark_bar()
    .encode(
        x=alt.X("day:O", title=None, timeUnit="yearmonthdate", axis=alt.Axis(format="%d %b", labelAngle=0)),
        y=alt.Y("views:Q", title="Page views", stack=True, axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("role:N", title="Role"),
        tooltip=[
            alt.Tooltip("day:T", title="Week of" if weekly else "Day", format="%a %d %b %Y"),
            alt.Tooltip("role:N", title="Role"),
            alt.Tooltip("views:Q", title="Page views", format=","),
        ],
    )
    .properties(height=220)
)

views = access_log.recent(viewer, filters)
st.subheader("Recent page views")
if totals["views"] > views.height:
    st.caption(f"The newest {count(views.height)} of {count(totals['views'])}. Narrow the filters to see older ones.")
st.dataframe(
    views.select("at", "name", "email", "role", "page", "filters").with_columns(
        pl.col("role").replace_strict(ROLE_LABELS, default=pl.col("role"))
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "at": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm:ss"),
        "name": st.column_config.TextColumn(
            "Name", help="The person with this e-mail address, when Ladder knows them."
        ),
        "email": st.column_config.TextColumn("E-mail"),
        "role": st.column_config.TextColumn("Role", help="The role Ladder gave them for this view."),
        "page": st.column_config.TextColumn("Screen"),
        "filters": st.column_config.TextColumn(
            "Filters", help="Period, regions, team and as-of date of the view.", width="large"
        ),
    },
)
