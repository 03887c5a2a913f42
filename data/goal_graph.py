"""Loops in a graph of child -> parent edges (org units, managers, periods, goals and their links)."""

from __future__ import annotations

from collections import defaultdict, deque

import polars as pl


def cycle_members(edges: pl.DataFrame) -> pl.Series:
    """Ids on a loop of `edges` (child -> parent), or between two loops: peel away leaves, then roots."""
    remaining = edges.select("child", "parent").unique()
    while True:
        leaves = remaining.join(remaining.select(pl.col("parent").alias("child")).unique(), on="child", how="anti")
        if leaves.is_empty():
            break
        remaining = remaining.join(leaves, on=["child", "parent"], how="anti")
    while True:
        roots = remaining.join(remaining.select(pl.col("child").alias("parent")).unique(), on="parent", how="anti")
        if roots.is_empty():
            break
        remaining = remaining.join(roots, on=["child", "parent"], how="anti")
    return pl.concat([remaining["child"], remaining["parent"]]).unique().sort().alias("id")


def loop_paths(edges: pl.DataFrame, starts: list[int], names: dict[int, str] | None = None) -> dict[int, str]:
    """For each start, the shortest way round its loop: '5 → 7 → 5' (long loops are shortened); `names` gives
    an id the name to show instead (the text id a file gave it)."""
    names = names or {}
    following: dict[int, list[int]] = defaultdict(list)
    for child, parent in edges.iter_rows():
        following[child].append(parent)
    paths = {}
    for start in starts:
        came_from: dict[int, int] = {}
        queue = deque([start])
        found = False
        while queue and not found:
            node = queue.popleft()
            for parent in following[node]:
                if parent == start:
                    came_from[start] = node
                    found = True
                    break
                if parent not in came_from:
                    came_from[parent] = node
                    queue.append(parent)
        if not found:
            continue
        path, node = [start], came_from[start]
        while node != start:
            path.append(node)
            node = came_from[node]
        path = [start, *reversed(path[1:]), start]
        shown = path if len(path) <= 8 else [*path[:4], "…", *path[-3:]]
        paths[start] = " → ".join(str(names.get(p, p)) for p in shown)
    return paths
