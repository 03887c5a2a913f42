"""Access log: who opened which screen, with which filters, and when (HR only)."""

from datetime import date, timedelta

import altair as alt
import polars as pl
import streamlit as st

from components import access_log
from components.charts import show
from components.context import current
from components.format import count
from components.tables import data_table
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
    help=f"Views from the first day through the last, both included; at most {access_log.MAX_DAYS} days at a time.",
)
if not isinstance(span, tuple) or len(span) != 2:
    st.info("Pick the last day of the range too.", icon=":material/date_range:")
    st.stop()
start, end = span
if (end - start).days >= access_log.MAX_DAYS:
    start = end - timedelta(days=access_log.MAX_DAYS - 1)
    st.caption(f"Showing the last {access_log.MAX_DAYS} days of that range, from {start:%d %b %Y}.")
person = middle.text_input("Person", key="log_person", placeholder="Part of an e-mail address")
everything = access_log.activity(viewer, access_log.LogFilters(start=start, end=end, person=person))
screen = right.selectbox(
    "Screen", access_log.screens(everything), index=None, key="log_screen", placeholder="All screens"
)
filters = access_log.LogFilters(start=start, end=end, person=person, page=screen)
views_by_day = access_log.for_screen(everything, screen)

total = int(views_by_day["views"].sum())
cells = st.columns(3)
cells[0].metric("Page views", count(total), border=True, help="Page views matching these filters.")
cells[1].metric(
    "People",
    count(access_log.people(viewer, filters) if total else 0),
    border=True,
    help="Different e-mail addresses among them.",
)
cells[2].metric("Screens", count(views_by_day["page"].n_unique()), border=True, help="Different screens they opened.")

if not total:
    st.info(
        "Nobody opened a screen with these filters. Widen the dates or clear the person and screen.",
        icon=":material/filter_alt_off:",
    )
    st.stop()

per_day = access_log.daily(views_by_day, filters).with_columns(
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
    .properties(height=220),
    name="Page views per week" if weekly else "Page views per day",
    key="log_views",
)

views = access_log.recent(viewer, filters)
st.subheader("Recent page views")
if total > views.height:
    st.caption(f"The newest {count(views.height)} of {count(total)}. Narrow the filters to see older ones.")
data_table(
    views.select("at", "name", "email", "role", "page", "filters").with_columns(
        pl.col("role").replace_strict(ROLE_LABELS, default=pl.col("role"))
    ),
    "Recent page views",
    {
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
    key="log_recent",
)
