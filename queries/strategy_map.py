"""The Strategy map screen's questions: how the strategy cascades from company objectives down, and where it breaks.

The map is the filtered period's business goals of the scope and every goal they ladder up to, laid out as a tree:
each goal hangs under its parent goal, or, without one, under the first goal it "contributes" to. Company objectives
of the period are always on it. Goals that reach no objective hang under one "Not laddering up" node.

It stays readable at any size: at most `MAX_NODES` nodes, chosen layer by layer from the root; where a layer does not
fit, each parent keeps its largest children and the rest collapse into one "+N more" node, which the viewer expands
by choosing a deeper root.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import polars as pl

from queries.alignment import period_alignment
from queries.frames import rows_with_ids
from queries.goal_graph import one_slot
from queries.model import Filters, Settings, Snapshot, Viewer
from queries.rollup import period_progress
from queries.scope import scope_of, with_names, year_objectives

DEFAULT_SETTINGS = Settings()

MAX_NODES = 300
MAX_DEPTH = 4
ORPHANS = "orphans"

NODE_SCHEMA = {
    "node_id": pl.String, "parent_node_id": pl.String, "goal_id": pl.Int64, "depth": pl.Int64, "kind": pl.String,
    "title": pl.String, "level": pl.String, "owner": pl.String, "team": pl.String, "progress": pl.Float64,
    "expected": pl.Float64, "pace_ratio": pl.Float64, "status": pl.String, "below": pl.Int64, "hidden": pl.Int64,
    "children": pl.Int64, "contributing": pl.Int64, "orphan": pl.Boolean, "support": pl.String,
    "in_scope": pl.Boolean, "in_cycle": pl.Boolean, "parent_goal_id": pl.Int64, "order": pl.Int64,
}
EDGE_SCHEMA = {"source": pl.String, "target": pl.String, "link_type": pl.String}


def map_goals(snapshot: Snapshot, filters: Filters, settings: Settings) -> pl.DataFrame:
    """Every goal the map can show, with its roll-up as carried by the scope, owner and team names, its primary
    parent (parent goal, else the smallest goal it contributes to), its objective, `below` = the scope's goals
    under it in the tree, `children` = its direct children in the tree, and its alignment gap; memoised per filters."""

    def compute() -> pl.DataFrame:
        scope = scope_of(snapshot, filters)
        progress = scope.progress(settings)
        shown = progress.filter(pl.col("in_scope") & (pl.col("kind") == "business"))
        objectives = year_objectives(snapshot, filters.period_id)
        universe_ids = pl.concat([scope.graph.carried(one_slot(shown)).select("id"), objectives.select("id")]).unique()
        organisation = period_progress(snapshot, filters.period_id, filters.as_of, settings)
        # Objectives this scope does not carry are still on the map, with nothing to measure here.
        uncarried = (
            organisation.join(objectives.select("id"), on="id", how="semi")
            .join(progress.select("id"), on="id", how="anti")
            .with_columns(
                pl.lit(None, pl.Float64).alias("progress"), pl.lit(None, pl.Float64).alias("pace_ratio"),
                pl.lit("no data").alias("status"), pl.lit(False).alias("in_scope"),
            )
        )
        goals = pl.concat([progress, uncarried.select(progress.columns)]).join(universe_ids, on="id", how="semi")
        primary = _primary_parents(snapshot, goals)
        # The period's alignment covers every goal of the period: narrowed to the map's goals first, the joins below
        # hash a few thousand rows instead of all of them.
        alignment = rows_with_ids(period_alignment(snapshot, filters.period_id), goals["id"])
        contributing = (
            shown.filter(pl.col("level") != "company")
            .join(alignment, on="id", how="inner")
            .group_by("objective_id")
            .agg(pl.len().cast(pl.Int64).alias("contributing"))
        )
        framed = (
            with_names(snapshot, goals.join(primary, on="id", how="left"))
            .join(alignment, on="id", how="left")
            .join(contributing, left_on="id", right_on="objective_id", how="left")
            .with_columns(
                pl.col("contributing").fill_null(0),
                (pl.col("in_scope") & (pl.col("level") != "company") & pl.col("objective_id").is_null()).alias(
                    "orphan"
                ),
            )
            .with_columns(
                pl.when(pl.col("level") != "company")
                .then(None)
                .when(pl.col("contributing") == 0)
                .then(pl.lit("none"))
                .when(pl.col("contributing") < settings.thin_support)
                .then(pl.lit("thin"))
                .alias("support")
            )
        )
        return framed.join(_tree_counts(framed), on="id", how="left")

    return snapshot.derived(("strategy_map_goals", filters, settings), compute)


def _primary_parents(snapshot: Snapshot, goals: pl.DataFrame) -> pl.DataFrame:
    """(id, primary_parent, primary_link): where each goal hangs in the tree."""
    ids = goals.select("id")
    by_parent = goals.filter(pl.col("parent_id").is_not_null()).select(
        "id", pl.col("parent_id").alias("primary_parent"), pl.lit("parent").alias("primary_link"),
        pl.lit(0).alias("rank"),
    )
    by_link = snapshot.goal_link.filter(pl.col("link_type") == "contributes").select(
        pl.col("goal_id").alias("id"), pl.col("target_goal_id").alias("primary_parent"),
        pl.lit("contributes").alias("primary_link"), pl.lit(1).alias("rank"),
    )
    return (
        pl.concat([by_parent, by_link])
        .filter(pl.col("id") != pl.col("primary_parent"))
        .join(ids, on="id", how="semi")
        .join(ids, left_on="primary_parent", right_on="id", how="semi")
        .sort(["id", "rank", "primary_parent"])
        .unique("id", keep="first")
        .drop("rank")
    )


def _tree_counts(goals: pl.DataFrame) -> pl.DataFrame:
    """(id, below, children): the scope's goals anywhere under each goal in the tree, and its direct children.

    On positions: each scope goal walks up its chain of primary parents one step per pass, counting once for every
    goal it reaches. Where parent links run in a cycle (bad data), a walk also ends where it meets a goal it has
    passed already, so it cannot hang, and a goal on the cycle is never counted below itself."""
    ids = goals["id"].to_numpy()
    parent = _parent_positions(ids, goals["primary_parent"].fill_null(-1).to_numpy())
    children = np.bincount(parent[parent >= 0], minlength=ids.size)
    walker = np.flatnonzero(goals["in_scope"].fill_null(False).to_numpy())
    below = _reached_counts(walker, parent) if _acyclic(parent) else _reached_once_counts(walker, parent)
    return pl.DataFrame({"id": ids, "below": below, "children": children},
                        schema={"id": pl.Int64, "below": pl.Int64, "children": pl.Int64})  # fmt: skip


def _parent_positions(ids: np.ndarray, parent_ids: np.ndarray) -> np.ndarray:
    """Each row's parent as a row position, -1 where it has none among the rows."""
    if not ids.size:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    at = np.searchsorted(ids[order], parent_ids).clip(0, ids.size - 1)
    return np.where((parent_ids != -1) & (ids[order][at] == parent_ids), order[at], -1)


