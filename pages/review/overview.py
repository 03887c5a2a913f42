"""Overview: is the strategy on pace in this scope, and which objectives are most behind?"""

import polars as pl
import streamlit as st

from components.charts import progress_vs_pace, show
from components.context import current
from components.data import ask
from components.forecast_charts import forecast_intervals, forecast_table
from components.kpis import kpi_row
from components.notes import notes_panel, with_latest_note
from components.progress_charts import trend_chart
from components.review_panel import review_pack_panel
from components.tables import status_table
from queries.forecast import (
    FORECAST_SAMPLES,
    MIN_DAYS,
    MIN_UPDATES,
    forecast_coverage,
    objective_forecast,
)
from queries.overview import objective_progress, objectives_most_behind, overview_kpis
from queries.review import objective_trend

context = current()
filters, viewer = context.filters, context.viewer

st.title("Overview")
st.caption(context.scope_label)

kpis = ask(overview_kpis, filters, viewer)
if kpis.filter(pl.col("kpi") == "objectives")["value"][0] in (None, 0.0):
    st.info(
        "Nothing in this scope: no goals ladder up to a company objective for these filters. "
        "Widen the period, regions or team in the sidebar.",
        icon=":material/filter_alt_off:",
    )
    st.stop()

kpi_row(kpis, columns=5)

objectives = ask(objective_progress, filters, viewer)
st.subheader("Objectives against pace")
show(progress_vs_pace(objectives), name="Objectives against pace")

st.subheader("Will we make it?")
forecast = ask(objective_forecast, filters, viewer)
coverage = ask(forecast_coverage, filters, viewer).row(0, named=True)
if forecast["p50"].is_null().all():
    st.info(
        "Too little history to forecast: no key result under these objectives has at least "
        f"{MIN_UPDATES} updates over {MIN_DAYS} days yet.",
        icon=":material/hourglass_empty:",
    )
else:
    show(forecast_intervals(forecast), name="End-of-period forecast")
    forecast_table(forecast)
st.caption(
    f"Each key result's end-of-period value is drawn {FORECAST_SAMPLES} times from its own update history (a random "
    f"walk with the drift and noise it has shown); the draws are rolled up like progress. "
    f"{coverage['too_little_history']:,} of "
    f"{coverage['key_results']:,} key results in scope have too little history (fewer than {MIN_UPDATES} updates "
    f"over {MIN_DAYS} days) and are left out."
)

st.subheader("Trend over the year's quarters")
st.caption("Each objective's progress at the end of each past quarter of the year and now, replayed from the "
           "progress-update history; dashed: expected progress at those dates.")
show(trend_chart(ask(objective_trend, filters, viewer)), name="Objective trend over quarters")

st.subheader("Most behind pace")
status_table(with_latest_note(ask(objectives_most_behind, filters, viewer), viewer), label="Objective",
             name="Most behind pace")

st.subheader("Notes and decisions")
notes_panel(context)

st.subheader("Review pack")
st.caption("The quarter's review for this scope, as PowerPoint (editable tables) and PDF, or on screen for a "
           "projector.")
st.page_link("pages/review/present.py", label="Present this review", icon=":material/co_present:",
             query_params=dict(st.query_params))
review_pack_panel(context)
