"""Small-group protection: no figure for a group below the minimum size, and none that subtraction could reveal.

The rules, shared by every screen that shows people's ratings (or anything as personal):

- A *group* is a set of people a figure is reported for: a scope, a team, a region, a manager's reports, a
  value of a sensitive attribute, a cell of the calibration or 9-box grid. The share of a reported group that
  reached an outcome (its share rated 4) is a property of that group and is shown when the group is.
- Primary suppression: a group with 0 < n < `min_group_size` is hidden (no count, rate, mean or chart mark).
- Complementary suppression on a partition (groups that add up to a total the reader can see): the hidden
  set must be empty, or the whole partition, or hold at least two groups whose sizes add up to at least
  `min_group_size`. Until it does, the smallest visible group is hidden too. With a single hidden group the
  reader could subtract it back from the total; with two tiny ones (1 + 1) they could still pin both down.
- Grids (calibration pre x post, 9-box performance x potential): the row and column totals are outcome
  counts of the scope and stay visible, so the partition rule above applies to every row and every column,
  counting hidden empty cells too (a lone hidden zero is as recoverable as a lone hidden three), repeated
  until no row or column breaks it. A line that needs a partner takes it, where it can, from a cell whose
  other line already hides one (closing a rectangle rather than opening a new gap), else the smallest.
  An exact audit (`pinned_cells`) then asks, for every hidden cell holding people, whether the visible cells
  and the totals determine its value; while one is pinned, the smallest visible cell in its row or column is
  hidden as well. (A cell the totals alone pin down, as in a grid with a single non-empty row, tells no more
  than the totals do.) `cell_bounds` gives the same answer by linear programming, for tests.
- A figure for the hidden groups combined (their total is derivable anyway) may be shown: it is itself a
  group of at least `min_group_size` people whenever the partition's total is.

These rules protect each view on its own; docs/privacy.md says what comparing two views can still reveal.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy.optimize import linprog
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components

HIDDEN = "hidden"


def hide_line(sizes: Sequence[int], min_size: int, already: Iterable[int] = ()) -> set[int]:
    """Indices of a partition's cells to hide: primary (0 < n < min) plus the smallest cells until the hidden
    set is empty, whole, or at least two cells adding up to at least `min_size`."""
    hidden = {i for i, n in enumerate(sizes) if 0 < n < min_size} | set(already)
    if not hidden:
        return hidden
    # A heap rather than a sort: usually one or two more groups are enough, out of thousands of managers.
    visible = [(n, i) for i, n in enumerate(sizes) if i not in hidden]
    heapq.heapify(visible)
    total = sum(sizes[i] for i in hidden)
    while visible and not (len(hidden) >= 2 and total >= min_size):
        n, i = heapq.heappop(visible)
        hidden.add(i)
        total += n
    return hidden


def line_is_safe(sizes: Sequence[int], hidden: Iterable[int], min_size: int) -> bool:
    """The partition rule as a check: no visible group below the minimum, and the hidden set empty, whole, or
    at least two groups adding up to at least `min_size`."""
    hidden = set(hidden)
    if any(0 < n < min_size for i, n in enumerate(sizes) if i not in hidden):
        return False
    if not hidden or len(hidden) == len(sizes):
        return True
    return len(hidden) >= 2 and sum(sizes[i] for i in hidden) >= min_size


def hide_small_groups(
    groups: pl.DataFrame, min_size: int, *, size: str = "n", keep: Sequence[str] = ()
) -> pl.DataFrame:
    """One partition (a row per group, sizes in `size`) with a `hidden` flag; every column but `keep` and the
    flag is blanked on hidden rows, so nothing downstream can show what was hidden."""
    if groups.is_empty():
        return groups.with_columns(pl.lit(False).alias(HIDDEN))
    sizes = groups[size].fill_null(0).cast(pl.Int64).to_list()
    hidden = hide_line(sizes, min_size)
    flag = pl.Series(HIDDEN, [i in hidden for i in range(len(sizes))], dtype=pl.Boolean)
    marked = groups.with_columns(flag)
    blank = [c for c in groups.columns if c not in keep]
    return marked.with_columns(
        pl.when(pl.col(HIDDEN)).then(None).otherwise(pl.col(c)).alias(c) for c in blank
    )


def _grid_lines(shape: tuple[int, int]) -> list[list[tuple[int, int]]]:
    rows, cols = shape
    return [[(r, c) for c in range(cols)] for r in range(rows)] + [[(r, c) for r in range(rows)] for c in range(cols)]


def cell_bounds(counts: np.ndarray, hidden: np.ndarray) -> dict[tuple[int, int], tuple[float, float]]:
    """For each hidden cell, the smallest and largest value consistent with the visible cells and the row and
    column totals (counts >= 0): what a reader could work out by subtraction, exactly."""
    cells = [tuple(int(v) for v in x) for x in np.argwhere(hidden)]
    if not cells:
        return {}
    index = {cell: k for k, cell in enumerate(cells)}
    equations, targets = [], []
    for line in _grid_lines(counts.shape):
        members = [index[c] for c in line if c in index]
        if members:
            row = np.zeros(len(cells))
            row[members] = 1.0
            equations.append(row)
            targets.append(sum(counts[c] for c in line if c in index))
    a_eq, b_eq = np.array(equations), np.array(targets, dtype=float)
    bounds = {}
    for cell, k in index.items():
        objective = np.zeros(len(cells))
        objective[k] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        bounds[cell] = (round(low.fun, 6), round(-high.fun, 6))
    return bounds


def pinned_cells(counts: np.ndarray, hidden: np.ndarray) -> set[tuple[int, int]]:
    """Hidden cells holding people whose value the visible cells and the row and column totals determine.

    The hidden values may move only along cycles of hidden cells that alternate +t and -t (keeping every total),
    and -t only where a cell holds someone. So a hidden cell (r, c) is free unless there is neither a path from
    column c back to row r (raise it) nor one from row r on to column c (lower it), where a row may step to any
    column through a hidden cell and a column may step back to a row only through a hidden cell above zero.
    Exact, and the same answer as `cell_bounds` at a fraction of the cost.
    """
    rows, cols = counts.shape
    cells = [(int(r), int(c)) for r, c in np.argwhere(hidden)]
    raise_edges: dict[int, list[int]] = {}  # row -> columns (node ids: rows 0..R-1, columns R..R+C-1)
    lower_edges: dict[int, list[int]] = {}  # column -> rows
    for r, c in cells:
        raise_edges.setdefault(r, []).append(rows + c)
        if counts[r, c] > 0:
            lower_edges.setdefault(rows + c, []).append(r)

    def reachable(start: int, goal: int, skip: tuple[int, int]) -> bool:
        seen, frontier = {start}, [start]
        while frontier:
            node = frontier.pop()
            for nxt in raise_edges.get(node, []) + lower_edges.get(node, []):
                if (node, nxt) == skip or nxt in seen:
                    continue
                if nxt == goal:
                    return True
                seen.add(nxt)
                frontier.append(nxt)
        return False

    pinned = set()
    for r, c in cells:
        if counts[r, c] == 0:
            continue
        row, col = r, rows + c
        if not reachable(col, row, skip=(col, row)) and not reachable(row, col, skip=(row, col)):
            pinned.add((r, c))
    return pinned


def fixed_by_totals(counts: np.ndarray) -> set[tuple[int, int]]:
    """Cells holding people whose value the row and column totals alone determine, whatever else is shown."""
    return pinned_cells(counts, np.ones(counts.shape, dtype=bool))


def determined_by_sums(counts: np.ndarray, hidden: np.ndarray, sums: Sequence[np.ndarray]) -> set[tuple[int, int]]:
    """Hidden cells holding people whose value adding and subtracting the published figures gives back: the
    row and column totals and the further published sums (`sums`, masks of cells): a cell is determined exactly
    when its indicator lies in the span of those sums restricted to the hidden cells."""
    cells = [(int(r), int(c)) for r, c in np.argwhere(hidden)]
    if not cells:
        return set()
    rows, cols = counts.shape
    masks = [np.eye(rows, dtype=bool)[r][:, None].repeat(cols, axis=1) for r in range(rows)]
    masks += [np.eye(cols, dtype=bool)[c][None, :].repeat(rows, axis=0) for c in range(cols)]
    equations = np.array([[float(mask[cell]) for cell in cells] for mask in [*masks, *sums]])
    rank = np.linalg.matrix_rank(equations)
    found = set()
    for k, cell in enumerate(cells):
        unit = np.zeros(len(cells))
        unit[k] = 1.0
        if counts[cell] > 0 and np.linalg.matrix_rank(np.vstack([equations, unit])) == rank:
            found.add(cell)
    return found


def sums_reveal(counts: np.ndarray, hidden: np.ndarray, sums: Sequence[np.ndarray]) -> bool:
    """Whether publishing `sums` (masks of cells) beside the grid would let a hidden cell holding people be worked
    out that the grid alone keeps hidden (empty rows and columns are known zeros, as in `hide_small_cells`)."""
    counts = np.asarray(counts, dtype=np.int64)
    keep = np.ix_(np.flatnonzero(counts.sum(axis=1)), np.flatnonzero(counts.sum(axis=0)))
    counts, hidden, sums = counts[keep], np.asarray(hidden)[keep], [np.asarray(m)[keep] for m in sums]
    return bool(determined_by_sums(counts, hidden, sums) - determined_by_sums(counts, hidden, ()))


def hide_small_cells(counts: np.ndarray, min_size: int) -> np.ndarray:
    """A boolean mask of the grid cells to hide: the partition rule on every row and column, then the exact
    audit, hiding more until no hidden cell can be worked out from what is shown."""
    counts = np.asarray(counts, dtype=np.int64)
    hidden = np.zeros(counts.shape, dtype=bool)
    if counts.sum() < min_size:
        hidden[:] = True
        return hidden
    # Rows and columns with nobody in them are known to be all zeros from their totals: nothing to protect.
    rows, cols = np.flatnonzero(counts.sum(axis=1)), np.flatnonzero(counts.sum(axis=0))
    if len(rows) < counts.shape[0] or len(cols) < counts.shape[1]:
        hidden[np.ix_(rows, cols)] = hide_small_cells(counts[np.ix_(rows, cols)], min_size)
        return hidden
    hidden |= (counts > 0) & (counts < min_size)
    lines = _grid_lines(counts.shape)
    n_rows = counts.shape[0]

    def unsafe(line: list[tuple[int, int]]) -> bool:
        return not line_is_safe([int(counts[c]) for c in line], [k for k, c in enumerate(line) if hidden[c]], min_size)

    def cost(cell: tuple[int, int], along_row: bool) -> tuple:
        # Prefer a partner whose other line already hides something (it closes a rectangle instead of opening a
        # new gap there), then the smallest: fewer and emptier cells hidden.
        cross = lines[n_rows + cell[1]] if along_row else lines[cell[0]]
        hidden_across = sum(bool(hidden[c]) for c in cross)
        return (hidden_across == 0, int(counts[cell]), cell)

    while True:
        broken = next((k for k, line in enumerate(lines) if unsafe(line)), None)
        while broken is not None:
            line = lines[broken]
            candidates = [c for c in line if not hidden[c]]
            hidden[min(candidates, key=lambda cell: cost(cell, broken < n_rows))] = True
            broken = next((k for k, line in enumerate(lines) if unsafe(line)), None)
        # A hidden cell pinned at zero reveals no one; one the totals alone pin (a grid of one row) reveals no
        # more than the totals, which are shown anyway.
        pinned = sorted(pinned_cells(counts, hidden) - fixed_by_totals(counts))
        if not pinned:
            return hidden
        r, c = pinned[0]
        candidates = [cell for cell in lines[r] + lines[counts.shape[0] + c] if not hidden[cell]]
        if not candidates:
            hidden[:] = True
            return hidden
        hidden[min(candidates, key=lambda cell: (counts[cell], cell))] = True


def hide_small_grid(
    cells: pl.DataFrame, min_size: int, *, row: str, col: str, size: str = "n", keep: Sequence[str] = ()
) -> pl.DataFrame:
    """A complete grid in long form (a row per (`row`, `col`) cell, zeros included) with a `hidden` flag per
    cell; every column but the keys, `keep` and the flag is blanked on hidden cells."""
    if cells.is_empty():
        return cells.with_columns(pl.lit(False).alias(HIDDEN))
    row_values = cells[row].unique().sort().to_list()
    col_values = cells[col].unique().sort().to_list()
    grid = np.zeros((len(row_values), len(col_values)), dtype=np.int64)
    r_index = {v: i for i, v in enumerate(row_values)}
    c_index = {v: j for j, v in enumerate(col_values)}
    for r, c, n in cells.select(row, col, size).iter_rows():
        grid[r_index[r], c_index[c]] = n or 0
    mask = hide_small_cells(grid, min_size)
    flags = [bool(mask[r_index[r], c_index[c]]) for r, c in cells.select(row, col).iter_rows()]
    marked = cells.with_columns(pl.Series(HIDDEN, flags, dtype=pl.Boolean))
    blank = [c for c in cells.columns if c not in (row, col, *keep)]
    return marked.with_columns(
        pl.when(pl.col(HIDDEN)).then(None).otherwise(pl.col(c)).alias(c) for c in blank
    )


# --- protection across views: two partitions of the same people -------------------------------------------------


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
        self.size_array = np.asarray(self.sizes, dtype=np.int64)
        self._settled: set[int] | None = None  # the hidden set last found to obey the partition rule

    @property
    def whole(self) -> bool:
        """Everything hidden (or one group): the partition publishes only the total."""
        present = [g for g, n in enumerate(self.sizes[: self.hideable]) if n]
        return len(present) <= 1 or all(g in self.hidden for g in present)

    def hide(self, groups: Iterable[int], min_size: int) -> None:
        """Hide `groups` (in place: a set shared with another view of the same partition sees it), then the
        partition rule again. Once the hidden set holds two or more groups of at least `min_size` people together
        (and every group below it), adding groups keeps it so: the rule has nothing more to hide."""
        self.hidden |= set(groups)
        if self._settled is self.hidden:
            return
        self.hidden |= hide_line(self.sizes[: self.hideable], min_size, self.hidden)
        if len(self.hidden) >= 2 and sum(self.sizes[g] for g in self.hidden if g < self.hideable) >= min_size:
            self._settled = self.hidden


class _Forest:
    """A breadth-first spanning forest of a simple undirected graph (one search from a virtual root joined to one
    node of every component), in compiled array operations: each node's parent, depth, subtree size, its
    ancestors at every depth, and which edges lie on no cycle.

    A tree edge lies on a cycle exactly when some non-tree edge has one end below it and the other not. Each
    non-tree edge gets a random 64-bit tag, XOR-ed into both its ends; the XOR over a subtree is then the XOR of
    the tags of the edges leaving it, zero when none does. A non-zero sum proves a cycle, so a bridge is never
    missed; an edge on a cycle read as a bridge (tags cancelling, one chance in 2^64) would only make the audit
    hide more. The tags come from a fixed seed, so the same graph always gives the same answer.
    """

    def __init__(self, node_count: int, us: np.ndarray, vs: np.ndarray) -> None:
        edge_count = len(us)
        graph = csr_matrix((np.ones(edge_count, dtype=np.int8), (us, vs)), shape=(node_count, node_count))
        _, labels = connected_components(graph, directed=False)
        _, representatives = np.unique(labels, return_index=True)
        root = node_count
        forest = csr_matrix(
            (np.ones(edge_count + len(representatives), dtype=np.int8),
             (np.concatenate([us, np.full(len(representatives), root)]), np.concatenate([vs, representatives]))),
            shape=(node_count + 1, node_count + 1),
        )  # fmt: skip
        order, parent = breadth_first_order(forest, root, directed=False, return_predecessors=True)
        parent[root] = root
        nodes = order[1:]
        above = parent[nodes]
        depth = np.zeros(node_count + 1, dtype=np.int64)
        while True:  # one step per level: breadth-first trees are shallow
            deeper = depth[above] + 1
            if np.array_equal(deeper, depth[nodes]):
                break
            depth[nodes] = deeper
        by_depth = np.argsort(-depth[nodes], kind="stable")
        self.levels = np.split(nodes[by_depth], np.flatnonzero(np.diff(depth[nodes][by_depth])) + 1)
        self.parent, self.depth = parent, depth
        self.size = np.ones(node_count + 1, dtype=np.int64)
        for level in self.levels:  # deepest first
            np.add.at(self.size, parent[level], self.size[level])
        up = [np.arange(node_count + 1)]  # up[k][x]: x's ancestor k levels above (the root stays the root)
        for _ in range(int(depth.max())):
            up.append(parent[up[-1]])
        self.up = np.stack(up)
        everyone = np.arange(node_count)
        self.component = self.up[np.maximum(depth[everyone] - 1, 0), everyone]  # each node's ancestor at depth 1
        self.us, self.vs = us, vs

    def bridges(self) -> np.ndarray:
        """A mask of the edges that lie on no cycle."""
        us, vs, parent = self.us, self.vs, self.parent
        if len(us) == 0:
            return np.zeros(0, dtype=bool)
        tree = (parent[vs] == us) | (parent[us] == vs)
        tags = np.random.default_rng(0x1ADDE7).bit_generator.random_raw(len(us))
        crossing = np.zeros(len(parent), dtype=np.uint64)
        loose = ~tree
        np.bitwise_xor.at(crossing, us[loose], tags[loose])
        np.bitwise_xor.at(crossing, vs[loose], tags[loose])
        for level in self.levels:  # deepest first
            np.bitwise_xor.at(crossing, parent[level], crossing[level])
        child = np.where(parent[vs] == us, vs, us)
        return tree & (crossing[child] == 0)

    def below(self, child: int, nodes: np.ndarray) -> np.ndarray:
        """Which of `nodes` lie in `child`'s subtree."""
        lift = self.depth[nodes] - self.depth[child]
        return (lift >= 0) & (self.up[np.maximum(lift, 0), nodes] == child)