def _acyclic(parent: np.ndarray) -> bool:
    """Whether every chain of parents ends at the top: settle the tops, then their children, one layer per pass."""
    settled = parent < 0
    for _ in range(parent.size + 1):
        grown = settled | settled[np.maximum(parent, 0)] & (parent >= 0)
        if (grown == settled).all():
            break
        settled = grown
    return bool(settled.all())


def _reached_counts(walker: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Per position, how many of `walker` have it among their ancestors (parent chains without cycles)."""
    below = np.zeros(parent.size, dtype=np.int64)
    reached = parent[walker]
    for _ in range(parent.size + 1):
        reached = reached[reached >= 0]
        if not reached.size:
            break
        below += np.bincount(reached, minlength=parent.size)
        reached = parent[reached]
    return below


def _reached_once_counts(walker: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """As `_reached_counts`, where chains may run in a cycle: each walk stops at the first goal it passed already,
    and a walker never counts for itself."""
    below = np.zeros(parent.size, dtype=np.int64)
    seen: set[tuple[int, int]] = set()
    reached = parent[walker]
    for _ in range(parent.size + 1):
        keep = reached >= 0
        walker, reached = walker[keep], reached[keep]
        pairs = list(zip(walker.tolist(), reached.tolist(), strict=True))
        fresh = np.array([pair not in seen for pair in pairs], dtype=bool)
        if not fresh.any():
            break
        walker, reached = walker[fresh], reached[fresh]
        seen.update(pair for pair, new in zip(pairs, fresh.tolist(), strict=True) if new)
        below += np.bincount(reached[walker != reached], minlength=parent.size)
        reached = parent[reached]
    return below


_ROOTS, _STRAY = -2, -1  # tree parents of company objectives and of goals that hang under nothing


def _tree_order(goals: pl.DataFrame) -> pl.DataFrame:
    """The map's goals grouped by tree parent (objectives under -2, goals hanging under nothing under -1), each
    parent's children most important first: most of the scope's goals below, then furthest behind pace."""
    return goals.with_columns(
        pl.when(pl.col("level") == "company")
        .then(pl.lit(_ROOTS, pl.Int64))
        .otherwise(pl.col("primary_parent").fill_null(_STRAY))
        .alias("tree_parent")
    ).sort(
        ["tree_parent", "below", "pace_ratio", "title", "id"], descending=[False, True, False, False, False],
        nulls_last=True,
    )


@dataclass
class _Chosen:
    rows: list[int]  # rows of the ordered goals, roots first
    depths: list[int]
    parents: list[int | None]  # the row each hangs under; None: under the "Not laddering up" node; -1: a root
    shown: dict[int | None, int]  # per parent row (None: the "Not laddering up" node): children shown
    totals: dict[int | None, int]  # per parent row: children it has


def _choose(ordered: pl.DataFrame, roots: list[int], stray: bool, depth: int, max_nodes: int) -> _Chosen:
    """The goals to show: `roots` (rows of `ordered`), the "Not laddering up" node when `stray`, and below them at
    most `depth` layers of children.

    Each root first shows its few most important children (most goals below, then furthest behind pace); then the
    tree grows from there, always taking the most important child on offer, while the nodes shown plus one
    "+N more" node per partly shown parent fit in `max_nodes`.
    """
    parents = ordered["tree_parent"].to_numpy()
    ids = ordered["id"].to_numpy()
    below = ordered["below"].to_numpy()
    totals: dict[int | None, int] = {}

    def children(parent: int | None) -> range:
        key = _STRAY if parent is None else ids[parent]
        span = range(int(np.searchsorted(parents, key, "left")), int(np.searchsorted(parents, key, "right")))
        totals[parent] = len(span)
        return span

    chosen = _Chosen(rows=list(roots), depths=[0] * len(roots), parents=[-1] * len(roots), shown={}, totals=totals)
    used = len(roots) + (1 if stray else 0)
    offers: list[tuple[int, int, int, int | None]] = []

    def offer(parent: int | None, level: int) -> None:
        if level > depth:
            children(parent)
            return
        for row in children(parent):
            heapq.heappush(offers, (-int(below[row]), row, level, parent))

    taken: set[int] = set()

    def take(row: int, level: int, parent: int | None) -> bool:
        nonlocal used
        total, before = totals[parent], chosen.shown.get(parent, 0)
        cost = 1 + (1 if before == 0 and total > 1 else 0) - (1 if before == total - 1 and before > 0 else 0)
        if used + cost > max_nodes:
            return False
        used += cost
        taken.add(row)
        chosen.shown[parent] = before + 1
        chosen.rows.append(row)
        chosen.depths.append(level)
        chosen.parents.append(parent)
        offer(row, level + 1)
        return True

    for row in roots:
        offer(row, 1)
    if stray:
        offer(None, 1)
    # Every root first shows a few of its most important children, so a big objective cannot crowd out a small
    # one, nor the goals that ladder up to nothing.
    parents_first = [*roots, *([None] if stray else [])]
    first = max(1, min(5, (max_nodes - used) // max(4 * len(parents_first), 1))) if depth >= 1 else 0
    for parent in parents_first:
        for row in list(children(parent))[:first]:
            if not take(row, 1, parent):
                break
    while offers:
        _, row, level, parent = heapq.heappop(offers)
        if row not in taken:
            take(row, level, parent)
    return chosen


def strategy_map(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS,
    root: int | None = None, depth: int = 2, max_nodes: int = MAX_NODES,
) -> pl.DataFrame:
    """The nodes on screen: the root (every objective, or one goal) and at most `depth` layers below it, at most
    `max_nodes` nodes, the most important first (most of the scope's goals below, then furthest behind pace); a
    parent showing only some children gets one "+N more" node. `order` lists the nodes depth-first. Memoised per
    filters and choice, since the links between them start from the same nodes."""
    key = ("strategy_map_nodes", filters, settings, root, depth, max_nodes)
    return snapshot.derived(key, lambda: _nodes(snapshot, filters, settings, root, depth, max_nodes))


def _nodes(
    snapshot: Snapshot, filters: Filters, settings: Settings, root: int | None, depth: int, max_nodes: int
) -> pl.DataFrame:
    ordered = map_tree(snapshot, filters, settings)
    if root is None:
        roots = ordered.with_row_index("row").filter(pl.col("tree_parent") == _ROOTS)["row"].to_list()
        stray = bool(ordered.filter(pl.col("tree_parent") == _STRAY).height)
    else:
        roots = ordered.with_row_index("row").filter(pl.col("id") == root)["row"].to_list()[:1]
        stray = False
    if not roots and not stray:
        return pl.DataFrame(schema=NODE_SCHEMA)
    chosen = _choose(ordered, roots, stray, depth, max_nodes)
    goal_rows = ordered[chosen.rows].with_columns(
        pl.Series("depth", chosen.depths, dtype=pl.Int64),
        pl.Series(
            "parent_node_id",
            [None if p == -1 else ORPHANS if p is None else f"g{ordered['id'][p]}" for p in chosen.parents],
            dtype=pl.String,
        ),
        pl.Series(
            "hidden", [chosen.totals.get(row, 0) - chosen.shown.get(row, 0) for row in chosen.rows], dtype=pl.Int64
        ),
    )
    depth_of = dict(zip(chosen.rows, chosen.depths, strict=True))
    more = [
        (("orphans" if parent is None else f"g{ordered['id'][parent]}"), chosen.totals[parent] - count,
         1 if parent is None else depth_of[parent] + 1)
        for parent, count in chosen.shown.items()
        if 0 < count < chosen.totals[parent]
    ]
    layers = [_goal_nodes(goal_rows)]
    if stray:
        layers.append(_orphan_root(ordered.filter(pl.col("tree_parent") == _STRAY), chosen))
    if more:
        layers.append(_more_nodes(pl.DataFrame(
            {"parent_node_id": [m[0] for m in more], "hidden": [m[1] for m in more], "depth": [m[2] for m in more]},
            schema={"parent_node_id": pl.String, "hidden": pl.Int64, "depth": pl.Int64},
        )))
    nodes = pl.concat([layer.select(list(NODE_SCHEMA)[:-1]) for layer in layers], how="vertical_relaxed")
    return _depth_first(nodes).cast(NODE_SCHEMA).select(list(NODE_SCHEMA))


def map_tree(snapshot: Snapshot, filters: Filters, settings: Settings) -> pl.DataFrame:
    """The map's goals in tree order (see `_tree_order`); memoised per filters."""
    return snapshot.derived(
        ("strategy_map_tree", filters, settings),
        lambda: _tree_order(map_goals(snapshot, filters, settings)),
    )


def _goal_nodes(goals: pl.DataFrame) -> pl.DataFrame:
    return goals.select(
        pl.format("g{}", "id").alias("node_id"), "parent_node_id", pl.col("id").alias("goal_id"), "depth",
        pl.lit("goal").alias("kind"), "title", "level", "owner", "team", "progress", "expected", "pace_ratio",
        "status", "below", "hidden", "children", "contributing", "orphan", "support", "in_scope", "in_cycle",
        pl.col("primary_parent").alias("parent_goal_id"),
    )


def _orphan_root(stray: pl.DataFrame, chosen: _Chosen) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "node_id": [ORPHANS], "parent_node_id": [None], "goal_id": [None], "depth": [0], "kind": ["orphans"],
            "title": ["Not laddering up"], "level": [None], "owner": [None], "team": [None], "progress": [None],
            "expected": [None], "pace_ratio": [None], "status": [None],
            "below": [int(stray["below"].sum() + stray.height)],
            "hidden": [stray.height - chosen.shown.get(None, 0)], "children": [stray.height], "contributing": [0],
            "orphan": [True], "support": [None], "in_scope": [True], "in_cycle": [False], "parent_goal_id": [None],
        },
        schema={k: v for k, v in NODE_SCHEMA.items() if k != "order"},
    )


