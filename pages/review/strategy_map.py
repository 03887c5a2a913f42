"""Strategy map: how the strategy cascades from company objectives down, and where it breaks.

URL parameters of its own, beside the shared filters: `root` (a goal id; absent: every objective) and `depth`
(layers shown below the root, 1-4).
"""

import polars as pl
import streamlit as st

from components.context import current
from components.data import ask
from components.format import pct
from components.notes import NOTE_COLUMN, with_latest_note
from components.strategy_map import show_map
from components.tables import data_table
from queries.params import read_map_link
from queries.strategy_map import MAX_DEPTH, MAX_NODES, map_links, objective_support, orphan_goals, strategy_map

ROOT, DEPTH, READ = "map_root", "map_depth", "_map_url_read"
DEFAULT_DEPTH = 2
ALL = -1  # the root picker's "every objective"

context = current()
filters, viewer = context.filters, context.viewer

if not st.session_state.get(READ):
    st.session_state[READ] = True
    link = read_map_link({name: st.query_params.get(name) for name in ("root", "depth")}, MAX_DEPTH)
    st.session_state[ROOT] = ALL if link.root is None else link.root
    st.session_state[DEPTH] = DEFAULT_DEPTH if link.depth is None else link.depth
    for notice in link.notices:
        st.warning(notice, icon=":material/link_off:")
st.session_state.setdefault(ROOT, ALL)
st.session_state.setdefault(DEPTH, DEFAULT_DEPTH)

st.title("Strategy map")
st.caption(context.scope_label)

root = None if st.session_state[ROOT] == ALL else st.session_state[ROOT]
depth = st.session_state[DEPTH]
nodes = ask(strategy_map, filters, viewer, root=root, depth=depth)
if root is not None and nodes.is_empty():
    st.warning("That goal is not on the map for these filters; showing every objective.", icon=":material/link_off:")
    st.session_state[ROOT], root = ALL, None
    nodes = ask(strategy_map, filters, viewer, root=None, depth=depth)

goals = nodes.filter(pl.col("kind") == "goal")
if goals.filter(pl.col("level") != "company").is_empty() and root is None:
    st.info("Nothing in this scope: no business goals of these filters. Widen the period, regions or team in the "
            "sidebar.", icon=":material/filter_alt_off:")
    st.stop()

# The root picker offers every objective, the current root, and every goal on the map with goals below it.
choices = goals.filter((pl.col("level") == "company") | (pl.col("children") > 0) | (pl.col("depth") == 0))
labels = {ALL: "Every company objective"} | {
    goal_id: f"{title} ({level}{', ' + team if team else ''})"
    for goal_id, title, level, team in choices.select("goal_id", "title", "level", "team").iter_rows()
}
parent = goals.filter(pl.col("depth") == 0)["parent_goal_id"].to_list()[:1] if root is not None else []

picker, layers, up = st.columns([5, 2, 1], vertical_alignment="bottom")
picker.selectbox(
    "Root", list(labels), key=ROOT, format_func=labels.__getitem__,
    help="Draw the map from one goal down. Goals that did not fit show as “+N more”: pick their parent here.",
)
layers.select_slider(
    "Depth", options=list(range(1, MAX_DEPTH + 1)), key=DEPTH, help="Layers of goals shown below the root."
)


def _go_up(to: int | None) -> None:
    st.session_state[ROOT] = ALL if to is None else to


up.button(
    "Up", icon=":material/arrow_upward:", disabled=root is None, on_click=_go_up,
    args=(parent[0] if parent else None,), help="Make the root's parent goal the root (or every objective).",
)

# Only the map's own URL parameters are written; the shared filter parameters stay untouched.
wanted = {"root": None if st.session_state[ROOT] == ALL else str(st.session_state[ROOT]),
          "depth": None if st.session_state[DEPTH] == DEFAULT_DEPTH else str(st.session_state[DEPTH])}
for name, value in wanted.items():
    if value is None and name in st.query_params:
        del st.query_params[name]
    elif value is not None and st.query_params.get(name) != value:
        st.query_params[name] = value

