"""Each table's own rules beyond one cell: dates in order, weights, scales, no check-in with oneself."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from data.import_report import Incoming

if TYPE_CHECKING:
    from data.import_checks import Checker


# rules per table


def employee_rules(checker: Checker, incoming: Incoming) -> None:
    checker.problems.flag(
        incoming,
        pl.col("hire_date") > checker.today,
        "hire_date",
        pl.format("The hire date {} is in the future.", pl.col("hire_date")),
    )


def period_rules(checker: Checker, incoming: Incoming) -> None:
    checker.problems.flag(
        incoming,
        pl.col("end_date") < pl.col("start_date"),
        "end_date",
        pl.format("The period ends ({}) before it starts ({}).", pl.col("end_date"), pl.col("start_date")),
    )
    checker.problems.flag(
        incoming,
        pl.col("quarter").is_not_null() & ~pl.col("quarter").is_between(1, 4),
        "quarter",
        pl.format("Quarter {} does not exist; use 1, 2, 3 or 4.", pl.col("quarter")),
    )
    checker.problems.flag(
        incoming,
        (pl.col("kind") == "quarter") & pl.col("quarter").is_null(),
        "quarter",
        pl.lit("A quarter needs its quarter number (1 to 4)."),
    )


def weight_rule(checker: Checker, incoming: Incoming) -> None:
    checker.problems.flag(
        incoming, pl.col("weight") < 0, "weight", pl.format("The weight {} is negative.", pl.col("weight"))
    )


def key_result_rules(checker: Checker, incoming: Incoming) -> None:
    weight_rule(checker, incoming)
    checker.problems.flag(
        incoming,
        pl.col("target_value") == pl.col("start_value"),
        "target_value",
        pl.format(
            "The target equals the start ({}), so progress cannot be measured; change one of them.",
            pl.col("start_value"),
        ),
    )
    below = pl.col("target_value") < pl.col("start_value")
    above = pl.col("target_value") > pl.col("start_value")
    for direction, wrong, side in (("increase", below, "below"), ("decrease", above, "above")):
        checker.problems.flag(
            incoming,
            (pl.col("direction") == direction) & wrong,
            "direction",
            pl.format(
                "The direction is '{}' but the target ({}) is {} the start ({}); fix the direction or leave it empty.",
                pl.lit(direction),
                pl.col("target_value"),
                pl.lit(side),
                pl.col("start_value"),
            ),
        )


def progress_update_rules(checker: Checker, incoming: Incoming) -> None:
    checker.problems.flag(
        incoming,
        pl.col("confidence").is_not_null() & ~pl.col("confidence").is_between(0, 1),
        "confidence",
        pl.format("The confidence {} is outside 0 to 1 (0.7 means 70% sure).", pl.col("confidence")),
    )
    checker.problems.flag(
        incoming, pl.col("at") > checker.today, "at", pl.format("The date {} is in the future.", pl.col("at"))
    )
    periods = (
        checker.combined("key_result", ["id", "goal_id"])
        .join(checker.combined("goal", ["id", "period_id"]), left_on="goal_id", right_on="id")
        .join(checker.combined("period", ["id", "name", "start_date", "end_date"]), left_on="period_id", right_on="id")
        .select(pl.col("id").alias("key_result_id"), pl.col("name").alias("_period"), "start_date", "end_date")
    )
    hit = incoming.frame.join(periods, on="key_result_id", how="inner")
    checker.problems.flag(
        Incoming(incoming.table, incoming.file, hit, incoming.given),
        (pl.col("at") < pl.col("start_date")) | (pl.col("at") > pl.col("end_date")),
        "at",
        pl.format(
            "The date {} is outside the goal's period {} ({} to {}).",
            pl.col("at"),
            pl.col("_period"),
            pl.col("start_date"),
            pl.col("end_date"),
        ),
    )


def milestone_rules(checker: Checker, incoming: Incoming) -> None:
    """A milestone's day lies inside its goal's period, where the expected path through it is drawn."""
    periods = (
        checker.combined("key_result", ["id", "goal_id"])
        .join(checker.combined("goal", ["id", "period_id"]), left_on="goal_id", right_on="id")
        .join(checker.combined("period", ["id", "name", "start_date", "end_date"]), left_on="period_id", right_on="id")
        .select(pl.col("id").alias("key_result_id"), pl.col("name").alias("_period"), "start_date", "end_date")
    )
    hit = incoming.frame.join(periods, on="key_result_id", how="inner")
    checker.problems.flag(
        Incoming(incoming.table, incoming.file, hit, incoming.given),
        (pl.col("at") < pl.col("start_date")) | (pl.col("at") > pl.col("end_date")),
        "at",
        pl.format(
            "The milestone day {} is outside the goal's period {} ({} to {}).",
            pl.col("at"), pl.col("_period"), pl.col("start_date"), pl.col("end_date"),
        ),
    )


def checkin_rules(checker: Checker, incoming: Incoming) -> None:
    checker.problems.flag(
        incoming,
        pl.col("held_at") > checker.today,
        "held_at",
        pl.format("The check-in date {} is in the future.", pl.col("held_at")),
    )
    checker.problems.flag(
        incoming,
        pl.col("manager_id") == pl.col("employee_id"),
        "manager_id",
        pl.lit("A person cannot hold a check-in with themselves; the manager must be someone else."),
    )
    people = checker.combined("employee", ["id", "name", "hire_date"]).rename(
        {"id": "employee_id", "name": "_name", "hire_date": "_hired"}
    )
    hit = incoming.frame.join(people, on="employee_id", how="inner")
    checker.problems.flag(
        Incoming(incoming.table, incoming.file, hit, incoming.given),
        pl.col("held_at") < pl.col("_hired"),
        "held_at",
        pl.format("The check-in on {} is before {} joined ({}).", pl.col("held_at"), pl.col("_name"), pl.col("_hired")),
    )


def review_cycle_rules(checker: Checker, incoming: Incoming) -> None:
    checker.problems.flag(
        incoming,
        pl.col("scale_min") >= pl.col("scale_max"),
        "scale_max",
        pl.format("The highest rating ({}) must be above the lowest ({}).", pl.col("scale_max"), pl.col("scale_min")),
    )


def _with_scale(checker: Checker, incoming: Incoming) -> Incoming:
    cycles = checker.combined("review_cycle", ["id", "name", "scale_min", "scale_max"]).rename(
        {"id": "cycle_id", "name": "_cycle", "scale_min": "_min", "scale_max": "_max"}
    )
    hit = incoming.frame.join(cycles, on="cycle_id", how="inner")
    return Incoming(incoming.table, incoming.file, hit, incoming.given)


def _scale_rule(checker: Checker, incoming: Incoming, column: str, what: str, low: pl.Expr | None = None) -> None:
    low = pl.col("_min") if low is None else low
    checker.problems.flag(
        incoming,
        pl.col(column).is_not_null() & ((pl.col(column) < low) | (pl.col(column) > pl.col("_max"))),
        column,
        pl.format(
            "The {} ({}) is outside the scale of '{}', which runs from {} to {}.",
            pl.lit(what),
            pl.col(column),
            pl.col("_cycle"),
            low,
            pl.col("_max"),
        ),
    )


def rating_rules(checker: Checker, incoming: Incoming) -> None:
    scaled = _with_scale(checker, incoming)
    _scale_rule(checker, scaled, "pre_calibration", "rating before calibration")
    _scale_rule(checker, scaled, "post_calibration", "rating after calibration")
    _scale_rule(checker, scaled, "potential", "potential rating", low=pl.lit(1, pl.Int64))


def guideline_rules(checker: Checker, incoming: Incoming) -> None:
    _scale_rule(checker, _with_scale(checker, incoming), "rating", "rating")
    checker.problems.flag(
        incoming,
        ~pl.col("target_share").is_between(0, 1),
        "target_share",
        pl.format("The share {} is outside 0 to 1 (0.2 means 20%).", pl.col("target_share")),
    )


def viewer_rules(checker: Checker, incoming: Incoming) -> None:
    """One viewer per address whatever its case: `Ann@x` and `ann@x` would give one person two roles."""
    address = pl.col("email").str.to_lowercase()
    after = checker.combined("viewer", ["id", "email"]).filter(pl.col("email").is_not_null())
    # Exactly equal addresses are the unique-column check's; here only those differing in case.
    shared = after.group_by(address.alias("_address")).agg(
        pl.col("id").sort().cast(pl.String).str.join(", ").alias("_ids"), pl.col("email").n_unique().alias("_n")
    ).filter(pl.col("_n") > 1)
    hit = incoming.frame.with_columns(address.alias("_address")).join(shared, on="_address", how="left")
    checker.problems.flag(
        Incoming(incoming.table, incoming.file, hit, incoming.given),
        pl.col("_ids").is_not_null(),
        "email",
        pl.format(
            "The email {} differs only in case from another viewer's (viewers {}); an address may have one "
            "viewer whatever the case of its letters.", pl.col("email"), pl.col("_ids"),
        ),
    )


# (table, rule), in the order they run.
TABLE_RULES = (
    ("employee", employee_rules),
    ("period", period_rules),
    ("goal", weight_rule),
    ("goal_link", weight_rule),
    ("key_result", key_result_rules),
    ("key_result_milestone", milestone_rules),
    ("progress_update", progress_update_rules),
    ("checkin", checkin_rules),
    ("review_cycle", review_cycle_rules),
    ("rating", rating_rules),
    ("rating_guideline", guideline_rules),
    ("viewer", viewer_rules),
)
