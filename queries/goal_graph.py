"""A year's goal graph as position arrays: which goals a scope carries, which of them must be rolled up again for
it, and that roll-up, for one goal set or for many at once.

Goals are numbered by their position among the sorted ids. Several goal sets (a scope per region, per team, or one
scope at several dates) are handled together by giving each a `slot`: the pair (slot, goal) becomes one integer
key, slot × goals + position, so every step below is the same few array operations whatever the number of slots.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from queries.rollup import roll_up

SLOTTED = {"slot": pl.Int64, "id": pl.Int64}
ROLLED = {"slot": pl.Int64, "id": pl.Int64, "progress": pl.Float64, "has_key_results": pl.Boolean,
          "in_cycle": pl.Boolean}


def _is_in_sorted(values: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    """Whether each of `values` occurs in the sorted array `sorted_values`."""
    at = np.searchsorted(sorted_values, values)
    found = at < sorted_values.size
    found[found] = sorted_values[at[found]] == values[found]
    return found


def _ranges(first: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenation of range(first[i], first[i] + counts[i]) for every i."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.repeat(first - np.cumsum(counts) + counts, counts)
    return starts + np.arange(total, dtype=np.int64)


def one_slot(ids: pl.Series | pl.DataFrame, slot: int = 0) -> pl.DataFrame:
    """(slot, id) of goals all in one slot, from a series of ids or a frame with `id`."""
    frame = ids.to_frame("id") if isinstance(ids, pl.Series) else ids
    return frame.select(pl.lit(slot, pl.Int64).alias("slot"), pl.col("id").cast(pl.Int64))


class GoalGraph:
    """The live goals of a year (`goals`, with `region_id`) and their ladder edges child -> parent with weights.

    `without_key_results` are the goals of positive weight with no key result: the engine takes their progress
    from their children, so only they (and the children they read) can differ from one scope to another."""

    def __init__(self, goals: pl.DataFrame, edges: pl.DataFrame, without_key_results: pl.Series) -> None:
        self.goals = goals
        self.edges = edges
        self.without_key_results = without_key_results
        self.ids = np.sort(goals["id"].to_numpy())
        self.size = self.ids.size
        child = np.searchsorted(self.ids, edges["child"].to_numpy())
        parent = np.searchsorted(self.ids, edges["parent"].to_numpy())
        order = np.argsort(child, kind="stable")
        self.edge_child, self.edge_parent = child[order], parent[order]
        self.edge_weight = edges["weight"].to_numpy(allow_copy=True)[order]
        # The edges leaving goal p are edge_child[first_edge[p]:first_edge[p + 1]].
        self.first_edge = np.searchsorted(self.edge_child, np.arange(self.size + 1))
        self.unmeasured = np.zeros(self.size, dtype=bool)
        self.unmeasured[self._positions(without_key_results.to_numpy())[0]] = True

    def _positions(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions of the goals of `ids` that are in the graph, and the mask of those that are."""
        known = _is_in_sorted(ids, self.ids)
        return np.searchsorted(self.ids, ids[known]), known

    def _key_set(self, slotted: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, pl.DataFrame]:
        """The (slot, id) pairs in the graph as a mask over slot × position and as sorted keys, and the pairs outside
        the graph. A mask makes every membership test below one lookup instead of a sort or a search."""
        ids, slots = slotted["id"].to_numpy(), slotted["slot"].to_numpy()
        at, known = self._positions(ids)
        width = int(slots.max()) + 1 if slots.size else 1
        mask = np.zeros(width * self.size, dtype=bool)
        mask[slots[known] * self.size + at] = True
        return mask, np.flatnonzero(mask), slotted.filter(~pl.Series(known))

    def _slotted(self, keys: np.ndarray) -> pl.DataFrame:
        slot, at = np.divmod(keys, max(self.size, 1))
        return pl.DataFrame({"slot": slot, "id": self.ids[at]}, schema=SLOTTED)

    def _edges_from(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every edge leaving the goals of `keys`: the edge's index and the slot it is taken in."""
        slot, at = np.divmod(keys, max(self.size, 1))
        counts = self.first_edge[at + 1] - self.first_edge[at]
        return _ranges(self.first_edge[at], counts), np.repeat(slot, counts)

    def carried(self, members: pl.DataFrame) -> pl.DataFrame:
        """(slot, id): each slot's members and every goal they ladder up to, walked up one layer per pass; a goal
        is visited once per slot, so a cycle cannot hang the walk. Members outside the graph stay as they are."""
        seen, frontier, outside = self._key_set(members.select("slot", "id"))
        while frontier.size:
            edge, slot = self._edges_from(frontier)
            reached = slot * self.size + self.edge_parent[edge]
            reached = reached[~seen[reached]]
            seen[reached] = True
            frontier = np.unique(reached)
        return pl.concat([self._slotted(np.flatnonzero(seen)), outside.unique()])

    def needing_roll_up(self, carried: pl.DataFrame) -> pl.DataFrame:
        """(slot, id): of each slot's carried goals, those without key results and the carried goals they take their
        progress from. Every other carried goal has the organisation's progress in any scope."""
        _, keys, _ = self._key_set(carried.select("slot", "id"))
        needing = np.zeros(keys[-1] + 1 if keys.size else 0, dtype=bool)
        needing[keys[self.unmeasured[keys % max(self.size, 1)]]] = True
        edge, slot = self._edges_from(keys)
        parent_keys = slot * self.size + self.edge_parent[edge]
        into_unmeasured = np.zeros(edge.size, dtype=bool)
        inside = parent_keys < needing.size
        into_unmeasured[inside] = needing[parent_keys[inside]]
        needing_children = slot[into_unmeasured] * self.size + self.edge_child[edge[into_unmeasured]]
        needing[needing_children] = True
        return self._slotted(np.flatnonzero(needing))

    def roll_up(
        self, nodes: pl.DataFrame, own_progress: pl.DataFrame, columns: tuple[str, ...] = ("progress",)
    ) -> pl.DataFrame:
        """The engine's roll-up of each slot's `nodes` (slot, id) on its own, from `own_progress` (slot, goal_id,
        weight and the progress `columns`; without `slot`, its rows hold for every slot) and the edges among each
        slot's nodes. Returns slot, id, the progress columns, has_key_results, in_cycle."""
        if nodes.is_empty():
            return pl.DataFrame(schema=ROLLED | dict.fromkeys(columns, pl.Float64))
        if "slot" not in own_progress.columns:
            wanted = own_progress.filter(pl.col("goal_id").is_in(nodes["id"].unique().implode()))
            own_progress = nodes.join(wanted, left_on="id", right_on="goal_id", how="inner").select(
                "slot", pl.col("id").alias("goal_id"), "weight", *columns
            )
        width = int(nodes["slot"].max()) + 1

        def composite(column: str) -> pl.Expr:
            return pl.col(column) * width + pl.col("slot")

        mask, keys, _ = self._key_set(nodes)
        edge, slot = self._edges_from(keys)
        kept = mask[slot * self.size + self.edge_parent[edge]]
        edge, slot = edge[kept], slot[kept]
        edges = pl.DataFrame(
            {
                "child": self.ids[self.edge_child[edge]] * width + slot,
                "parent": self.ids[self.edge_parent[edge]] * width + slot,
                "weight": self.edge_weight[edge],
            },
            schema={"child": pl.Int64, "parent": pl.Int64, "weight": pl.Float64},
        )
        node_ids = nodes.select(composite("id").alias("id")).unique()
        # Rows of slots without nodes are dropped first: their composite ids could fall on another slot's goal.
        key_results = (
            own_progress.filter(pl.col("slot").is_between(0, width - 1))
            .select(composite("goal_id").alias("goal_id"), "weight", *columns)
            .filter(pl.col("goal_id").is_in(node_ids["id"].implode()))
        )
        rolled = roll_up(node_ids, edges, key_results, columns)
        return rolled.select(
            (pl.col("id") % width).alias("slot"), (pl.col("id") // width).alias("id"), *columns, "has_key_results",
            "in_cycle",
        )
