"""Alignment: does each goal ladder up to a company objective of the same period?"""

from __future__ import annotations

import polars as pl

from queries.model import Snapshot
from queries.rollup import ladder_edges, period_goals


def objective_of_goal(snapshot: Snapshot, goals: pl.DataFrame) -> pl.DataFrame:
    """For every goal, the company objective it ladders up to (through parents and "contributes" links), or null.

    A goal reaches an objective only if the objective's period is the goal's own period or contains it. Walks
    down from the objectives one layer per pass and stops when a pass reaches nothing new, so cycles cannot hang it.
    Where a goal reaches several objectives, the one with the smallest id is kept.
    """
    edges = ladder_edges(goals, snapshot.goal_link).select("child", "parent")
    year_of = snapshot.period.select(
        pl.col("id").alias("period_id"), pl.coalesce("parent_id", "id").alias("year_period_id")
    )
    objectives = goals.filter(pl.col("level") == "company").select(
        pl.col("id"), pl.col("id").alias("objective_id"), pl.col("period_id").alias("objective_period_id")
    )
    reached = objectives
    frontier = objectives
    while frontier.height:
        step = (
            edges.join(frontier, left_on="parent", right_on="id", how="inner")
            .select(pl.col("child").alias("id"), "objective_id", "objective_period_id")
            .join(reached.select("id"), on="id", how="anti")
            .sort("objective_id")
            .unique("id", keep="first")
        )
        reached = pl.concat([reached, step])
        frontier = step
    return (
        goals.select("id", "period_id")
        .join(year_of, on="period_id", how="left")
        .join(reached, on="id", how="left")
        .with_columns(
            pl.when(
                (pl.col("objective_period_id") == pl.col("period_id"))
                | (pl.col("objective_period_id") == pl.col("year_period_id"))
            )
            .then(pl.col("objective_id"))
            .alias("objective_id")
        )
        .select("id", "objective_id")
    )


def period_alignment(snapshot: Snapshot, period_id: int) -> pl.DataFrame:
    """Every live goal of the period with its objective (null = not laddering up); memoised per snapshot."""

    def compute() -> pl.DataFrame:
        goals = period_goals(snapshot, period_id)
        return objective_of_goal(snapshot, goals)

    return snapshot.derived(("alignment", period_id), compute)
