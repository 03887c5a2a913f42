"""Properties of the roll-up engine (queries/rollup.py) over random goal trees, checked with hypothesis.

- progress always stays within [0, 1];
- scaling every weight (goals, links, key results) by the same factor changes nothing;
- archived goals change nothing: a tree with archived goals rolls up exactly like the tree without them;
- a cycle is found by `goal_cycles`, and the roll-up still ends, flags the goals on it and rolls up the rest.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.goal_graph import cycle_members
from data.schema import table_schema
from queries.model import Settings
from queries.rollup import goal_cycles, ladder_edges, period_progress, roll_up
from tests.tiny_org import YEAR, tiny_snapshot

AS_OF = date(2026, 11, 15)
SETTINGS = Settings()
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def goal_trees(draw, max_goals: int = 14) -> dict[str, list[dict]]:
    """Goals whose parents have smaller ids (so no cycle), a few "contributes"/"supports" links to smaller ids,
    and 0-3 key results per goal with a start, a target and a history of values, some past the target."""
    n = draw(st.integers(1, max_goals))
    goals, links, key_results, updates = [], [], [], []
    for goal_id in range(1, n + 1):
        parent = draw(st.one_of(st.none(), st.integers(1, goal_id - 1))) if goal_id > 1 else None
        goals.append({"id": goal_id, "parent_id": parent, "weight": draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])),
                      "archived": draw(st.booleans()) and draw(st.booleans())})
        if goal_id > 1 and draw(st.integers(0, 4)) == 0:
            links.append({"goal_id": goal_id, "target_goal_id": draw(st.integers(1, goal_id - 1)),
                          "link_type": draw(st.sampled_from(["contributes", "supports"])),
                          "weight": draw(st.sampled_from([0.5, 1.0, 2.0]))})
        for _ in range(draw(st.integers(0, 3))):
            kr_id = len(key_results) + 1
            start = draw(st.integers(-50, 50))
            target = start + draw(st.sampled_from([-40, -7, 3, 10, 100]))
            key_results.append({"id": kr_id, "goal_id": goal_id, "start": start, "target": target,
                                "current": draw(st.integers(-200, 200)),
                                "weight": draw(st.sampled_from([0.0, 1.0, 2.5]))})
            for day in draw(st.lists(st.integers(1, 360), max_size=3, unique=True)):
                updates.append({"key_result_id": kr_id, "day": day, "value": draw(st.integers(-200, 200))})
    return {"goals": goals, "links": links, "key_results": key_results, "updates": updates}


def snapshot_of(tree: dict[str, list[dict]], *, scale: float = 1.0, drop_archived: bool = False):
    """The tiny organisation with its goals replaced by the tree's (all in 2026, owned by Acme's CEO)."""
    dropped = {g["id"] for g in tree["goals"] if g["archived"]} if drop_archived else set()
    goals = pl.DataFrame(
        [
            {"id": g["id"], "parent_id": g["parent_id"], "title": f"Goal {g['id']}", "level": "team",
             "kind": "business", "owner_employee_id": 1, "org_unit_id": 1, "period_id": YEAR,
             "weight": g["weight"] * scale, "archived": g["archived"]}
            for g in tree["goals"] if g["id"] not in dropped
        ],
        schema=table_schema("goal"),
    )
    links = pl.DataFrame(
        [{"id": i, "goal_id": lk["goal_id"], "target_goal_id": lk["target_goal_id"], "link_type": lk["link_type"],
          "weight": lk["weight"] * scale} for i, lk in enumerate(tree["links"], start=1)
         if lk["goal_id"] not in dropped and lk["target_goal_id"] not in dropped],
        schema=table_schema("goal_link"),
    )
    key_results = pl.DataFrame(
        [{"id": k["id"], "goal_id": k["goal_id"], "metric": "m", "start_value": float(k["start"]),
          "target_value": float(k["target"]), "current_value": float(k["current"]), "direction": "increase",
          "weight": k["weight"] * scale} for k in tree["key_results"] if k["goal_id"] not in dropped],
        schema=table_schema("key_result"),
    )
    updates = pl.DataFrame(
        [{"id": i, "key_result_id": u["key_result_id"], "at": date(2026, 1, 1) + timedelta(days=u["day"]),
          "value": float(u["value"]), "confidence": None} for i, u in enumerate(tree["updates"], start=1)],
        schema=table_schema("progress_update"),
    )
    return tiny_snapshot(goal=goals, goal_link=links, key_result=key_results, progress_update=updates)


def progress_of(snapshot) -> dict[int, float | None]:
    rolled = period_progress(snapshot, YEAR, AS_OF, SETTINGS)
    return dict(zip(rolled["id"].to_list(), rolled["progress"].to_list(), strict=True))


@PROPERTY
@given(goal_trees())
def test_progress_stays_within_zero_and_one(tree):
    values = [p for p in progress_of(snapshot_of(tree)).values() if p is not None]
    assert all(0.0 <= p <= 1.0 for p in values)


@PROPERTY
@given(goal_trees(), st.sampled_from([0.001, 0.37, 3.0, 1000.0]))
def test_scaling_every_weight_changes_nothing(tree, factor):
    plain, scaled = progress_of(snapshot_of(tree)), progress_of(snapshot_of(tree, scale=factor))
    assert plain.keys() == scaled.keys()
    for goal_id, value in plain.items():
        assert (value is None) == (scaled[goal_id] is None)
        if value is not None:
            assert scaled[goal_id] == pytest.approx(value, abs=1e-9)


@PROPERTY
@given(goal_trees())
def test_archived_goals_change_nothing(tree):
    with_archived, without = progress_of(snapshot_of(tree)), progress_of(snapshot_of(tree, drop_archived=True))
    assert with_archived.keys() == without.keys()  # archived goals are not rolled up at all
    for goal_id, value in with_archived.items():
        assert value == pytest.approx(without[goal_id]) if value is not None else without[goal_id] is None


@PROPERTY
@given(goal_trees(max_goals=10), st.data())
def test_a_cycle_is_found_and_the_roll_up_still_ends(tree, data):
    goals = [g for g in tree["goals"] if not g["archived"]]
    if len(goals) < 2:
        goals = [{"id": 1, "parent_id": None, "weight": 1.0, "archived": False},
                 {"id": 2, "parent_id": 1, "weight": 1.0, "archived": False}]
    ids = [g["id"] for g in goals]
    # Close a loop: a goal's parent becomes one of its own descendants (or itself through a longer chain).
    loop = data.draw(st.lists(st.sampled_from(ids), min_size=2, max_size=min(4, len(ids)), unique=True))
    parent_of = {g["id"]: g["parent_id"] for g in goals}
    for child, parent in zip(loop, loop[1:] + loop[:1], strict=True):
        parent_of[child] = parent
    frame = pl.DataFrame(
        {"id": ids, "parent_id": [parent_of[i] for i in ids], "weight": [1.0] * len(ids)},
        schema={"id": pl.Int64, "parent_id": pl.Int64, "weight": pl.Float64},
    )
    cycle = set(goal_cycles(frame))
    assert set(loop) <= cycle  # every goal of the loop is reported
    kr = pl.DataFrame(
        {"key_result_id": ids, "goal_id": ids, "weight": [1.0] * len(ids), "progress": [0.5] * len(ids)}
    ).filter(~pl.col("goal_id").is_in(loop))  # the loop has nothing of its own, so it must roll up from itself
    empty_links = pl.DataFrame(schema={"goal_id": pl.Int64, "target_goal_id": pl.Int64, "link_type": pl.String,
                                       "weight": pl.Float64})
    rolled = roll_up(frame, ladder_edges(frame, empty_links), kr)
    flagged = set(rolled.filter(pl.col("in_cycle"))["id"].to_list())
    assert set(loop) <= flagged <= cycle
    assert rolled.filter(pl.col("id").is_in(loop))["progress"].null_count() == len(loop)
    assert rolled.height == len(ids)


def test_an_archived_only_child_does_not_count():
    # What the archived-goals property guards against, by hand: goal 1's only child is archived, so goal 1 has
    # nothing to measure (and the archived goal itself is not rolled up).
    tree = {"goals": [{"id": 1, "parent_id": None, "weight": 1.0, "archived": False},
                      {"id": 2, "parent_id": 1, "weight": 1.0, "archived": True}],
            "links": [], "key_results": [{"id": 1, "goal_id": 2, "start": 0, "target": 10, "current": 5,
                                          "weight": 1.0}], "updates": []}
    assert progress_of(snapshot_of(tree)) == {1: None}


@st.composite
def graphs_and_members(draw):
    """Any edges child -> parent among sparse ids (cycles, several parents and self-made loops allowed), and a
    set of member ids that may include ids outside the graph."""
    ids = draw(st.lists(st.integers(1, 10**12), min_size=1, max_size=30, unique=True))
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=60))
    edges = pl.DataFrame(
        {"child": [c for c, p in pairs if c != p], "parent": [p for c, p in pairs if c != p]},
        schema={"child": pl.Int64, "parent": pl.Int64},
    ).unique()
    members = draw(st.lists(st.one_of(st.sampled_from(ids), st.integers(1, 10**12)), max_size=12, unique=True))
    return pl.Series("id", ids, dtype=pl.Int64), edges.with_columns(pl.lit(1.0).alias("weight")), members


@PROPERTY
@given(graphs_and_members())
def test_the_goal_graph_walks_and_rolls_up_exactly_as_the_join_definitions(case):
    """The goal graph's position-array walk, its goals needing a roll-up and its slotted roll-up agree with the
    join-based definitions (tests/reference.py), with members spread over three slots."""
    from queries.goal_graph import GoalGraph
    from tests.reference import carried_by_joins, needing_roll_up_by_joins, roll_up_by_joins

    ids, edges, members = case
    frame = pl.DataFrame({"slot": [i % 3 for i in range(len(members))], "id": members},
                         schema={"slot": pl.Int64, "id": pl.Int64})
    without = pl.DataFrame({"id": ids[::2]})
    graph = GoalGraph(pl.DataFrame({"id": ids}), edges, without["id"])
    by_join = carried_by_joins(edges, frame)
    by_position = graph.carried(frame)
    assert sorted(by_position.rows()) == sorted(by_join.rows())

    # The goals needing a roll-up again, and that roll-up, agree too.
    needy_join = needing_roll_up_by_joins(edges, without, by_join)
    needy_position = graph.needing_roll_up(by_position)
    assert sorted(needy_position.rows()) == sorted(needy_join.rows())
    if needy_join.is_empty():
        return
    kr = pl.DataFrame(
        {"goal_id": ids[1::2], "weight": 1.0, "progress": [i / len(ids) for i in range(len(ids[1::2]))]},
        schema={"goal_id": pl.Int64, "weight": pl.Float64, "progress": pl.Float64},
    ).join(pl.DataFrame({"slot": [0, 1, 2]}, schema={"slot": pl.Int64}), how="cross")
    rolled_join = roll_up_by_joins(edges, needy_join, kr).sort("slot", "id")
    rolled_position = graph.roll_up(needy_position, kr).sort("slot", "id")
    columns = ("slot", "id", "in_cycle")
    assert rolled_position.select(columns).rows() == rolled_join.select(columns).rows()
    for got, want in zip(rolled_position["progress"].to_list(), rolled_join["progress"].to_list(), strict=True):
        assert (got is None) == (want is None) and (got is None or abs(got - want) < 1e-9)


# --- the engine against its definition -----------------------------------------------------------------------------


def reference_roll_up(goals: pl.DataFrame, edges: pl.DataFrame, kr_progress: pl.DataFrame) -> pl.DataFrame:
    """Goal progress bottom-up: own key results' weighted mean, else the weighted mean of resolved children.

    Resolves the graph layer by layer (a goal is ready once it has key results or all its children are
    resolved), so it takes as many passes as the tree is deep and stops as soon as a pass resolves nothing.
    Returns id, progress (null when there is nothing to measure), has_key_results, in_cycle.
    """
    own = (
        kr_progress.filter(pl.col("weight") > 0)
        .group_by("goal_id")
        .agg(
            ((pl.col("progress") * pl.col("weight")).sum() / pl.col("weight").sum()).alias("own_progress"),
        )
    )
    nodes = (
        goals.select("id")
        .join(own, left_on="id", right_on="goal_id", how="left")
        .join(edges.group_by("parent").agg(pl.len().alias("n_children")), left_on="id", right_on="parent", how="left")
        .with_columns(pl.col("n_children").fill_null(0), pl.col("own_progress").is_not_null().alias("has_key_results"))
    )
    # Goals with key results, and goals with nothing below them, are settled in one vectorised pass; only
    # the goals that roll up from children (objectives, most department goals) need the layered passes.
    first = nodes.filter(pl.col("has_key_results") | (pl.col("n_children") == 0))
    resolved = first.select("id", pl.col("own_progress").alias("progress"))
    cycle_ids: list[pl.DataFrame] = [pl.DataFrame(schema={"id": pl.Int64})]
    pending = nodes.join(first.select("id"), on="id", how="anti")
    live_edges = edges
    while pending.height:
        live_edges = live_edges.join(pending.select("id"), left_on="parent", right_on="id", how="semi")
        children_done = (
            live_edges.join(resolved, left_on="child", right_on="id", how="inner")
            .group_by("parent")
            .agg(
                pl.len().alias("n_done"),
                (pl.col("progress") * pl.col("weight")).sum().alias("weighted_sum"),
                pl.col("weight").filter(pl.col("progress").is_not_null()).sum().alias("weight_sum"),
            )
        )
        step = pending.join(children_done, left_on="id", right_on="parent", how="left").with_columns(
            pl.col("n_done").fill_null(0)
        )
        ready = step.filter(pl.col("has_key_results") | (pl.col("n_done") >= pl.col("n_children")))
        if ready.is_empty():
            # Only goals on a cycle, or above one, are left: settle the cycle with no progress and go on,
            # so the goals above it still roll up from their other children.
            among_pending = edges.join(pending.select("id"), left_on="child", right_on="id", how="semi").join(
                pending.select("id"), left_on="parent", right_on="id", how="semi"
            )
            on_cycle = cycle_members(among_pending)
            if on_cycle.is_empty():
                break
            settled = pl.DataFrame({"id": on_cycle, "progress": None}, schema=resolved.schema)
            cycle_ids.append(settled.select("id"))
            resolved = pl.concat([resolved, settled])
            pending = pending.join(settled.select("id"), on="id", how="anti")
            continue
        ready = ready.select(
            "id",
            pl.when(pl.col("has_key_results"))
            .then(pl.col("own_progress"))
            .when(pl.col("weight_sum") > 0)
            .then(pl.col("weighted_sum") / pl.col("weight_sum"))
            .otherwise(None)
            .alias("progress"),
        )
        resolved = pl.concat([resolved, ready])
        pending = pending.join(ready.select("id"), on="id", how="anti")
    return (
        nodes.select("id", "has_key_results")
        .join(resolved, on="id", how="left")
        .join(pl.concat(cycle_ids).with_columns(pl.lit(True).alias("in_cycle")), on="id", how="left")
        .with_columns(pl.col("in_cycle").fill_null(False))
    )


@st.composite
def any_graphs(draw):
    """Goals with sparse ids, edges of any shape (cycles, several parents, children outside the goals, zero and
    missing weights) and key results with missing progress and zero weights."""
    ids = draw(st.lists(st.integers(1, 10**9), min_size=1, max_size=25, unique=True))
    outside = draw(st.lists(st.integers(10**9 + 1, 10**9 + 5), max_size=2))
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids + outside), st.sampled_from(ids)), max_size=40))
    edges = pl.DataFrame(
        {
            "child": [c for c, p in pairs if c != p],
            "parent": [p for c, p in pairs if c != p],
            "weight": [draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, None])) for c, p in pairs if c != p],
        },
        schema={"child": pl.Int64, "parent": pl.Int64, "weight": pl.Float64},
    ).unique(["child", "parent"], keep="first", maintain_order=True)
    krs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from([0.0, 1.0, 3.0]),
                                  st.one_of(st.none(), st.floats(0, 1))), max_size=30))
    kr = pl.DataFrame(
        {"goal_id": [g for g, _, _ in krs], "weight": [w for _, w, _ in krs], "progress": [p for _, _, p in krs]},
        schema={"goal_id": pl.Int64, "weight": pl.Float64, "progress": pl.Float64},
    )
    return pl.DataFrame({"id": ids}, schema={"id": pl.Int64}), edges, kr


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_graphs())
def test_the_engine_rolls_up_exactly_as_its_definition(case):
    goals, edges, kr = case
    fast = roll_up(goals, edges, kr)
    reference = reference_roll_up(goals, edges, kr)
    assert fast["id"].to_list() == goals["id"].to_list()
    merged = fast.join(reference, on="id", suffix="_reference")
    assert merged["has_key_results"].to_list() == merged["has_key_results_reference"].to_list()
    assert merged["in_cycle"].to_list() == merged["in_cycle_reference"].to_list()
    for got, want in zip(merged["progress"].to_list(), merged["progress_reference"].to_list(), strict=True):
        assert (got is None) == (want is None) and (got is None or abs(got - want) < 1e-9), (got, want)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_graphs(), st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=1, max_size=30))
def test_several_progress_columns_roll_up_as_each_would_on_its_own(case, second):
    """Rolling up two progress columns at once (the same key results as of two dates) gives, for each column, exactly
    the roll-up of that column alone."""
    goals, edges, kr = case
    other = [second[i % len(second)] for i in range(kr.height)]
    both = kr.with_columns(pl.Series("later", other, dtype=pl.Float64))
    together = roll_up(goals, edges, both, ("progress", "later"))
    alone = roll_up(goals, edges, both.select("goal_id", "weight", pl.col("later").alias("progress")))
    shape = ("id", "has_key_results", "in_cycle")
    assert together.select(shape).equals(alone.select(shape))
    assert together["progress"].equals(roll_up(goals, edges, kr)["progress"])
    assert together["later"].equals(alone["progress"])  # exactly: each column's sums are added in the same order


def test_progress_of_a_slot_without_nodes_never_lands_on_another_slot():
    """Goal 760 (no key results, in slot 0) is rolled up alone; goal 759 has progress 0 in slots 0, 1 and 2. Stacked
    under id × slots + slot with one slot of nodes, 759 in slot 1 would become id 760: it must not count (760 has
    nothing to measure, so its progress stays null)."""
    from queries.goal_graph import GoalGraph

    ids = pl.Series("id", [760, 759], dtype=pl.Int64)
    edges = pl.DataFrame(schema={"child": pl.Int64, "parent": pl.Int64, "weight": pl.Float64})
    graph = GoalGraph(ids.to_frame(), edges, ids.head(1))
    kr = pl.DataFrame({"slot": [0, 1, 2], "goal_id": [759] * 3, "weight": [1.0] * 3, "progress": [0.0] * 3})
    rolled = graph.roll_up(pl.DataFrame({"slot": [0], "id": [760]}), kr)
    assert rolled.select("slot", "id", "progress").rows() == [(0, 760, None)]
