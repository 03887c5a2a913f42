"""Check an import file set before anything is written, and say every problem in plain words.

A file set is any mix of CSV files (one per table, named after it: goal.csv), Parquet files (goal.parquet)
and XLSX workbooks (a sheet per table, named after it). `validate(sources, existing)` reads them, types
every cell by the import format (data/formats.py) and checks them against each other and against the rows
already in the database (`read_existing`). The result is a `Report`: the typed tables, ready to write, and
a problems frame with one row per problem: file, row (as a spreadsheet shows it, the header being row 1),
column and a sentence for people.

Polars parses the CSV cells, but it silently fills a row that was cut short, so the values of each record
are also counted on their own: vectorised when the file has no quote marks, with Python's csv module when
it has. Everything after reading (typing, rules, references, loops) is Polars.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

import polars as pl
from sqlalchemy import Engine, inspect, select

from data.formats import (
    EARLIEST_DATE,
    FILE_TYPES,
    FORMATS,
    FORMULA_STARTS,
    LATEST_DATE,
    WHOLE_MAX,
    WHOLE_MIN,
    ColumnFormat,
    TableFormat,
    table_for,
)
from data.schema import Base

ROW = "_row"
PROBLEM_SCHEMA = {"file": pl.String, "row": pl.Int64, "column": pl.String, "problem": pl.String}
_SHOWN = 40  # characters of a cell quoted back in a message
_PATHS = 1000  # rows on a loop whose path is spelled out; beyond this the message names the loop's members only
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


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

    @property
    def ok(self) -> bool:
        return self.problems.is_empty()

    def rows(self) -> dict[str, int]:
        return {name: incoming.frame.height for name, incoming in self.tables.items()}


@dataclass
class _Problems:
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


@dataclass(frozen=True)
class _Raw:
    """A table as read from its file: text cells (CSV, XLSX) or typed columns (Parquet), plus ROW."""

    table: str
    file: str
    frame: pl.DataFrame


# --- reading files --------------------------------------------------------------------------------------


def _letter(index: int) -> str:
    """0 -> 'A', 27 -> 'AB': the column letter a spreadsheet shows."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _header(file: str, cells: Sequence[object], problems: _Problems) -> list[tuple[int, str]]:
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
                f"The column '{name}' appears twice in the header row (columns {_letter(seen[name])} and "
                f"{_letter(index)}); keep one.",
            )
            continue
        seen[name] = index
        usable.append((index, name))
    return usable


def _text_frame(
    file: str, header: Sequence[object], records: Iterable[tuple[int, Sequence[object]]], problems: _Problems
) -> pl.DataFrame | None:
    """A frame of text cells from the header and (row number, cells) records; ragged rows are reported."""
    columns = _header(file, header, problems)
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
            if any(_filled(c) for c in cells[width:]):
                problems.add(
                    file, row, "", f"This row has {len(cells)} values but the header names only {width} columns."
                )
                continue
        stray = next((i for i, c in enumerate(cells[:width]) if i not in named and _filled(c)), None)
        if stray is not None:
            problems.add(
                file, row, _letter(stray), f"Column {_letter(stray)} has a value but no name in the header row."
            )
            continue
        rows.append(row)
        for slot, (index, _) in enumerate(columns):
            values[slot].append(_cell_text(cells[index]))
    frame = pl.DataFrame(
        {name: pl.Series(name, values[slot], dtype=pl.String) for slot, (_, name) in enumerate(columns)}
    )
    return frame.with_columns(pl.Series(ROW, rows, dtype=pl.Int64))


def _filled(cell: object) -> bool:
    return cell is not None and str(cell).strip() != ""


def _cell_text(cell: object) -> str | None:
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


