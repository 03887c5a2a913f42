"""Pinned reviews and the goalpost audit: what a scope's goalposts were at the last pinned review, what moved since,
and what each kind of move did to every objective's roll-up.

The goalposts of a scope are each carried goal's parent, weight, archived flag, status and whether it ladders up to
an objective; each of their key results' start, target and weight; and their links. A flag's effect on an
objective = the objective's progress now - its progress now with that flag's changes put back as they were, in
percentage points: the roll-up is run again on the viewer's snapshot with only those goalposts restored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from queries.alignment import period_alignment
from queries.model import Filters, Settings, Snapshot
from queries.scope import scope_of

KEY_RESULT_COLUMNS = ("key_result_id", "goal_id", "start_value", "target_value", "weight")
GOAL_COLUMNS = ("goal_id", "parent_id", "weight", "archived", "status", "aligned")
LINK_COLUMNS = ("goal_id", "target_goal_id", "link_type", "weight")
OBJECTIVE_COLUMNS = ("goal_id", "title", "progress", "status")
FLAGS = {
    "target_lowered": "lowered target", "target_raised": "raised target", "weight_changed": "changed weight",
    "re_parented": "re-parented goal", "now_supports": "contributes → supports", "archived_behind":
    "goal archived while behind", "new_orphan": "new orphan",
}


@dataclass(frozen=True)
class Goalposts:
    """A scope's objective figures and goalposts at one moment (now, or a pinned review)."""

    objectives: pl.DataFrame
    goals: pl.DataFrame
    key_results: pl.DataFrame
    links: pl.DataFrame


def scope_key(filters: Filters) -> str:
    """'period=20264;regions=1,2;team=4': what makes two reviews the same scope (the as-of date does not)."""
    regions = ",".join(str(region) for region in sorted(filters.region_ids))
    team = "" if filters.org_unit_id is None else str(filters.org_unit_id)
    return f"period={filters.period_id};regions={regions};team={team}"


def goalposts_now(snapshot: Snapshot, filters: Filters, settings: Settings, goal_ids: pl.Series | None = None
                  ) -> Goalposts:
    """The scope's goalposts at the filters' as-of date: its carried goals (or `goal_ids`, archived ones included)."""
    scope = scope_of(snapshot, filters)
    progress = scope.progress(settings)
    ids = scope.goals.carried if goal_ids is None else goal_ids
    aligned = period_alignment(snapshot, filters.period_id).select(
        pl.col("id").alias("goal_id"), pl.col("objective_id").is_not_null().alias("aligned_here")
    )
    goals = (
        snapshot.goal.filter(pl.col("id").is_in(ids.implode()))
        .join(progress.select("id", "status"), on="id", how="left")
        .rename({"id": "goal_id"})
        .join(aligned, on="goal_id", how="left")
        .with_columns(
            (pl.col("aligned_here").fill_null(False) | (pl.col("level") == "company")).alias("aligned")
        )
        .select(GOAL_COLUMNS)
    )
    key_results = snapshot.key_result.filter(pl.col("goal_id").is_in(ids.implode())).select(
        pl.col("id").alias("key_result_id"), "goal_id", "start_value", "target_value", "weight"
    )
    links = snapshot.goal_link.filter(pl.col("goal_id").is_in(ids.implode())).select(LINK_COLUMNS)
    objectives = scope.objectives(settings).select(pl.col("id").alias("goal_id"), "title", "progress", "status")
    return Goalposts(objectives, goals, key_results, links)


