"""The parts of an import's validation report: the files given, the typed tables and the problems found."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

ROW = "_row"
PROBLEM_SCHEMA = {"file": pl.String, "row": pl.Int64, "column": pl.String, "problem": pl.String}
_SHOWN = 40  # characters of a cell quoted back in a message


@dataclass(frozen=True)
class Source:
    """One uploaded or named file: its name (for the report and the table it holds) and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Incoming:
    """One table of the file set, typed: the frame has the table's columns plus the spreadsheet row."""

    table: str
    file: str
    frame: pl.DataFrame
    given: tuple[str, ...]  # the columns the file itself had


@dataclass
class Report:
    """What validation found: the typed tables and every problem (an empty problems frame means valid)."""

    tables: dict[str, Incoming]
    problems: pl.DataFrame
    external_ids: pl.DataFrame | None = None  # text ids first seen here, with the Ladder ids they were given

    @property
    def ok(self) -> bool:
        return self.problems.is_empty()

    def rows(self) -> dict[str, int]:
        return {name: incoming.frame.height for name, incoming in self.tables.items()}


@dataclass
class Problems:
    """Every problem found so far, one frame per finding; `frame()` is the report's problems table."""

    frames: list[pl.DataFrame] = field(default_factory=list)

    def add(self, file: str, row: int | None, column: str, text: str) -> None:
        row_values = {"file": file, "row": row, "column": column, "problem": text}
        self.frames.append(pl.DataFrame([row_values], PROBLEM_SCHEMA))

    def flag(self, incoming: Incoming, where: pl.Expr, column: str, message: pl.Expr) -> None:
        """One problem per row of `incoming` matching `where`, worded by `message`."""
        hit = where.fill_null(False)
        if not incoming.frame.select(hit.any()).item():
            return
        # The message is worded over the whole frame, so that windows in it (first row of an id) see every row.
        found = incoming.frame.select(
            pl.lit(incoming.file).alias("file"),
            pl.col(ROW).alias("row"),
            pl.lit(column).alias("column"),
            message.alias("problem"),
            hit.alias("_hit"),
        ).filter("_hit")
        self.frames.append(found.drop("_hit").cast(PROBLEM_SCHEMA))

    def frame(self) -> pl.DataFrame:
        if not self.frames:
            return pl.DataFrame(schema=PROBLEM_SCHEMA)
        return pl.concat(self.frames).sort("file", "row", "column", maintain_order=True)


def quoted_cell(expr: pl.Expr) -> pl.Expr:
    """A cell as quoted back in a message: at most _SHOWN characters."""
    text = expr.cast(pl.String)
    return pl.when(text.str.len_chars() > _SHOWN).then(text.str.slice(0, _SHOWN) + "…").otherwise(text)