class _Pair:
    """Two partitions of the same people as the audit reads them: their non-empty intersections (atoms), found
    once, and the pair graph rebuilt from the current hidden groups whenever it is asked for."""

    def __init__(self, first: Grouping, second: Grouping) -> None:
        self.first, self.second = first, second
        n_first, n_second = len(first.sizes), len(second.sizes)
        keys = first.codes * n_second + second.codes
        space = n_first * n_second
        if space <= max(4 * keys.size, 1 << 16):
            counts = np.bincount(keys, minlength=space)
            atoms = np.flatnonzero(counts)
            counts = counts[atoms]
        else:
            atoms, counts = np.unique(keys, return_counts=True)
        self.atom_first, self.atom_second = np.divmod(atoms, n_second)
        self.atom_sizes = counts.astype(np.int64)


def _visible_hidden(grouping: Grouping) -> np.ndarray:
    """The grouping's hidden groups that hold someone, in order."""
    hidden = np.fromiter(grouping.hidden, dtype=np.int64, count=len(grouping.hidden))
    hidden.sort()
    return hidden[grouping.size_array[hidden] > 0] if hidden.size else hidden


class _PairGraph:
    """The pair as a graph whose circulations are exactly the changes to the people's figures that keep every
    published figure: nodes are the groups of both partitions and one pool node per partition; an edge per atom
    and one from each hidden group to its pool, in that order (atoms, then the first partition's hidden groups,
    then the second's), so leaks come out in the same order every time. `leaks` keeps the spanning forest it
    searched, for `_mend` to read the sides of the bridges from."""

    def __init__(self, pair: _Pair) -> None:
        first, second = pair.first, pair.second
        self.n_first, n_second = len(first.sizes), len(second.sizes)
        self.pools = (self.n_first + n_second, self.n_first + n_second + 1)
        self.node_count = self.n_first + n_second + 2
        self.hidden = (_visible_hidden(first), _visible_hidden(second))
        self.atom_count = len(pair.atom_first)
        self.pair = pair
        self.us = np.concatenate([pair.atom_first, np.full(len(self.hidden[0]), self.pools[0]),
                                  np.full(len(self.hidden[1]), self.pools[1])]).astype(np.int64)
        self.vs = np.concatenate([self.n_first + pair.atom_second, self.hidden[0],
                                  self.n_first + self.hidden[1]]).astype(np.int64)
        self.sizes = np.concatenate([pair.atom_sizes, first.size_array[self.hidden[0]],
                                     second.size_array[self.hidden[1]]])
        self.forest: _Forest | None = None

    def label(self, k: int) -> tuple:
        edge = (int(self.us[k]), int(self.vs[k]))
        if k < self.atom_count:
            return ("atom", int(self.pair.atom_first[k]), int(self.pair.atom_second[k]), edge)
        k -= self.atom_count
        if k < len(self.hidden[0]):
            return ("first", int(self.hidden[0][k]), edge)
        return ("second", int(self.hidden[1][k - len(self.hidden[0])]), edge)

    def leaks(self, min_size: int) -> list[tuple]:
        small = (self.sizes > 0) & (self.sizes < min_size)
        if not small.any():
            return []
        self.forest = _Forest(self.node_count, self.us, self.vs)
        found = np.flatnonzero(small & self.forest.bridges())
        return [self.label(int(k)) for k in found]


