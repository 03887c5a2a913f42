"""A table as read from its file, before typing: text cells under a header row, each with its row number."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from data.formats import FORMATS
from data.import_report import ROW, Problems


@dataclass(frozen=True)
class RawTable:
    """A table as read from its file: text cells (CSV, XLSX) or typed columns (Parquet), plus ROW."""

    table: str
    file: str
    frame: pl.DataFrame


def column_letter(index: int) -> str:
    """0 -> 'A', 27 -> 'AB': the column letter a spreadsheet shows."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def header_columns(file: str, cells: Sequence[object], problems: Problems) -> list[tuple[int, str]]:
    """(position, column name) of the usable header cells; blank and repeated names are reported."""
    seen: dict[str, int] = {}
    usable = []
    for index, cell in enumerate(cells):
        name = "" if cell is None else str(cell).strip().lower()
        if not name:
            continue
        if name in seen:
            problems.add(
                file,
                1,
                name,
                f"The column '{name}' appears twice in the header row (columns {column_letter(seen[name])} and "
                f"{column_letter(index)}); keep one.",
            )
            continue
        seen[name] = index
        usable.append((index, name))
    return usable


def text_frame(
    file: str, header: Sequence[object], records: Iterable[tuple[int, Sequence[object]]], problems: Problems
) -> pl.DataFrame | None:
    """A frame of text cells from the header and (row number, cells) records; ragged rows are reported."""
    columns = header_columns(file, header, problems)
    if not columns:
        problems.add(file, 1, "", "The first row must name the columns (for example id, name), but it is empty.")
        return None
    width = len(header)
    named = {index for index, _ in columns}
    rows: list[int] = []
    values: list[list[str | None]] = [[] for _ in columns]
    for row, cells in records:
        if len(cells) != width:
            if len(cells) < width:
                problems.add(
                    file,
                    row,
                    "",
                    f"This row has {len(cells)} values but the header names {width} columns; "
                    "it may have been cut short.",
                )
                continue
            if any(filled(c) for c in cells[width:]):
                problems.add(
                    file, row, "", f"This row has {len(cells)} values but the header names only {width} columns."
                )
                continue
        stray = next((i for i, c in enumerate(cells[:width]) if i not in named and filled(c)), None)
        if stray is not None:
            problems.add(
                file,
                row,
                column_letter(stray),
                f"Column {column_letter(stray)} has a value but no name in the header row.",
            )
            continue
        rows.append(row)
        for slot, (index, _) in enumerate(columns):
            values[slot].append(cell_text(cells[index]))
    frame = pl.DataFrame(
        {name: pl.Series(name, values[slot], dtype=pl.String) for slot, (_, name) in enumerate(columns)}
    )
    return frame.with_columns(pl.Series(ROW, rows, dtype=pl.Int64))


def filled(cell: object) -> bool:
    return cell is not None and str(cell).strip() != ""


def cell_text(cell: object) -> str | None:
    """A cell as text the way a person reads it: 3.0 -> '3', a midnight datetime -> '2026-03-31'."""
    if cell is None:
        return None
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 2**53:
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat(sep=" ")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def unknown_table(what: str, example: str) -> str:
    return f"Ladder has no table called {what}. Name it after one of its tables ({example}): {', '.join(FORMATS)}."
