"""The cross-view audit as it was first written (Tarjan's bridges in Python, one search per leak, the partition
rule re-run on every hide): the reference the faster `queries.privacy` must agree with, group for group."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from queries.privacy import hide_line

# --- protection across views: two partitions of the same people -------------------------------------------------


def bridges(node_count: int, edges: Sequence[tuple[int, int]]) -> set[int]:
    """Indices of the edges that lie on no cycle of the undirected graph (Tarjan's low-link, iteratively)."""
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(node_count)]
    for k, (u, v) in enumerate(edges):
        adjacency[u].append((v, k))
        adjacency[v].append((u, k))
    order, low = [-1] * node_count, [0] * node_count
    counter, found = 0, set()
    for root in range(node_count):
        if order[root] != -1:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, -1, iter(adjacency[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            for nxt, k in neighbours:
                if k == via:
                    continue
                if order[nxt] == -1:
                    order[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append((nxt, k, iter(adjacency[nxt])))
                    break
                low[node] = min(low[node], order[nxt])
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.add(via)
    return found


@dataclass
class Grouping:
    """One published partition of a set of people: a group index per person, the hidden groups (shown only as
    their pooled total), and whether the audit may hide more of it (a view of another scope is fixed)."""

    codes: np.ndarray
    hidden: set[int]
    own: bool = True
    hideable: int = -1  # groups 0..hideable-1 obey the partition rule; any after them are known wholes
    sizes: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.codes = np.asarray(self.codes, dtype=np.int64)
        if not self.sizes:
            self.sizes = np.bincount(self.codes).tolist() if self.codes.size else []
        if self.hideable < 0:
            self.hideable = len(self.sizes)
        self.sizes += [0] * (self.hideable - len(self.sizes))

    @property
    def whole(self) -> bool:
        """Everything hidden (or one group): the partition publishes only the total."""
        present = [g for g, n in enumerate(self.sizes[: self.hideable]) if n]
        return len(present) <= 1 or all(g in self.hidden for g in present)

    def hide(self, groups: Iterable[int], min_size: int) -> None:
        """Hide `groups` (in place: a set shared with another view of the same partition sees it), then the
        partition rule again."""
        self.hidden |= set(groups)
        self.hidden |= hide_line(self.sizes[: self.hideable], min_size, self.hidden)


def _pair_graph(first: Grouping, second: Grouping) -> tuple[int, list[tuple[int, int]], list[int], list[tuple]]:
    """The pair as a graph whose circulations are exactly the changes to the people's figures that keep every
    published figure: nodes are the groups of both partitions and one pool node per partition; an edge per
    non-empty intersection of two groups (an atom) and one from each hidden group to its pool."""
    n_first, n_second = len(first.sizes), len(second.sizes)
    pool_first, pool_second = n_first + n_second, n_first + n_second + 1
    atoms, counts = np.unique(first.codes * n_second + second.codes, return_counts=True)
    edges, sizes, labels = [], [], []
    for atom, n in zip(atoms.tolist(), counts.tolist(), strict=True):
        a, b = divmod(atom, n_second)
        edges.append((a, n_first + b))
        sizes.append(n)
        labels.append(("atom", a, b))
    for g in sorted(first.hidden):
        if first.sizes[g]:
            edges.append((pool_first, g))
            sizes.append(first.sizes[g])
            labels.append(("first", g))
    for g in sorted(second.hidden):
        if second.sizes[g]:
            edges.append((pool_second, n_first + g))
            sizes.append(second.sizes[g])
            labels.append(("second", g))
    return n_first + n_second + 2, edges, sizes, labels


def pair_leaks(first: Grouping, second: Grouping, min_size: int) -> list[tuple]:
    """Sets of 1 to min_size - 1 people (an intersection of two groups, or a hidden group) whose figures the two
    partitions together determine: exactly the bridges of the pair graph, since a figure can be changed without
    changing any published one only along a cycle."""
    node_count, edges, sizes, labels = _pair_graph(first, second)
    return [labels[k] + (edges[k],) for k in sorted(bridges(node_count, edges)) if 0 < sizes[k] < min_size]


def _smaller_side(adjacency: list[list[tuple[int, int]]], cut: int, u: int, v: int) -> tuple[set[int], int]:
    """The nodes on the smaller side of the bridge `cut` (edge id) between u and v, and the endpoint it holds:
    two searches, one from each end, advanced in turn until one runs out, so a bridge to a small branch costs
    only that branch."""
    seen = ({u}, {v})
    frontiers = ([u], [v])
    while True:
        for side in (0, 1):
            if not frontiers[side]:
                return seen[side], (u, v)[side]
            node = frontiers[side].pop()
            for nxt, edge in adjacency[node]:
                if edge != cut and nxt not in seen[side]:
                    seen[side].add(nxt)
                    frontiers[side].append(nxt)


def _mend(first: Grouping, second: Grouping, leaks: list[tuple], min_size: int) -> bool:
    """Hide, for each leaking edge, the smallest visible own group(s) that close a cycle through it: a group on
    the far side of it from its partition's pool (or one on each side when nothing of that partition is hidden
    yet). All the leaks of one pass are mended against the same graph; the next pass checks again. False when
    none could be."""
    node_count, edges, _, _ = _pair_graph(first, second)
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(node_count)]
    for k, (x, y) in enumerate(edges):
        adjacency[x].append((y, k))
        adjacency[y].append((x, k))
    index = {edge: k for k, edge in enumerate(edges)}
    offsets = (0, len(first.sizes))
    mended = False
    for leak in leaks:
        u, v = leak[-1]
        small, _ = _smaller_side(adjacency, index[(u, v)], u, v)
        options = []
        for which, grouping in enumerate((first, second)):
            if not grouping.own:
                continue
            pool = len(first.sizes) + len(second.sizes) + which
            by_size = sorted((n, g) for g, n in enumerate(grouping.sizes[: grouping.hideable])
                             if n and g not in grouping.hidden)
            inside = [(n, g) for n, g in by_size if offsets[which] + g in small]
            outside = next(((n, g) for n, g in by_size if offsets[which] + g not in small), None)
            if adjacency[pool]:
                pick = (inside[:1] if pool not in small else []) or ([outside] if pool in small and outside else [])
                if pick:
                    options.append((pick[0][0], which, [pick[0][1]]))
            elif inside and outside:
                options.append((inside[0][0] + outside[0], which, [inside[0][1], outside[1]]))
        if options:
            _, which, groups = min(options)
            (first, second)[which].hide(groups, min_size)
            mended = True
    return mended


def protect_pair(first: Grouping, second: Grouping, min_size: int) -> bool:
    """Hide more of the own partition(s) until no set of 1 to min_size - 1 people is determined by the pair; an
    own partition that cannot be mended otherwise is hidden whole. False if even that leaves a leak (a scope's
    total against a fixed view of its parent): then the scope itself must not be shown."""
    while leaks := pair_leaks(first, second, min_size):
        if _mend(first, second, leaks, min_size):
            continue
        owns = [g for g in (first, second) if g.own and not g.whole]
        if not owns:
            return False
        owns[0].hide(range(owns[0].hideable), min_size)
    return True


def protect_linked(
    groupings: Sequence[Grouping], fixed_pairs: Sequence[tuple[Grouping, Grouping]], min_size: int
) -> bool:
    """The partition rule on each own partition, then every pair of them and every given (own, fixed) pair made
    safe, repeated until one full round hides nothing more (hiding only ever adds cycles, so it ends). False when
    some pair cannot be made safe by hiding groups."""
    for grouping in groupings:
        grouping.hide((), min_size)
    pairs = [(a, b) for i, a in enumerate(groupings) for b in groupings[i + 1:]] + list(fixed_pairs)
    safe_at: dict[int, tuple[int, int]] = {}  # a pair found safe, and its hidden counts then: unchanged, still safe
    while True:
        before = sum(len(g.hidden) for g in groupings)
        for k, (first, second) in enumerate(pairs):
            if safe_at.get(k) == (len(first.hidden), len(second.hidden)):
                continue
            if not protect_pair(first, second, min_size):
                return False
            safe_at[k] = (len(first.hidden), len(second.hidden))
        if sum(len(g.hidden) for g in groupings) == before:
            return True


# --- a scope's protection as first written: polars joins per view, a fixed view per pair -------------------------


def _grouping(codes, hidden, *, own, index=None, outside=0):
    import polars as pl

    from queries.ratings import OUTSIDE

    if index is None:
        index = {g: i for i, g in enumerate(sorted(codes.unique().to_list()))}
    mapping = dict(index) | ({OUTSIDE: len(index)} if outside else {})
    values = codes.replace_strict(mapping, return_dtype=pl.Int64).to_numpy()
    grouping = Grouping(values, {index[g] for g in hidden if g in index}, own=own, hideable=len(index))
    return grouping, index


def protection(snapshot, filters, viewer, settings, cycle_id, memo=None):
    """`queries.ratings.protection` as first written, on this module's audit: (shown, reason, hidden, keys)."""
    import polars as pl

    from queries import ratings as q

    memo = {} if memo is None else memo
    key = (filters.org_unit_id, filters.region_ids)
    if key in memo:
        return memo[key]
    min_size = settings.min_group_size
    rated = q.rated_in_scope(snapshot, filters, cycle_id)
    keys = q._group_keys(snapshot, filters, viewer, rated)

    def done(value):
        memo[key] = value
        return value

    if rated.height < min_size:
        return done((False, q.SMALL_SCOPE, {}, keys))
    names = q.audited_groupings(viewer)
    own = {name: _grouping(keys[name], set(), own=True) for name in names}
    fixed_pairs = []
    for gate, parent_filters in q._parent_scopes(snapshot, filters):
        shown, _, parent_hidden, parent_keys = protection(snapshot, parent_filters, viewer, settings, cycle_id, memo)
        if not shown:
            return done((False, q.PARENT_HIDDEN, {}, keys))
        if parent_keys.height == rated.height:
            continue
        inside = parent_keys.join(keys.select("employee_id", pl.lit(True).alias("inside")), on="employee_id",
                                  how="left").with_columns(pl.col("inside").fill_null(False))
        if inside.filter(pl.col("inside"))[gate].is_in(list(parent_hidden[gate])).any():
            return done((False, q.PARENT_HIDDEN, {}, keys))
        for name in names:
            index = own[name][1]
            codes = inside.join(keys.select("employee_id", pl.col(name).alias("own")), on="employee_id", how="left")
            extended, _ = _grouping(codes["own"].fill_null(q.OUTSIDE), set(), own=True, index=index, outside=1)
            extended.hidden = own[name][0].hidden
            for other in names:
                fixed, _ = _grouping(inside[other], parent_hidden[other], own=False)
                fixed_pairs.append((extended, fixed))
    if not protect_linked([grouping for grouping, _ in own.values()], fixed_pairs, min_size):
        return done((False, q.PARENT_HIDDEN, {}, keys))
    hidden = {}
    for name, (grouping, index) in own.items():
        ids = {i: g for g, i in index.items()}
        hidden[name] = frozenset(ids[i] for i in grouping.hidden)
    return done((True, "", hidden, keys))