def _more_nodes(more: pl.DataFrame) -> pl.DataFrame:
    return more.select(
        pl.format("more-{}", "parent_node_id").alias("node_id"), "parent_node_id",
        pl.lit(None, pl.Int64).alias("goal_id"), "depth", pl.lit("more").alias("kind"),
        pl.format("+{} more", "hidden").alias("title"), pl.lit(None, pl.String).alias("level"),
        pl.lit(None, pl.String).alias("owner"), pl.lit(None, pl.String).alias("team"),
        pl.lit(None, pl.Float64).alias("progress"), pl.lit(None, pl.Float64).alias("expected"),
        pl.lit(None, pl.Float64).alias("pace_ratio"), pl.lit(None, pl.String).alias("status"),
        pl.lit(0, pl.Int64).alias("below"), "hidden", pl.lit(0, pl.Int64).alias("children"),
        pl.lit(0, pl.Int64).alias("contributing"), pl.lit(False).alias("orphan"),
        pl.lit(None, pl.String).alias("support"), pl.lit(True).alias("in_scope"), pl.lit(False).alias("in_cycle"),
        pl.lit(None, pl.Int64).alias("parent_goal_id"),
    )


def _depth_first(nodes: pl.DataFrame) -> pl.DataFrame:
    """The nodes with `order`: each node followed by its subtree, children in the order they were chosen."""
    ids = nodes["node_id"].to_list()
    parents = nodes["parent_node_id"].to_list()
    known = set(ids)
    kids: dict[str | None, list[str]] = {}
    for node, parent in zip(ids, parents, strict=True):
        kids.setdefault(parent if parent in known else None, []).append(node)
    order: dict[str, int] = {}
    stack = list(reversed(kids.get(None, [])))
    while stack:
        node = stack.pop()
        if node in order:
            continue
        order[node] = len(order)
        stack.extend(reversed(kids.get(node, [])))
    return nodes.with_columns(
        pl.col("node_id").replace_strict(order, default=None, return_dtype=pl.Int64).alias("order")
    ).sort("order")