def pair_leaks(first: Grouping, second: Grouping, min_size: int) -> list[tuple]:
    """Sets of 1 to min_size - 1 people (an intersection of two groups, or a hidden group) whose figures the two
    partitions together determine: exactly the bridges of the pair graph, since a figure can be changed without
    changing any published one only along a cycle."""
    return _PairGraph(_Pair(first, second)).leaks(min_size)


def _mend(pair: _Pair, graph: _PairGraph, leaks: list[tuple], min_size: int) -> bool:
    """Hide, for each leaking edge, the smallest visible own group(s) that close a cycle through it: a group on
    the far side of it from its partition's pool (or one on each side when nothing of that partition is hidden
    yet). All the leaks of one pass are mended against the same graph; the next pass checks again. False when
    none could be."""
    first, second = pair.first, pair.second
    forest = graph.forest  # the forest `leaks` found these bridges on
    assert forest is not None, "_mend reads the forest of graph.leaks"
    offsets = (0, graph.n_first)
    has_pool = (len(graph.hidden[0]) > 0, len(graph.hidden[1]) > 0)
    # Each own partition's non-empty groups by (size, index), with their nodes and components.
    ranked = []
    for which, grouping in enumerate((first, second)):
        sizes = grouping.size_array[: grouping.hideable]
        groups = np.flatnonzero(sizes)
        groups = groups[np.lexsort((groups, sizes[groups]))]
        nodes = offsets[which] + groups
        mask = np.zeros(grouping.hideable, dtype=bool)
        mask[[g for g in grouping.hidden if g < grouping.hideable]] = True
        ranked.append((groups, sizes[groups], nodes, forest.component[nodes], mask))
    mended = False
    for leak in leaks:
        u, v = leak[-1]
        child = v if forest.parent[v] == u else u if forest.parent[u] == v else -1
        if child < 0:
            continue  # not a tree edge, so on a cycle after all: nothing to mend
        # Removing the bridge leaves the child's subtree on one side and the rest of its component on the other;
        # the smaller side is the one a search from both ends would finish first (u's on a tie).
        below = int(forest.size[child])
        total = int(forest.size[forest.component[child]])
        size_u, size_v = (below, total - below) if child == u else (total - below, below)
        small_is_below = (u if size_u <= size_v else v) == child
        home = forest.component[child]

        def on_small_side(nodes: np.ndarray, components: np.ndarray) -> np.ndarray:
            inside_subtree = forest.below(child, nodes)  # noqa: B023 - called at once, in this iteration
            return inside_subtree if small_is_below else (components == home) & ~inside_subtree  # noqa: B023

        options = []
        for which, grouping in enumerate((first, second)):
            if not grouping.own:
                continue
            groups, sizes, nodes, components, mask = ranked[which]
            visible = ~mask[groups]
            small = on_small_side(nodes, components)
            inside = np.flatnonzero(visible & small)
            outside = np.flatnonzero(visible & ~small)
            pool = graph.pools[which]
            pool_in_small = bool(on_small_side(np.array([pool]), forest.component[[pool]])[0])
            if has_pool[which]:
                if not pool_in_small and inside.size:
                    options.append((int(sizes[inside[0]]), which, [int(groups[inside[0]])]))
                elif pool_in_small and outside.size:
                    options.append((int(sizes[outside[0]]), which, [int(groups[outside[0]])]))
            elif inside.size and outside.size:
                options.append((int(sizes[inside[0]] + sizes[outside[0]]), which,
                                [int(groups[inside[0]]), int(groups[outside[0]])]))
        if options:
            _, which, groups = min(options)
            grouping = (first, second)[which]
            before = len(grouping.hidden)
            grouping.hide(groups, min_size)
            mask = ranked[which][4]
            if len(grouping.hidden) - before > len(groups):  # the partition rule hid more: read the set again
                mask[[g for g in grouping.hidden if g < grouping.hideable]] = True
            else:
                mask[groups] = True
            mended = True
    return mended