def _changes(now: Goalposts, then: Goalposts) -> dict[str, pl.DataFrame]:
    """Per flag, the rows (of key results, goals or links, with their values then) that moved."""
    kr = now.key_results.join(then.key_results, on="key_result_id", how="inner", suffix="_then")
    asked, asked_then = (pl.col("target_value") - pl.col("start_value")).abs(), (
        pl.col("target_value_then") - pl.col("start_value_then")).abs()
    goals = now.goals.join(then.goals, on="goal_id", how="inner", suffix="_then")
    links = now.links.join(then.links, on=["goal_id", "target_goal_id"], how="inner", suffix="_then")
    return {
        "target_lowered": kr.filter(asked < asked_then),
        "target_raised": kr.filter(asked > asked_then),
        "weight_changed": pl.concat([
            kr.filter(pl.col("weight") != pl.col("weight_then")).select(pl.col("goal_id").alias("id")),
            goals.filter(pl.col("weight") != pl.col("weight_then")).select(pl.col("goal_id").alias("id")),
            links.filter(pl.col("weight") != pl.col("weight_then")).select(pl.col("goal_id").alias("id")),
        ]),
        "re_parented": goals.filter(pl.col("parent_id").ne_missing(pl.col("parent_id_then"))),
        "now_supports": links.filter((pl.col("link_type_then") == "contributes") & (pl.col("link_type") == "supports")),
        "archived_behind": goals.filter(pl.col("archived") & ~pl.col("archived_then")
                                        & (pl.col("status_then") == "behind")),
        "new_orphan": goals.filter(pl.col("aligned_then") & ~pl.col("aligned") & ~pl.col("archived")),
    }


def _restore(snapshot: Snapshot, then: Goalposts, flag: str, moved: pl.DataFrame) -> Snapshot:
    """The snapshot with the goalposts behind one flag put back as they were at the pinned review."""
    goal, kr, link = snapshot.goal, snapshot.key_result, snapshot.goal_link
    if flag in ("target_lowered", "target_raised"):
        old = moved.select(pl.col("key_result_id").alias("id"), "start_value_then", "target_value_then")
        kr = kr.join(old, on="id", how="left").with_columns(
            pl.coalesce("start_value_then", "start_value").alias("start_value"),
            pl.coalesce("target_value_then", "target_value").alias("target_value"),
        ).select(kr.columns)
    elif flag == "weight_changed":
        ids = moved["id"].implode()
        old_kr = then.key_results.rename({"key_result_id": "id"})
        kr = _put_back(kr, old_kr, "id", ["weight"], pl.col("goal_id").is_in(ids))
        goal = _put_back(goal, then.goals.rename({"goal_id": "id"}), "id", ["weight"], pl.col("id").is_in(ids))
        link = _put_back(link, then.links, ["goal_id", "target_goal_id"], ["weight"], pl.col("goal_id").is_in(ids))
    elif flag == "re_parented":
        goal = _put_back(goal, then.goals.rename({"goal_id": "id"}), "id", ["parent_id"],
                         pl.col("id").is_in(moved["goal_id"].implode()))
    elif flag == "now_supports":
        link = _put_back(link, then.links, ["goal_id", "target_goal_id"], ["link_type"],
                         pl.col("goal_id").is_in(moved["goal_id"].implode()))
    elif flag == "archived_behind":
        goal = goal.with_columns(
            pl.when(pl.col("id").is_in(moved["goal_id"].implode())).then(False).otherwise(pl.col("archived"))
            .alias("archived"))
    elif flag == "new_orphan":
        ids = moved["goal_id"].implode()
        goal = _put_back(goal, then.goals.rename({"goal_id": "id"}), "id", ["parent_id"], pl.col("id").is_in(ids))
        kept = link.filter(~pl.col("goal_id").is_in(ids))
        old = then.links.filter(pl.col("goal_id").is_in(ids))
        link = pl.concat([kept, old.with_columns(pl.lit(None, link.schema["id"]).alias("id")).select(link.columns)
                          .cast(link.schema)])
    return snapshot.narrowed(snapshot.scope_label, goal=goal, key_result=kr, goal_link=link)


