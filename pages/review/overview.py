"""Overview: is the strategy on pace in this scope, and which objectives are most behind?"""

import polars as pl
import streamlit as st

from components.charts import progress_vs_pace, show
from components.context import current
from components.data import ask
from components.kpis import kpi_row
from components.notes import notes_panel, with_latest_note
from components.review_panel import review_pack_panel
from components.tables import status_table
from queries.overview import objective_progress, objectives_most_behind, overview_kpis

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

st.subheader("Most behind pace")
status_table(with_latest_note(ask(objectives_most_behind, filters, viewer), viewer), label="Objective",
             name="Most behind pace")

st.subheader("Notes and decisions")
notes_panel(context)

st.subheader("Review pack")
st.caption("The quarter's review for this scope, as PowerPoint (editable tables) and PDF.")
review_pack_panel(context)