def protect_pair(first: Grouping, second: Grouping, min_size: int, pair: _Pair | None = None) -> bool:
    """Hide more of the own partition(s) until no set of 1 to min_size - 1 people is determined by the pair; an
    own partition that cannot be mended otherwise is hidden whole. False if even that leaves a leak (a scope's
    total against a fixed view of its parent): then the scope itself must not be shown."""
    pair = pair or _Pair(first, second)
    while True:
        graph = _PairGraph(pair)
        leaks = graph.leaks(min_size)
        if not leaks:
            return True
        if _mend(pair, graph, leaks, min_size):
            continue
        owns = [g for g in (first, second) if g.own and not g.whole]
        if not owns:
            return False
        owns[0].hide(range(owns[0].hideable), min_size)


def protect_linked(
    groupings: Sequence[Grouping], fixed_pairs: Sequence[tuple[Grouping, Grouping]], min_size: int
) -> bool:
    """The partition rule on each own partition, then every pair of them and every given (own, fixed) pair made
    safe, repeated until one full round hides nothing more (hiding only ever adds cycles, so it ends). False when
    some pair cannot be made safe by hiding groups."""
    for grouping in groupings:
        grouping.hide((), min_size)
    pairs = [(a, b) for i, a in enumerate(groupings) for b in groupings[i + 1:]] + list(fixed_pairs)
    atoms: dict[int, _Pair] = {}
    safe_at: dict[int, tuple[int, int]] = {}  # a pair found safe, and its hidden counts then: unchanged, still safe
    while True:
        before = sum(len(g.hidden) for g in groupings)
        for k, (first, second) in enumerate(pairs):
            if safe_at.get(k) == (len(first.hidden), len(second.hidden)):
                continue
            if k not in atoms:
                atoms[k] = _Pair(first, second)
            if not protect_pair(first, second, min_size, atoms[k]):
                return False
            safe_at[k] = (len(first.hidden), len(second.hidden))
        if sum(len(g.hidden) for g in groupings) == before:
            return True
