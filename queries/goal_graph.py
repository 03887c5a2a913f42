"""A year's goal graph as position arrays: which goals a scope carries, which of them must be rolled up again for
it, and that roll-up, for one goal set or for many at once.

Goals are numbered by their position among the sorted ids. Several goal sets (a scope per region, per team, or one
scope at several dates) are handled together by giving each a `slot`: the pair (slot, goal) becomes one integer
key, slot × goals + position, so every step below is the same few array operations whatever the number of slots.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import polars as pl

from queries.rollup import roll_up_arrays, summed_by_row

SLOTTED = {"slot": pl.Int64, "id": pl.Int64}
FLAGS = {"has_key_results": pl.Boolean, "in_cycle": pl.Boolean}
ROLLED = {"slot": pl.Int64, "id": pl.Int64, "progress": pl.Float64, **FLAGS}


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
        at = np.searchsorted(self.ids, ids)
        known = at < self.size
        known[known] = self.ids[at[known]] == ids[known]
        return at[known], known

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
        return pl.concat([self._slotted(self._walk_up(seen, frontier)), outside.unique()])

    def _walk_up(self, seen: np.ndarray, frontier: np.ndarray) -> np.ndarray:
        """The keys of `seen` (a mask over slot × position, updated) and of every goal above the `frontier` keys."""
        while frontier.size:
            edge, slot = self._edges_from(frontier)
            reached = slot * self.size + self.edge_parent[edge]
            reached = reached[~seen[reached]]
            seen[reached] = True
            frontier = np.unique(reached)
        return np.flatnonzero(seen)

    def needing_roll_up(self, carried: pl.DataFrame) -> pl.DataFrame:
        """(slot, id): of each slot's carried goals, those without key results and the carried goals they take their
        progress from. Every other carried goal has the organisation's progress in any scope."""
        _, keys, _ = self._key_set(carried.select("slot", "id"))
        return self._slotted(self._needing_keys(keys))

    def one_scope(self, rows: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """For one goal set, the rows of `goals` it keeps (a mask; None: every goal), the positions of the goals it
        carries and of those needing a roll-up (`carried`, `needing_roll_up` in one slot), both sorted."""
        if rows is None:
            keys = np.arange(self.size)
        else:
            seen = np.zeros(self.size, dtype=bool)
            seen[self.row_positions[rows]] = True
            keys = self._walk_up(seen, np.flatnonzero(seen))
        return keys, self._needing_keys(keys)

    @cached_property
    def row_positions(self) -> np.ndarray:
        """The position of each row of `goals`."""
        return np.searchsorted(self.ids, self.goals["id"].to_numpy())

    def _needing_keys(self, keys: np.ndarray) -> np.ndarray:
        needing = np.zeros(keys[-1] + 1 if keys.size else 0, dtype=bool)
        needing[keys[self.unmeasured[keys % max(self.size, 1)]]] = True
        edge, slot = self._edges_from(keys)
        parent_keys = slot * self.size + self.edge_parent[edge]
        into_unmeasured = np.zeros(edge.size, dtype=bool)
        inside = parent_keys < needing.size
        into_unmeasured[inside] = needing[parent_keys[inside]]
        needing_children = slot[into_unmeasured] * self.size + self.edge_child[edge[into_unmeasured]]
        needing[needing_children] = True
        return np.flatnonzero(needing)

    def measured(self, own_progress: pl.DataFrame, columns: tuple[str, ...] = ("progress",)) -> Measured:
        """`own_progress` (goal_id, weight and the progress `columns`, the same in every slot) read onto the graph's
        positions once, so that many roll-ups reuse it; rows of goals outside the graph are left out."""
        at, known = self._positions(own_progress["goal_id"].to_numpy())
        return Measured.of_rows(at, own_progress.filter(pl.Series(known)), columns)

    def roll_up(
        self, nodes: pl.DataFrame, own_progress: pl.DataFrame | Measured, columns: tuple[str, ...] = ("progress",)
    ) -> pl.DataFrame:
        """The engine's roll-up of each slot's `nodes` (slot, id; goals of the graph) on its own, from `own_progress`
        (goal_id, weight and the progress `columns`, with `slot` when rows hold for one slot only, else for every
        slot; or the same `measured` onto positions) and the edges among each slot's nodes. Returns slot, id, the
        progress columns, has_key_results, in_cycle."""
        if nodes.is_empty():
            return pl.DataFrame(schema=ROLLED | dict.fromkeys(columns, pl.Float64))
        if isinstance(own_progress, pl.DataFrame) and "slot" not in own_progress.columns:
            own_progress = self.measured(own_progress, columns)
        mask, keys, _ = self._key_set(nodes)
        edge, slot = self._edges_from(keys)
        kept = mask[slot * self.size + self.edge_parent[edge]]
        edge, slot = edge[kept], slot[kept]
        if isinstance(own_progress, Measured):
            own, has = own_progress.at(keys % max(self.size, 1), len(columns))
        else:
            own, has = self._slotted_own(own_progress, columns, mask).at(keys, len(columns))
        progress, in_cycle = roll_up_arrays(
            keys, slot * self.size + self.edge_child[edge], slot * self.size + self.edge_parent[edge],
            self.edge_weight[edge].astype(float), own, has,
        )  # fmt: skip
        slots, at = np.divmod(keys, max(self.size, 1))
        return pl.DataFrame(
            {"slot": slots, "id": self.ids[at],
             **{name: pl.Series(progress[:, c], dtype=pl.Float64, nan_to_null=True) for c, name in enumerate(columns)},
             "has_key_results": has, "in_cycle": in_cycle},
            schema=SLOTTED | dict.fromkeys(columns, pl.Float64) | FLAGS,
        )  # fmt: skip

    def _slotted_own(self, own_progress: pl.DataFrame, columns: tuple[str, ...], mask: np.ndarray) -> Measured:
        """Own progress by node key from rows that hold for one slot each; rows of slots or goals without a node
        are dropped first, so that they never fall on another slot's goal."""
        at, known = self._positions(own_progress["goal_id"].to_numpy())
        slot = own_progress["slot"].to_numpy()[known]
        width = mask.size // max(self.size, 1)
        inside = (slot >= 0) & (slot < width)
        row_keys = slot[inside] * self.size + at[inside]
        with_node = mask[row_keys]
        rows = own_progress.filter(pl.Series(known)).filter(pl.Series(inside)).filter(pl.Series(with_node))
        return Measured.of_rows(row_keys[with_node], rows, columns)


class Measured:
    """Goals' own progress as the roll-up engine reads it: for the sorted `keys` (positions, or slot x positions)
    that have a row of positive weight, `values` (keys x columns), the weighted mean of their rows, a missing value
    counting as 0."""

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        self.keys, self.values = keys, values

    @classmethod
    def of_rows(cls, at: np.ndarray, rows: pl.DataFrame, columns: tuple[str, ...]) -> Measured:
        """From `rows` (weight and `columns`) at keys `at`: the engine's own step (rollup.py `roll_up`)."""
        positive = (rows["weight"] > 0).to_numpy()
        at, rows = at[positive], rows.filter(pl.Series(positive))
        keys, row = np.unique(at, return_inverse=True)
        weight = rows["weight"].to_numpy(allow_copy=True).astype(float)
        total = np.bincount(row, weights=weight, minlength=keys.size)
        values = rows.select(pl.col(list(columns)).cast(pl.Float64).fill_null(np.nan)).to_numpy()
        values = values.reshape(-1, len(columns))
        weighted = summed_by_row(row, np.where(np.isnan(values), 0.0, values) * weight[:, None], keys.size)
        return cls(keys, weighted / total[:, None])

    def at(self, keys: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
        """The own progress of `keys` (keys x columns, NaN for a key without any) and whether each has any."""
        row = np.searchsorted(self.keys, keys)
        has = row < self.keys.size
        has[has] = self.keys[row[has]] == keys[has]
        own = np.full((keys.size, columns), np.nan)
        own[has] = self.values[row[has]]
        return own, has
