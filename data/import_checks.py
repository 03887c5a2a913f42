"""The checks that look beyond one cell: ids, uniqueness, references and loops; then each table's rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from data.formats import FORMATS
from data.goal_graph import cycle_members, loop_paths
from data.import_ids import given_key
from data.import_report import ROW, Incoming, Problems, quoted_cell
from data.import_rules import TABLE_RULES

_PATHS = 1000  # rows on a loop whose path is spelled out; beyond this the message names the loop's members only


class Checker:
    """The checks that look beyond one cell: ids, uniqueness, references, loops, dates and scales."""

    def __init__(
        self, tables: dict[str, Incoming], existing: dict[str, pl.DataFrame], today: date, unreadable: set[str]
    ) -> None:
        self.tables = tables
        self.existing = existing
        self.today = today
        # A table whose file could not be read would make every reference to it look missing.
        self.unreadable = unreadable
        self.problems = Problems()

    def combined(self, name: str, columns: Sequence[str]) -> pl.DataFrame:
        """The rows the table will hold after the import: the file's rows, and existing rows it does not replace."""
        table = FORMATS[name]
        parts = []
        incoming = self.tables.get(name)
        if incoming is not None:
            parts.append(incoming.frame.select(columns).filter(pl.col(table.key).is_not_null()))
        stored = self.existing.get(name)
        if stored is not None and all(c in stored.columns for c in columns):
            kept = stored.select(columns)
            if incoming is not None:
                kept = kept.join(incoming.frame.select(table.key), on=table.key, how="anti")
            parts.append(kept)
        if not parts:
            return pl.DataFrame(schema={c: table.column(c).dtype for c in columns})
        return pl.concat([p.cast({c: table.column(c).dtype for c in columns}) for p in parts])

    def run(self) -> Problems:
        for incoming in self.tables.values():
            self.duplicate_keys(incoming)
            self.unique_columns(incoming)
            self.references(incoming)
        for name in ("org_unit", "employee", "period", "goal"):
            if name in self.tables or (name == "goal" and "goal_link" in self.tables):
                self.loops(name)
        for name, rule in TABLE_RULES:
            if name in self.tables:
                rule(self, self.tables[name])
        return self.problems

    # ids and uniqueness

    def duplicate_keys(self, incoming: Incoming) -> None:
        key = FORMATS[incoming.table].key
        label = FORMATS[incoming.table].label
        first = pl.col(ROW).min().over(key)
        given = given_key(incoming.table)  # the id as the file wrote it, not the Ladder id it became
        self.problems.flag(
            incoming,
            pl.col(key).is_not_null() & pl.col(key).is_duplicated() & (pl.col(ROW) != first),
            key,
            pl.format(
                "The {} {} is already on row {} of this file; each {} may appear once.",
                pl.lit(f"{label} {key.replace('_', ' ')}"),
                pl.col(given) if given in incoming.frame.columns else pl.col(key),
                first,
                pl.lit(label),
            ),
        )

    def unique_columns(self, incoming: Incoming) -> None:
        table = FORMATS[incoming.table]
        for group in table.unique:
            filled = pl.all_horizontal(pl.col(c).is_not_null() for c in group)
            first = pl.col(ROW).min().over(group)
            what = " and ".join(c.replace("_", " ") for c in group)
            values = pl.concat_str([quoted_cell(pl.col(c)) for c in group], separator=", ")
            self.problems.flag(
                incoming,
                filled & pl.struct(group).is_duplicated() & (pl.col(ROW) != first),
                group[-1],
                pl.format("The {} {} are already used on row {} of this file.", pl.lit(what), values, first)
                if len(group) > 1
                else pl.format("The {} {} is already used on row {} of this file.", pl.lit(what), values, first),
            )
            stored = self.existing.get(incoming.table)
            if stored is None or not all(c in stored.columns for c in group):
                continue
            others = stored.join(incoming.frame.select(table.key), on=table.key, how="anti").select(
                *group, pl.col(table.key).alias("_other")
            )
            clashes = incoming.frame.join(others, on=list(group), how="inner")
            if clashes.height:
                hit = Incoming(incoming.table, incoming.file, clashes, incoming.given)
                self.problems.flag(
                    hit,
                    pl.lit(True),
                    group[-1],
                    pl.format(
                        "The {} {} is already used by {} {} in the database.",
                        pl.lit(what),
                        values,
                        pl.lit(table.label),
                        pl.col("_other"),
                    ),
                )

    def references(self, incoming: Incoming) -> None:
        for column in FORMATS[incoming.table].references:
            target = FORMATS[column.references]
            if target.name in self.unreadable:
                continue
            known = self.combined(target.name, [target.key])[target.key].implode()
            where = "in this file" if target.name == incoming.table else f"in the {target.label} file"
            self.problems.flag(
                incoming,
                pl.col(column.name).is_not_null() & ~pl.col(column.name).is_in(known),
                column.name,
                pl.format(
                    "There is no {} {}: it is neither {} nor in the database.",
                    pl.lit(target.label),
                    pl.col(column.name),
                    pl.lit(where),
                ),
            )

    # loops

    def loops(self, name: str) -> None:
        """Rows of `name` (and, for goals, links) on a loop, each told the shortest way round it."""
        table = FORMATS[name]
        edges = self.combined(name, [table.key, table.chain]).select(
            pl.col(table.key).alias("child"), pl.col(table.chain).alias("parent")
        )
        if name == "goal":
            links = self.combined("goal_link", ["id", "goal_id", "target_goal_id"]).select(
                pl.col("goal_id").alias("child"), pl.col("target_goal_id").alias("parent")
            )
            edges = pl.concat([edges, links])
        edges = edges.drop_nulls()
        members = cycle_members(edges)
        if members.is_empty():
            return
        member_ids = members.implode()
        looping, path_frame = self._loop_paths(name, edges, member_ids)
        self._flag_loops(name, looping, member_ids, path_frame)

    def _given_ids(self, name: str) -> dict[int, str]:
        """Ladder id -> the text id it came with, from earlier imports and these files."""
        known = self.existing.get("external_id")
        pairs = (
            {}
            if known is None
            else dict(known.filter(pl.col("table_name") == name).select("ladder_id", "external_id").iter_rows())
        )
        incoming = self.tables.get(name)
        given = given_key(name)
        if incoming is not None and given in incoming.frame.columns:
            key = FORMATS[name].key
            pairs.update(incoming.frame.select(key, given).drop_nulls().iter_rows())
        return pairs

    def _loop_paths(self, name: str, edges: pl.DataFrame, member_ids: pl.Series) -> tuple[pl.Series, pl.DataFrame]:
        """(ids of incoming rows on a loop, their way round it) for the first _PATHS rows on one."""
        table = FORMATS[name]
        on_loop = edges.filter(pl.col("child").is_in(member_ids) & pl.col("parent").is_in(member_ids))
        incoming = self.tables.get(name)
        starts = [pl.Series(dtype=pl.Int64)]
        if incoming is not None:
            starts.append(incoming.frame[table.key])
        if name == "goal" and "goal_link" in self.tables:
            starts.append(self.tables["goal_link"].frame["goal_id"])
        candidates = pl.concat(starts).filter(pl.concat(starts).is_in(member_ids)).unique()
        paths = loop_paths(on_loop, candidates.head(_PATHS).to_list(), self._given_ids(name))
        # Peeling also keeps rows caught between two loops; a way round found from a row says it is on one.
        looping = pl.Series(list(paths), dtype=pl.Int64).implode() if candidates.len() <= _PATHS else member_ids
        path_frame = pl.DataFrame(
            {"_id": list(paths), "_path": list(paths.values())}, schema={"_id": pl.Int64, "_path": pl.String}
        )
        return looping, path_frame

    def _flag_loops(self, name: str, looping: pl.Series, member_ids: pl.Series, path_frame: pl.DataFrame) -> None:
        table = FORMATS[name]
        incoming = self.tables.get(name)
        what = {
            "org_unit": ("unit", "belongs, through its parent units, to itself"),
            "employee": ("person", "reports, through their chain of managers, to themselves"),
            "period": ("period", "belongs, through its parent periods, to itself"),
            "goal": ("goal", "ladders up, through its parents and links, to itself"),
        }[name]
        message = pl.format(
            "This {} {}: {}. Break the loop.",
            pl.lit(what[0]),
            pl.lit(what[1]),
            pl.coalesce(pl.col("_path"), pl.lit("a loop among many rows")),
        )
        if incoming is not None:
            hit = incoming.frame.join(path_frame, left_on=table.key, right_on="_id", how="left")
            self.problems.flag(
                Incoming(name, incoming.file, hit, incoming.given),
                pl.col(table.key).is_in(looping) & pl.col(table.chain).is_in(member_ids),
                table.chain,
                message,
            )
        links = self.tables.get("goal_link") if name == "goal" else None
        if links is not None:
            hit = links.frame.join(path_frame, left_on="goal_id", right_on="_id", how="left")
            self.problems.flag(
                Incoming("goal_link", links.file, hit, links.given),
                pl.col("goal_id").is_in(looping) & pl.col("target_goal_id").is_in(member_ids),
                "target_goal_id",
                pl.format(
                    "This link makes goal {} ladder up to itself: {}. Break the loop.",
                    pl.col("goal_id"),
                    pl.coalesce(pl.col("_path"), pl.lit("a loop among many goals")),
                ),
            )
