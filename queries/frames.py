"""Frame helpers the queries share."""

from __future__ import annotations

import polars as pl


def rows_with_ids(frame: pl.DataFrame, ids: pl.Series, column: str = "id") -> pl.DataFrame:
    """The rows of `frame` whose `column` is among `ids`, in the frame's order.

    A filter against a hash set of the ids: on a wide frame of a whole year about twice as fast as a semi join."""
    return frame.filter(pl.col(column).is_in(ids.implode()))


def id_names(table: pl.DataFrame, key: str, label: str) -> pl.DataFrame:
    """`table`'s id and name renamed to `key` and `label`, ready to join names onto ids."""
    return table.select(pl.col("id").alias(key), pl.col("name").alias(label))


def group_names(regions: pl.DataFrame, units: pl.DataFrame, by: str) -> tuple[str, pl.DataFrame]:
    """The column a grouping by region or by team (org unit) reads, and (that column, `group`) names to join."""
    if by == "region":
        return "region_id", id_names(regions, "region_id", "group")
    return "org_unit_id", id_names(units, "org_unit_id", "group")