links = ask(map_links, filters, viewer, root=root, depth=depth)
more = nodes.filter(pl.col("kind") == "more")
left, right = st.columns([3, 1], gap="large")
with left:
    drawing, table = st.tabs(["Map", "Tree table"])
    with drawing:
        show_map(nodes, links)
        st.caption(
            f"{goals.height:,} goals on the map (at most {MAX_NODES}). Colour: status against pace; size: goals "
            "below it in scope; purple dashed ring: alignment gap; dashed orange line: a “supports” link, which "
            "does not count in the roll-up. Hover a goal for details; scroll to zoom, drag to pan."
            + (f" {more.height:,} “+N more” nodes hold goals that did not fit: choose their parent as the root."
               if more.height else "")
        )
    with table:
        rows = nodes.with_columns(
            (pl.lit("\u2003").repeat_by(pl.col("depth")).list.join("") + pl.col("title")).alias("goal"),
            pl.when(pl.col("orphan"))
            .then(pl.lit("orphan"))
            .when(pl.col("support").is_not_null())
            .then(pl.format("{} support", "support"))
            .alias("gap"),
        )
        data_table(
            with_latest_note(rows, viewer, id_column="goal_id").select(
                "goal", "level", "owner", "team", "progress", "expected", "status", "below", "hidden", "gap", "note"
            ),
            "Strategy map tree",
            {
                "goal": st.column_config.TextColumn("Goal (indented under the goal it ladders up to)", width="large"),
                "level": st.column_config.TextColumn("Level"),
                "owner": st.column_config.TextColumn("Owner"),
                "team": st.column_config.TextColumn("Team"),
                "progress": st.column_config.ProgressColumn("Progress", format="percent", min_value=0, max_value=1),
                "expected": st.column_config.NumberColumn("Expected", format="percent",
                                                          help="Share of the goal's period elapsed, or its plan's "
                                                          "share where key results beneath it have milestones"),
                "status": st.column_config.TextColumn("Status"),
                "below": st.column_config.NumberColumn("Goals below", help="Goals in scope that ladder up to it"),
                "hidden": st.column_config.NumberColumn("Not shown", help="Children not listed: choose it as root"),
                "gap": st.column_config.TextColumn("Alignment gap"),
                "note": NOTE_COLUMN,
            },
            height="auto" if rows.height <= 15 else 560,
            key="map_tree",
        )

with right:
    st.subheader("Alignment gaps")
    support = ask(objective_support, filters, viewer)
    st.markdown("**Objectives with no or thin support**")
    if support.is_empty():
        st.caption("Every objective has enough goals in this scope laddering up to it.")
    else:
        data_table(
            support.select("title", "contributing"),
            "Objectives with no or thin support",
            {
                "title": st.column_config.TextColumn("Objective"),
                "contributing": st.column_config.NumberColumn("Goals", help="Goals in scope that ladder up to it"),
            },
            key="map_support",
        )
    orphans = ask(orphan_goals, filters, viewer)
    st.markdown(f"**Orphan goals: {orphans.height:,}**")
    if orphans.is_empty():
        st.caption("Every business goal in this scope ladders up to a company objective.")
    else:
        st.caption("Business goals that reach no company objective. On the map they hang under “Not laddering up”.")
        data_table(
            orphans.select("title", "team", "owner", "progress"),
            "Orphan goals",
            {
                "title": st.column_config.TextColumn("Goal"),
                "team": st.column_config.TextColumn("Team"),
                "owner": st.column_config.TextColumn("Owner"),
                "progress": st.column_config.NumberColumn("Progress", format="percent"),
            },
            height=360,
            limit=200,
            key="map_orphans",
        )
    objectives = goals.filter(pl.col("level") == "company")
    if objectives.height and root is None:
        measured = objectives.filter(pl.col("progress").is_not_null())
        st.caption(f"{objectives.height} objectives; mean progress of those measured: "
                   f"{pct(measured['progress'].mean()) if measured.height else '—'}.")