def _put_back(table: pl.DataFrame, then: pl.DataFrame, on: str | list[str], columns: list[str],
              where: pl.Expr) -> pl.DataFrame:
    """`table` with `columns` taken from `then` on the rows matching `where` that `then` holds."""
    old = then.select(*([on] if isinstance(on, str) else on), *[pl.col(c).alias(f"{c}_then") for c in columns])
    joined = table.join(old, on=on, how="left")
    return joined.with_columns(
        pl.when(where & pl.col(f"{c}_then").is_not_null()).then(pl.col(f"{c}_then")).otherwise(pl.col(c)).alias(c)
        for c in columns
    ).select(table.columns)


def _progress(snapshot: Snapshot, filters: Filters, settings: Settings) -> dict[int, float | None]:
    objectives = scope_of(snapshot, filters).objectives(settings)
    return dict(zip(objectives["id"].to_list(), objectives["progress"].to_list(), strict=True))


def goalpost_audit(snapshot: Snapshot, filters: Filters, settings: Settings, then: Goalposts) -> pl.DataFrame:
    """One row per flag and objective it moved: how many goalposts moved, and the effect on the objective's roll-up
    in percentage points = (progress now - progress with those goalposts restored) × 100; a flag that moved no
    objective has one row without an objective and an effect of 0."""
    now = goalposts_now(snapshot, filters, settings, then.goals["goal_id"])
    current = _progress(snapshot, filters, settings)
    titles = dict(zip(then.objectives["goal_id"].to_list(), then.objectives["title"].to_list(), strict=True))
    titles |= dict(zip(now.objectives["goal_id"].to_list(), now.objectives["title"].to_list(), strict=True))
    rows = []
    for flag, moved in _changes(now, then).items():
        if moved.is_empty():
            continue
        restored = _progress(_restore(snapshot, then, flag, moved), filters, settings)
        moved_objectives = {
            objective: _points(current.get(objective), restored.get(objective))
            for objective in sorted(set(current) | set(restored))
            if _moved(current.get(objective), restored.get(objective))
        }
        count = moved.select(pl.first()).n_unique()
        for objective, effect in (moved_objectives or {None: 0.0}).items():
            rows.append({"flag": flag, "what": FLAGS[flag], "count": count, "objective_id": objective,
                         "objective": titles.get(objective), "effect_pp": effect})
    schema = {"flag": pl.String, "what": pl.String, "count": pl.Int64, "objective_id": pl.Int64,
              "objective": pl.String, "effect_pp": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def _moved(now: float | None, restored: float | None) -> bool:
    """Whether the roll-up differs: a figure appears or goes, or changes by more than rounding."""
    if now is None or restored is None:
        return (now is None) != (restored is None)
    return abs(now - restored) > 1e-12


def _points(now: float | None, restored: float | None) -> float | None:
    """now - restored in percentage points; None when either side has nothing measured."""
    return None if now is None or restored is None else (now - restored) * 100


def objective_moves(snapshot: Snapshot, filters: Filters, settings: Settings, then: Goalposts) -> pl.DataFrame:
    """Per objective: progress and status at the pinned review and now, and the change in percentage points."""
    now = scope_of(snapshot, filters).objectives(settings).select(
        pl.col("id").alias("goal_id"), pl.col("title").alias("title_now"), "progress", "status")
    return (
        then.objectives.join(now, on="goal_id", how="full", coalesce=True, suffix="_now")
        .with_columns(
            pl.coalesce("title_now", "title").alias("title"),
            ((pl.col("progress_now") - pl.col("progress")) * 100).alias("change_pp"),
        )
        .select("goal_id", "title", pl.col("progress").alias("progress_then"), pl.col("status").alias("status_then"),
                "progress_now", "status_now", "change_pp")
        .sort("title")
    )


def flag_sentence(row: dict, format_points: Callable[[float | None], str]) -> str:
    """'Grow revenue +1.0 pp from 1 lowered target'."""
    plural = "s" if row["count"] != 1 else ""
    where = row["objective"] or "No objective"
    return f"{where} {format_points(row['effect_pp'])} from {row['count']} {row['what']}{plural}"