def _decode(source: Source, problems: _Problems) -> str | None:
    data = source.content
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.add(
            source.name,
            None,
            "",
            "This file is saved as UTF-16 ('Unicode text'). Save it as 'CSV UTF-8' and upload it again.",
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.add(
            source.name,
            line,
            "",
            f"This file is not UTF-8 text: byte 0x{data[error.start]:02X} on line {line} cannot be read. "
            "Save it as 'CSV UTF-8' (in Excel: File › Save As › CSV UTF-8) and upload it again.",
        )
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.add(
            source.name,
            line,
            "",
            f"This file holds binary data (a zero byte on line {line}), so it is not a CSV file.",
        )
        return None
    return text


def _read_csv(source: Source, table: str, problems: _Problems) -> list[_Raw]:
    text = _decode(source, problems)
    if text is None:
        return []
    if not text.strip():
        problems.add(source.name, None, "", "This file is empty. It needs a header row naming the columns.")
        return []
    counts = _field_counts(source.name, text, problems)
    if counts is None:
        return []
    try:
        frame = _polars_csv(source.name, text, counts, problems)
    except _Disagreement:
        frame = _python_csv(source.name, text, problems)
    return [] if frame is None else [_Raw(table, source.name, frame)]


class _Disagreement(Exception):
    """Polars read the records differently from Python's csv module."""


def _field_counts(file: str, text: str, problems: _Problems) -> list[int] | None:
    """How many values each record has (the header being the first), or None when the quoting is broken."""
    if '"' not in text:
        # Without quotes a record is a line, so the values of a million rows are counted without a Python loop.
        lines = pl.Series(text.removesuffix("\n").split("\n"), dtype=pl.String).str.strip_suffix("\r")
        return (lines.str.count_matches(",", literal=True) + 1).to_list()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return [len(record) for record in reader]
    except csv.Error as error:
        problems.add(
            file,
            reader.line_num,
            "",
            f"The file cannot be read as CSV near line {reader.line_num} ({error}). "
            'Look for a stray quote mark (") in that line.',
        )
        return None


def _polars_csv(file: str, text: str, counts: list[int], problems: _Problems) -> pl.DataFrame | None:
    """The records as text cells, parsed by Polars; rows cut short or too long are reported and left out.

    Raises _Disagreement when Polars and the record count disagree (unusual line endings, say), so that
    the caller parses in Python instead.
    """
    slots = [f"_{i}" for i in range(max(counts))]
    try:
        grid = pl.read_csv(
            text.encode("utf-8"),
            has_header=False,
            schema={slot: pl.String for slot in slots},
            truncate_ragged_lines=True,
        )
    except Exception as error:  # noqa: BLE001 - the Python parser decides what is wrong
        raise _Disagreement from error
    if grid.height != len(counts):
        raise _Disagreement
    header = grid.row(0)[: counts[0]]
    columns = _header(file, header, problems)
    if not columns:
        problems.add(file, 1, "", "The first row must name the columns (for example id, name), but it is empty.")
        return None
    width = counts[0]
    body = grid.slice(1).with_columns(
        pl.int_range(2, grid.height + 1, dtype=pl.Int64).alias(ROW), pl.Series("_count", counts[1:], dtype=pl.Int64)
    )
    filled = [pl.col(slot).str.strip_chars().fill_null("") != "" for slot in slots]
    body = body.filter(pl.any_horizontal(filled))
    named = {index for index, _ in columns}
    extra = pl.any_horizontal(filled[width:]) if len(slots) > width else pl.lit(False)
    stray = [(i, filled[i]) for i in range(width) if i not in named]
    checks = [
        (
            pl.col("_count") < width,
            "",
            pl.format(
                "This row has {} values but the header names {} columns; it may have been cut short.",
                pl.col("_count"),
                pl.lit(width),
            ),
        ),
        (
            (pl.col("_count") > width) & extra,
            "",
            pl.format("This row has {} values but the header names only {} columns.", pl.col("_count"), pl.lit(width)),
        ),
        *(
            (condition, _letter(i), pl.lit(f"Column {_letter(i)} has a value but no name in the header row."))
            for i, condition in stray
        ),
    ]
    bad = pl.lit(False)
    for condition, column, message in checks:
        found = body.filter(condition & ~bad)
        if found.height:
            problems.frames.append(
                found.select(
                    pl.lit(file).alias("file"),
                    pl.col(ROW).alias("row"),
                    pl.lit(column).alias("column"),
                    message.alias("problem"),
                ).cast(PROBLEM_SCHEMA)
            )
        bad = bad | condition
    return body.filter(~bad).select(*(pl.col(f"_{index}").alias(name) for index, name in columns), ROW)


def _python_csv(file: str, text: str, problems: _Problems) -> pl.DataFrame | None:
    """The records as text cells, parsed by Python's csv module (the careful, slower way)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = [(number, cells) for number, cells in enumerate(reader, start=1)]
    header = records[0][1]
    data_rows = ((number, cells) for number, cells in records[1:] if any(_filled(c) for c in cells))
    return _text_frame(file, header, data_rows, problems)


def _read_xlsx(source: Source, problems: _Problems) -> list[_Raw]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(source.content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as error:
        problems.add(
            source.name,
            None,
            "",
            f"This is not a readable Excel workbook (.xlsx): {error or type(error).__name__}. "
            "If it is an older .xls file, open it in Excel and save it as .xlsx.",
        )
        return []
    raws = []
    reported = len(problems.frames)
    try:
        for sheet in workbook.worksheets:
            label = f"{source.name} › {sheet.title}"
            records = [
                (number, cells)
                for number, cells in enumerate(sheet.iter_rows(values_only=True), start=sheet.min_row or 1)
                if any(_filled(c) for c in cells)
            ]
            if not records:
                continue
            table = table_for(sheet.title)
            if table is None:
                problems.add(label, None, "", _unknown_table(f"'{sheet.title}'", "for example a sheet named goal"))
                continue
            first, header = records[0]
            if first != 1:
                problems.add(label, first, "", "The header row naming the columns must be the sheet's first row.")
                continue
            frame = _text_frame(label, header, records[1:], problems)
            if frame is not None:
                raws.append(_Raw(table, label, frame))
    except Exception as error:  # noqa: BLE001 - a damaged workbook fails in many ways, each told in words
        problems.add(source.name, None, "", f"Part of this workbook cannot be read: {error or type(error).__name__}.")
        return []
    finally:
        workbook.close()
    if not raws and len(problems.frames) == reported:
        problems.add(source.name, None, "", "This workbook has no sheet with data.")
    return raws


def _read_parquet(source: Source, table: str, problems: _Problems) -> list[_Raw]:
    try:
        frame = pl.read_parquet(io.BytesIO(source.content))
    except Exception as error:  # noqa: BLE001 - every kind of damage ends in the same sentence
        problems.add(
            source.name,
            None,
            "",
            f"This is not a readable Parquet file ({type(error).__name__}). Export it again from its source.",
        )
        return []
    renamed: dict[str, str] = {}
    for name in frame.columns:
        clean = name.strip().lower()
        if clean in renamed.values():
            problems.add(source.name, 1, clean, f"The column '{clean}' appears twice; keep one.")
            continue
        renamed[name] = clean
    frame = frame.select([pl.col(old).alias(new) for old, new in renamed.items()])
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    return [_Raw(table, source.name, frame)]


def _unknown_table(what: str, example: str) -> str:
    return f"Ladder has no table called {what}. Name it after one of its tables ({example}): {', '.join(FORMATS)}."


def read_sources(sources: Sequence[Source], problems: _Problems) -> tuple[list[_Raw], set[str]]:
    """Every table in the file set as read, and the tables whose file could not be read (reported)."""
    raws: list[_Raw] = []
    unreadable: set[str] = set()
    for source in sources:
        path = PurePath(source.name)
        suffix = path.suffix.lower().lstrip(".")
        if suffix not in FILE_TYPES:
            problems.add(
                source.name, None, "", "Ladder reads .csv, .xlsx and .parquet files; this file is none of those."
            )
            continue
        if suffix == "xlsx":
            raws.extend(_read_xlsx(source, problems))
            continue
        table = table_for(path.stem)
        if table is None:
            problems.add(source.name, None, "", _unknown_table(f"'{path.stem}'", f"for example goal.{suffix}"))
            continue
        reader = _read_csv if suffix == "csv" else _read_parquet
        read = reader(source, table, problems)
        if not read:
            unreadable.add(table)
        raws.extend(read)
    return raws, unreadable


# --- typing cells ----------------------------------------------------------------------------------------


def _shown(expr: pl.Expr) -> pl.Expr:
    text = expr.cast(pl.String)
    return pl.when(text.str.len_chars() > _SHOWN).then(text.str.slice(0, _SHOWN) + "…").otherwise(text)


def _typed_column(column: ColumnFormat, dtype: pl.DataType, table: TableFormat) -> list[list[pl.Expr]]:
    """Stages of expressions that turn one raw column into its value and a problem (null where the cell is fine).

    Each stage names its results (`_text:`, `_value:`, `_bad:`, `_problem:`) so that the next builds on
    computed columns instead of repeating whole expression trees.
    """
    name = column.name
    raw = pl.col(name)
    text, value, bad, problem = (pl.col(f"{part}{name}") for part in ("_text:", "_value:", "_bad:", "_problem:"))
    if dtype == pl.String or dtype == pl.Null or not _native(dtype, column.dtype):
        stripped = raw.cast(pl.String).str.strip_chars()
        first = [pl.when(stripped == "").then(None).otherwise(stripped).alias(f"_text:{name}")]
        parsed, parse_problem = _parse(column, text)
    else:
        first = [raw.cast(pl.String).alias(f"_text:{name}")]
        parsed = raw.dt.date() if isinstance(dtype, pl.Datetime) else raw.cast(column.dtype)
        parse_problem = pl.lit(None, pl.String)
    second = [parsed.alias(f"_value:{name}"), parse_problem.alias(f"_bad:{name}")]
    empty = pl.when(text.is_null() & pl.lit(column.required)).then(
        pl.lit(f"The {name} is empty; every {table.label} needs one.")
    )
    third = [pl.coalesce(bad, empty, _cell_rule(column, value)).alias(f"_problem:{name}")]
    if column.default is not None:
        value = value.fill_null(pl.when(text.is_null()).then(pl.lit(column.default, column.dtype)))
    fourth = [pl.when(problem.is_null()).then(value).alias(name)]
    return [first, second, third, fourth]


def _native(given: pl.DataType, wanted: pl.DataType) -> bool:
    """Whether a typed (Parquet) column can be taken as it is, without going through text."""
    if wanted == pl.Int64:
        return given.is_integer()
    if wanted == pl.Float64:
        return given.is_numeric()
    if wanted == pl.Date:
        return given == pl.Date or isinstance(given, pl.Datetime)
    return given == wanted


def _parse(column: ColumnFormat, text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(value, problem) for text cells."""
    shown = _shown(text)
    if column.dtype == pl.Int64:
        whole = text.cast(pl.Int64, strict=False)
        number = text.cast(pl.Float64, strict=False)
        small = number.is_finite() & (number.abs() <= WHOLE_MAX) & (number == number.round(0))
        value = pl.coalesce(whole, pl.when(small).then(number).cast(pl.Int64))
        too_big = (number.abs() > WHOLE_MAX).fill_null(False)
        bad = (
            pl.when(text.is_not_null() & value.is_null() & ~too_big)
            .then(pl.format("'{}' is not a whole number.", shown))
            .when(text.is_not_null() & value.is_null())
            .then(pl.format("{} is too large: whole numbers here go up to {}.", shown, pl.lit(f"{WHOLE_MAX:,}")))
        )
        return value, bad
    if column.dtype == pl.Float64:
        value = text.cast(pl.Float64, strict=False)
        comma = text.str.contains(r"^-?\d+,\d+$")
        bad = (
            pl.when(text.is_not_null() & value.is_null() & comma)
            .then(pl.format("'{}' is not a number: write decimals with a point, as in 1.5.", shown))
            .when(text.is_not_null() & (value.is_null() | value.is_nan()))
            .then(pl.format("'{}' is not a number.", shown))
            .when(text.is_not_null() & value.is_infinite())
            .then(pl.format("{} is too large to be a number Ladder can store.", shown))
        )
        return pl.when(value.is_finite()).then(value), bad
    if column.dtype == pl.Date:
        value = pl.coalesce(
            text.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
            text.str.strptime(pl.Datetime, "%Y-%m-%d %H:%M:%S", strict=False).dt.date(),
            text.str.strptime(pl.Datetime, "%Y-%m-%dT%H:%M:%S", strict=False).dt.date(),
        )
        bad = pl.when(text.is_not_null() & value.is_null()).then(
            pl.format("'{}' is not a date: write dates as YYYY-MM-DD, for example 2026-03-31.", shown)
        )
        return value, bad
    if column.dtype == pl.Boolean:
        lower = text.str.to_lowercase()
        value = pl.when(lower.is_in(list(_TRUE))).then(True).when(lower.is_in(list(_FALSE))).then(False)
        bad = pl.when(text.is_not_null() & value.is_null()).then(
            pl.format("'{}' is not true or false: write true or false.", shown)
        )
        return value, bad
    return text, pl.lit(None, pl.String)


def _cell_rule(column: ColumnFormat, value: pl.Expr) -> pl.Expr:
    """The rules one cell must meet whatever file it came from (ranges, lengths, allowed values, formulas)."""
    shown = _shown(value)
    if column.dtype == pl.Int64:
        return pl.when((value < WHOLE_MIN) | (value > WHOLE_MAX)).then(
            pl.format("{} is too large: whole numbers here go up to {}.", shown, pl.lit(f"{WHOLE_MAX:,}"))
        )
    if column.dtype == pl.Float64:
        return (
            pl.when(value.is_nan())
            .then(pl.lit("This is not a number."))
            .when(value.is_infinite())
            .then(pl.lit("This number is too large for Ladder to store."))
        )
    if column.dtype == pl.Date:
        return pl.when((value < EARLIEST_DATE) | (value > LATEST_DATE)).then(
            pl.format(
                "The date {} is outside the years {} to {}; check it.",
                shown,
                pl.lit(str(EARLIEST_DATE.year)),
                pl.lit(str(LATEST_DATE.year)),
            )
        )
    if column.dtype != pl.String:
        return pl.lit(None, pl.String)
    checks: list[tuple[pl.Expr, pl.Expr]] = []
    for start in FORMULA_STARTS:
        shown_start = {"\t": "a tab", "\r": "a line break"}.get(start, f"'{start}'")
        message = (
            f"This text starts with {shown_start}, which spreadsheet programs run as a formula. "
            "Remove that first character or reword the text."
        )
        checks.append((value.str.starts_with(start), pl.lit(message)))
    if column.choices:
        checks.append(
            (
                ~value.is_in(list(column.choices)),
                pl.format("'{}' is not allowed here; use one of: {}.", shown, pl.lit(", ".join(column.choices))),
            )
        )
    if column.max_length:
        checks.append(
            (
                value.str.len_chars() > column.max_length,
                pl.format(
                    "This text has {} characters; at most {} fit.", value.str.len_chars(), pl.lit(column.max_length)
                ),
            )
        )
    (condition, message), *rest = checks
    rules = pl.when(condition).then(message)
    for condition, message in rest:
        rules = rules.when(condition).then(message)
    return rules


def type_table(raw: _Raw, problems: _Problems) -> Incoming:
    """The raw table typed by its format: unknown and missing columns and every bad cell are reported."""
    table = FORMATS[raw.table]
    known = set(table.column_names)
    given = tuple(c for c in raw.frame.columns if c != ROW)
    for name in given:
        if name not in known:
            problems.add(
                raw.file,
                1,
                name,
                f"Ladder does not know the column '{name}' in the {table.label} table. Remove it or fix its name; "
                f"the columns are: {', '.join(table.column_names)}.",
            )
    stages: list[list[pl.Expr]] = [[], [], [], []]
    for column in table.columns:
        if column.name in given:
            typed = _typed_column(column, raw.frame.schema[column.name], table)
            for stage, expressions in zip(stages, typed, strict=True):
                stage.extend(expressions)
        elif column.required:
            problems.add(
                raw.file, 1, column.name, f"The column '{column.name}' is missing; every {table.label} needs it."
            )
            stages[-1].append(pl.lit(None, column.dtype).alias(column.name))
        else:
            stages[-1].append(pl.lit(column.default, column.dtype).alias(column.name))
    typed = raw.frame
    for stage in stages:
        typed = typed.with_columns(stage)
    incoming = Incoming(raw.table, raw.file, typed, given)
    for column in table.columns:
        if column.name in given:
            check = pl.col(f"_problem:{column.name}")
            problems.flag(incoming, check.is_not_null(), column.name, check)
    frame = typed.select(ROW, *table.column_names)
    if raw.table == "key_result":
        # An empty direction follows from the numbers: a target below the start means a decrease.
        frame = frame.with_columns(
            pl.col("direction").fill_null(
                pl.when(pl.col("target_value") < pl.col("start_value"))
                .then(pl.lit("decrease"))
                .otherwise(pl.lit("increase"))
            )
        )
    return Incoming(raw.table, raw.file, frame, given)


# --- what the database already holds ----------------------------------------------------------------


def _needs(incoming: Iterable[str]) -> dict[str, set[str]]:
    """The columns of existing rows that checking these tables needs, per table."""
    incoming = set(incoming)
    needs: dict[str, set[str]] = defaultdict(set)
    for name in incoming:
        table = FORMATS[name]
        needs[name] |= {table.key, *(c for group in table.unique for c in group)}
        if table.chain:
            needs[name].add(table.chain)
        for column in table.references:
            needs[column.references].add(FORMATS[column.references].key)
    if incoming & {"goal", "goal_link"}:
        needs["goal"] |= {"id", "parent_id"}
        needs["goal_link"] |= {"id", "goal_id", "target_goal_id"}
    if "progress_update" in incoming:
        needs["key_result"] |= {"id", "goal_id"}
        needs["goal"] |= {"id", "period_id"}
        needs["period"] |= {"id", "name", "start_date", "end_date"}
    if "checkin" in incoming:
        needs["employee"] |= {"id", "name", "hire_date"}
    if incoming & {"rating", "rating_guideline"}:
        needs["review_cycle"] |= {"id", "name", "scale_min", "scale_max"}
    return dict(needs)


def read_existing(engine: Engine, tables: Iterable[str]) -> dict[str, pl.DataFrame]:
    """The columns of existing rows that checking `tables` needs; an empty or new database gives no rows."""
    present = set(inspect(engine).get_table_names())
    existing = {}
    for name, columns in _needs(tables).items():
        table = FORMATS[name]
        ordered = [c for c in table.column_names if c in columns]
        schema = {c: table.column(c).dtype for c in ordered}
        if name not in present:
            existing[name] = pl.DataFrame(schema=schema)
        elif engine.dialect.name == "postgresql":
            existing[name] = _read_postgresql(engine, name, schema)
        else:
            existing[name] = _read_rows(engine, name, schema)
    return existing


def _read_rows(engine: Engine, name: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Through the driver's own cursor: dates arrive as SQLite's 'YYYY-MM-DD' text and are cast in Polars.

    (Not the columnar reader on SQLite: a second SQLite library in the same process does not see rows
    this one has just written, and its file locks do not mix with ours.)
    """
    as_read = {c: pl.String if t == pl.Date else pl.Int64 if t == pl.Boolean else t for c, t in schema.items()}
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        rows = cursor.execute(f'SELECT {", ".join(schema)} FROM "{name}"').fetchall()
        cursor.close()
    finally:
        connection.close()
    frame = pl.DataFrame(rows, schema=as_read, orient="row")
    return frame.with_columns(
        pl.col(c).str.to_date("%Y-%m-%d") if t == pl.Date else pl.col(c).cast(t)
        for c, t in schema.items()
        if as_read[c] != t
    )


def _read_postgresql(engine: Engine, name: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """With the columnar reader (connectorx), which reads millions of ids in a fraction of a second."""
    uri = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        frame = pl.read_database_uri(f'SELECT {", ".join(schema)} FROM "{name}"', uri, engine="connectorx")
        return frame.select(pl.col(c).cast(t) for c, t in schema.items())
    except Exception:  # noqa: BLE001 - SQLAlchemy reads it instead
        model = Base.metadata.tables[name]
        with engine.connect() as connection:
            rows = connection.execute(select(*(model.c[c] for c in schema))).all()
        return pl.DataFrame(rows, schema=schema, orient="row")


# --- checks across rows and tables -----------------------------------------------------------------------


class _Checker:
    """The checks that look beyond one cell: ids, uniqueness, references, loops, dates and scales."""

    def __init__(
        self, tables: dict[str, Incoming], existing: dict[str, pl.DataFrame], today: date, unreadable: set[str]
    ) -> None:
        self.tables = tables
        self.existing = existing
        self.today = today
        # A table whose file could not be read would make every reference to it look missing.
        self.unreadable = unreadable
        self.problems = _Problems()

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

    def run(self) -> _Problems:
        for incoming in self.tables.values():
            self.duplicate_keys(incoming)
            self.unique_columns(incoming)
            self.references(incoming)
        for name in ("org_unit", "employee", "period", "goal"):
            if name in self.tables or (name == "goal" and "goal_link" in self.tables):
                self.loops(name)
        for name, rule in (
            ("employee", self.employee_rules),
            ("period", self.period_rules),
            ("goal", self.weight_rule),
            ("goal_link", self.weight_rule),
            ("key_result", self.key_result_rules),
            ("progress_update", self.progress_update_rules),
            ("checkin", self.checkin_rules),
            ("review_cycle", self.review_cycle_rules),
            ("rating", self.rating_rules),
            ("rating_guideline", self.guideline_rules),
        ):
            if name in self.tables:
                rule(self.tables[name])
        return self.problems

    # ids and uniqueness

    def duplicate_keys(self, incoming: Incoming) -> None:
        key = FORMATS[incoming.table].key
        label = FORMATS[incoming.table].label
        first = pl.col(ROW).min().over(key)
        self.problems.flag(
            incoming,
            pl.col(key).is_not_null() & pl.col(key).is_duplicated() & (pl.col(ROW) != first),
            key,
            pl.format(
                "The {} {} is already on row {} of this file; each {} may appear once.",
                pl.lit(f"{label} {key.replace('_', ' ')}"),
                pl.col(key),
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
            values = pl.concat_str([_shown(pl.col(c)) for c in group], separator=", ")
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
        on_loop = edges.filter(pl.col("child").is_in(member_ids) & pl.col("parent").is_in(member_ids))
        incoming = self.tables.get(name)
        starts = [pl.Series(dtype=pl.Int64)]
        if incoming is not None:
            starts.append(incoming.frame[table.key])
        if name == "goal" and "goal_link" in self.tables:
            starts.append(self.tables["goal_link"].frame["goal_id"])
        candidates = pl.concat(starts).filter(pl.concat(starts).is_in(member_ids)).unique()
        paths = _loop_paths(on_loop, candidates.head(_PATHS).to_list())
        # Peeling also keeps rows caught between two loops; a way round found from a row says it is on one.
        looping = pl.Series(list(paths), dtype=pl.Int64).implode() if candidates.len() <= _PATHS else member_ids
        path_frame = pl.DataFrame(
            {"_id": list(paths), "_path": list(paths.values())}, schema={"_id": pl.Int64, "_path": pl.String}
        )
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

    # rules per table

    def employee_rules(self, incoming: Incoming) -> None:
        self.problems.flag(
            incoming,
            pl.col("hire_date") > self.today,
            "hire_date",
            pl.format("The hire date {} is in the future.", pl.col("hire_date")),
        )

    def period_rules(self, incoming: Incoming) -> None:
        self.problems.flag(
            incoming,
            pl.col("end_date") < pl.col("start_date"),
            "end_date",
            pl.format("The period ends ({}) before it starts ({}).", pl.col("end_date"), pl.col("start_date")),
        )
        self.problems.flag(
            incoming,
            pl.col("quarter").is_not_null() & ~pl.col("quarter").is_between(1, 4),
            "quarter",
            pl.format("Quarter {} does not exist; use 1, 2, 3 or 4.", pl.col("quarter")),
        )
        self.problems.flag(
            incoming,
            (pl.col("kind") == "quarter") & pl.col("quarter").is_null(),
            "quarter",
            pl.lit("A quarter needs its quarter number (1 to 4)."),
        )

    def weight_rule(self, incoming: Incoming) -> None:
        self.problems.flag(
            incoming, pl.col("weight") < 0, "weight", pl.format("The weight {} is negative.", pl.col("weight"))
        )

    def key_result_rules(self, incoming: Incoming) -> None:
        self.weight_rule(incoming)
        self.problems.flag(
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
            self.problems.flag(
                incoming,
                (pl.col("direction") == direction) & wrong,
                "direction",
                pl.format(
                    "The direction is '{}' but the target ({}) is {} the start ({}); "
                    "fix the direction or leave it empty.",
                    pl.lit(direction),
                    pl.col("target_value"),
                    pl.lit(side),
                    pl.col("start_value"),
                ),
            )

    def progress_update_rules(self, incoming: Incoming) -> None:
        self.problems.flag(
            incoming,
            pl.col("confidence").is_not_null() & ~pl.col("confidence").is_between(0, 1),
            "confidence",
            pl.format("The confidence {} is outside 0 to 1 (0.7 means 70% sure).", pl.col("confidence")),
        )
        self.problems.flag(
            incoming, pl.col("at") > self.today, "at", pl.format("The date {} is in the future.", pl.col("at"))
        )
        periods = (
            self.combined("key_result", ["id", "goal_id"])
            .join(self.combined("goal", ["id", "period_id"]), left_on="goal_id", right_on="id")
            .join(self.combined("period", ["id", "name", "start_date", "end_date"]), left_on="period_id", right_on="id")
            .select(pl.col("id").alias("key_result_id"), pl.col("name").alias("_period"), "start_date", "end_date")
        )
        hit = incoming.frame.join(periods, on="key_result_id", how="inner")
        self.problems.flag(
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

    def checkin_rules(self, incoming: Incoming) -> None:
        self.problems.flag(
            incoming,
            pl.col("held_at") > self.today,
            "held_at",
            pl.format("The check-in date {} is in the future.", pl.col("held_at")),
        )
        self.problems.flag(
            incoming,
            pl.col("manager_id") == pl.col("employee_id"),
            "manager_id",
            pl.lit("A person cannot hold a check-in with themselves; the manager must be someone else."),
        )
        people = self.combined("employee", ["id", "name", "hire_date"]).rename(
            {"id": "employee_id", "name": "_name", "hire_date": "_hired"}
        )
        hit = incoming.frame.join(people, on="employee_id", how="inner")
        self.problems.flag(
            Incoming(incoming.table, incoming.file, hit, incoming.given),
            pl.col("held_at") < pl.col("_hired"),
            "held_at",
            pl.format(
                "The check-in on {} is before {} joined ({}).", pl.col("held_at"), pl.col("_name"), pl.col("_hired")
            ),
        )

    def review_cycle_rules(self, incoming: Incoming) -> None:
        self.problems.flag(
            incoming,
            pl.col("scale_min") >= pl.col("scale_max"),
            "scale_max",
            pl.format(
                "The highest rating ({}) must be above the lowest ({}).", pl.col("scale_max"), pl.col("scale_min")
            ),
        )

    def _with_scale(self, incoming: Incoming) -> Incoming:
        cycles = self.combined("review_cycle", ["id", "name", "scale_min", "scale_max"]).rename(
            {"id": "cycle_id", "name": "_cycle", "scale_min": "_min", "scale_max": "_max"}
        )
        hit = incoming.frame.join(cycles, on="cycle_id", how="inner")
        return Incoming(incoming.table, incoming.file, hit, incoming.given)

    def _scale_rule(self, incoming: Incoming, column: str, what: str, low: pl.Expr | None = None) -> None:
        low = pl.col("_min") if low is None else low
        self.problems.flag(
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

    def rating_rules(self, incoming: Incoming) -> None:
        scaled = self._with_scale(incoming)
        self._scale_rule(scaled, "pre_calibration", "rating before calibration")
        self._scale_rule(scaled, "post_calibration", "rating after calibration")
        self._scale_rule(scaled, "potential", "potential rating", low=pl.lit(1, pl.Int64))

    def guideline_rules(self, incoming: Incoming) -> None:
        self._scale_rule(self._with_scale(incoming), "rating", "rating")
        self.problems.flag(
            incoming,
            ~pl.col("target_share").is_between(0, 1),
            "target_share",
            pl.format("The share {} is outside 0 to 1 (0.2 means 20%).", pl.col("target_share")),
        )


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


def _loop_paths(edges: pl.DataFrame, starts: list[int]) -> dict[int, str]:
    """For each start, the shortest way round its loop: '5 → 7 → 5' (long loops are shortened)."""
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
        paths[start] = " → ".join(str(p) for p in shown)
    return paths


# --- the whole validation ------------------------------------------------------------------------------


def validate(
    sources: Sequence[Source],
    existing: dict[str, pl.DataFrame] | Callable[[Iterable[str]], dict[str, pl.DataFrame]] | None = None,
    today: date | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Report:
    """Read, type and check a file set against the rows the database already holds; nothing is written.

    `existing` is a dict from `read_existing`, or a function of the incoming table names that returns one
    (so that only the needed columns are read), or None for an empty database.
    """
    today = today or date.today()
    step = on_step or (lambda _: None)
    problems = _Problems()
    if not sources:
        problems.add("", None, "", "No files were given.")
        return Report({}, problems.frame())
    step("read files")
    raws, unreadable = read_sources(sources, problems)
    tables: dict[str, Incoming] = {}
    step("check cells")
    for raw in raws:
        if raw.table in tables:
            problems.add(
                raw.file, None, "", f"The {raw.table} table also comes from {tables[raw.table].file}; give it once."
            )
            continue
        tables[raw.table] = type_table(raw, problems)
    tables = {name: tables[name] for name in FORMATS if name in tables}
    if not tables and not problems.frames:
        problems.add("", None, "", "The files hold no Ladder table.")
    step("check references and loops")
    if callable(existing):
        existing = existing(tables)
    checker = _Checker(tables, existing or {}, today, unreadable)
    problems.frames.extend(checker.run().frames)
    return Report(tables, problems.frame())
