"""Alignment: which teams and regions have goals that do not ladder up to the strategy, and where are the gaps?"""

import polars as pl
import streamlit as st

from components.charts import show
from components.context import current
from components.data import SETTINGS, ask
from components.format import count, pct
from components.kpis import kpi_row
from components.people_charts import ranked_bars, work_mode_bars
from components.tables import data_table
from queries.alignment import (
    alignment_by_group,
    alignment_kpis,
    alignment_summary,
    career_growth,
    objective_support,
    orphan_goals,
    teams_without_alignment,
    work_mode_comparison,
)

BARS = 25
ROWS_SHOWN = 1000

context = current()
filters, viewer = context.filters, context.viewer

st.title("Alignment")
st.caption(context.scope_label)

summary = ask(alignment_summary, filters, viewer).row(0, named=True)
if summary["goals"] == 0 and summary["people"] == 0:
    st.info(
        "Nothing in this scope: no business goals and no active people match these filters. "
        "Widen the period, regions or team in the sidebar.",
        icon=":material/filter_alt_off:",
    )
    st.stop()

kpi_row(ask(alignment_kpis, filters, viewer))


def ranked(
    frame: pl.DataFrame,
    *,
    by: str,
    value: str,
    value_title: str,
    count_col: str,
    count_title: str,
    average: float | None,
    average_title: str,
    minimum: int,
) -> None:
    """The lowest groups as ranked bars; for teams only those large enough to rank fairly."""
    if frame.is_empty():
        st.caption("Nothing to rank for these filters.")
        return
    line = f" Dashed line: {average_title.lower()} ({pct(average)})." if average is not None else ""
    if by == "Team":
        eligible = frame.filter(pl.col(count_col) >= minimum)
        if eligible.is_empty():
            eligible = frame
        chart_frame = eligible.head(BARS)
        bigger = f" with at least {minimum} {count_title.lower()}" if eligible.height < frame.height else ""
        if eligible.height > BARS:
            st.caption(f"The {BARS} lowest of {count(eligible.height)} teams{bigger}, lowest first.{line}")
        else:
            st.caption(f"Every team{bigger}, lowest first.{line}")
    else:
        chart_frame = frame
        st.caption(f"Every region, lowest first.{line}")
    show(
        ranked_bars(
            chart_frame,
            value=value,
            value_title=value_title,
            group_title=by,
            count=count_col,
            count_title=count_title,
            average=average,
            average_title=average_title,
        ),
        name=f"{value_title} by {by.lower()}",
        key=f"alignment_{value}_{by}",
    )


st.subheader("Alignment by team and region")
by = st.segmented_control("Group by", ["Team", "Region"], default="Team", key="alignment_by") or "Team"
groups = ask(alignment_by_group, filters, viewer, by=by.lower())
ranked(
    groups,
    by=by,
    value="rate",
    value_title="Alignment",
    count_col="goals",
    count_title="Goals",
    average=summary["org_rate"],
    average_title="Organisation average",
    minimum=SETTINGS.min_group_size,
)
with st.expander(f"All {count(groups.height)} {by.lower()}s", icon=":material/table:"):
    data_table(
        groups.drop("group_id"),
        f"Alignment by {by.lower()}",
        {
            "group": st.column_config.TextColumn(by),
            "goals": st.column_config.NumberColumn("Business goals"),
            "aligned": st.column_config.NumberColumn("Laddering up"),
            "rate": st.column_config.ProgressColumn("Alignment", format="percent", min_value=0, max_value=1),
        },
        limit=ROWS_SHOWN,
        key="alignment_groups",
    )

st.subheader("Gaps")
orphans = ask(orphan_goals, filters, viewer)
objectives = ask(objective_support, filters, viewer)
idle_teams = ask(teams_without_alignment, filters, viewer)
tab_orphans, tab_objectives, tab_teams = st.tabs(
    [
        f"Orphan goals ({count(orphans.height)})",
        f"Objectives with no or thin support ({count(objectives.height)})",
        f"Teams contributing to nothing ({count(idle_teams.height)})",
    ]
)
with tab_orphans:
    if orphans.is_empty():
        st.success("Every business goal in scope ladders up to a company objective.", icon=":material/check_circle:")
    else:
        data_table(
            orphans.drop("id"),
            "Orphan goals",
            {
                "title": st.column_config.TextColumn("Goal", width="large"),
                "level": st.column_config.TextColumn("Level"),
                "period": st.column_config.TextColumn("Period"),
                "team": st.column_config.TextColumn("Team"),
                "owner": st.column_config.TextColumn("Owner"),
                "region": st.column_config.TextColumn("Region"),
                "reason": st.column_config.TextColumn("Why it does not ladder up", width="large"),
            },
            height=320,
            limit=ROWS_SHOWN,
            key="alignment_orphans",
        )
with tab_objectives:
    if objectives.is_empty():
        st.success(
            f"Every company objective has at least {SETTINGS.thin_support} contributing goals in scope.",
            icon=":material/check_circle:",
        )
    else:
        data_table(
            objectives.drop("id"),
            "Objectives with no or thin support",
            {
                "title": st.column_config.TextColumn("Objective", width="large"),
                "contributing_goals": st.column_config.NumberColumn(
                    "Contributing goals", help="Goals in scope that ladder up to it, directly or through parents."
                ),
                "support": st.column_config.TextColumn("Support"),
            },
            key="alignment_objectives",
        )
        st.caption(f"Thin support means fewer than {SETTINGS.thin_support} contributing goals in this scope.")
with tab_teams:
    if idle_teams.is_empty():
        st.success("Every team in scope contributes to at least one objective.", icon=":material/check_circle:")
    else:
        data_table(
            idle_teams.drop("org_unit_id"),
            "Teams contributing to nothing",
            {
                "team": st.column_config.TextColumn("Team"),
                "department": st.column_config.TextColumn("Department"),
                "people": st.column_config.NumberColumn("People in scope"),
                "goals": st.column_config.NumberColumn("Business goals", help="None of them reaches an objective."),
            },
            limit=ROWS_SHOWN,
            key="alignment_idle_teams",
        )

st.subheader("Distributed teams")
modes = ask(work_mode_comparison, filters, viewer)
if modes.is_empty():
    st.caption("No active people in scope.")
else:
    show(work_mode_bars(modes), name="Work modes", key="alignment_work_modes")
    st.caption(
        "Alignment: share of the business goals they own that ladder up. Check-in coverage: a check-in in the last "
        f"{SETTINGS.checkin_window_days} days. Progress as a share of expected: 100% is on pace. People in scope: "
        + "; ".join(f"{row['work_mode']} {count(row['people'])}" for row in modes.to_dicts())
        + ". Differences describe these groups; they do not say that the work mode is the cause."
    )

st.subheader("Career growth")
st.markdown("Share of active people with at least one live development goal this period.")
growth_by = (
    st.segmented_control("Group by", ["Team", "Region"], default="Region", key="alignment_growth_by") or "Region"
)
growth = ask(career_growth, filters, viewer, by=growth_by.lower())
ranked(
    growth,
    by=growth_by,
    value="share",
    value_title="With a development goal",
    count_col="people",
    count_title="People",
    average=summary["growth_share"],
    average_title="Everyone in scope",
    minimum=SETTINGS.min_group_size,
)