def map_links(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS,
    root: int | None = None, depth: int = 2, max_nodes: int = MAX_NODES,
) -> pl.DataFrame:
    """The lines between the nodes on screen: each node to the node it hangs under ("parent", "contributes",
    "more", "orphans"), plus every other "contributes" or "supports" link between two goals on screen."""
    nodes = strategy_map(snapshot, filters, viewer, settings, root=root, depth=depth, max_nodes=max_nodes)
    if nodes.is_empty():
        return pl.DataFrame(schema=EDGE_SCHEMA)
    goals = map_goals(snapshot, filters, settings).select("id", "primary_link")
    tree = (
        nodes.filter(pl.col("parent_node_id").is_not_null())
        .join(goals, left_on="goal_id", right_on="id", how="left")
        .select(
            pl.col("node_id").alias("source"), pl.col("parent_node_id").alias("target"),
            pl.when(pl.col("kind") == "more")
            .then(pl.lit("more"))
            .when(pl.col("parent_node_id") == ORPHANS)
            .then(pl.lit("orphans"))
            .otherwise(pl.col("primary_link"))
            .alias("link_type"),
        )
    )
    on_screen = nodes.filter(pl.col("goal_id").is_not_null()).select("goal_id")
    links = (
        snapshot.goal_link.join(on_screen, on="goal_id", how="semi")
        .join(on_screen, left_on="target_goal_id", right_on="goal_id", how="semi")
        .filter(pl.col("goal_id") != pl.col("target_goal_id"))
        .select(
            pl.format("g{}", "goal_id").alias("source"), pl.format("g{}", "target_goal_id").alias("target"),
            "link_type",
        )
        .join(tree, on=["source", "target"], how="anti")
    )
    return pl.concat([tree, links]).unique(["source", "target"], keep="first", maintain_order=True)


def orphan_goals(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """The scope's business goals below company level that reach no company objective of the period."""
    goals = map_goals(snapshot, filters, settings)
    return (
        goals.filter(pl.col("orphan"))
        .select("id", "title", "level", "owner", "team", "progress", "status")
        .sort(["team", "title"], nulls_last=True)
    )


def objective_support(
    snapshot: Snapshot, filters: Filters, viewer: Viewer, settings: Settings = DEFAULT_SETTINGS
) -> pl.DataFrame:
    """Company objectives of the period with fewer than `thin_support` of the scope's goals laddering up to them:
    "none" or "thin" support, fewest first."""
    goals = map_goals(snapshot, filters, settings)
    return (
        goals.filter(pl.col("support").is_not_null())
        .select("id", "title", "contributing", "support")
        .sort(["contributing", "title"])
    )
