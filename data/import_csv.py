"""CSV files: decoded, their records counted on their own (Polars fills a row cut short) and parsed.

Vectorised when the file has no quote marks, with Python's csv module when it has."""

from __future__ import annotations

import csv
import io

import polars as pl

from data.import_grid import RawTable, column_letter, filled, header_columns, text_frame
from data.import_options import SEPARATORS, separator_hint
from data.import_report import PROBLEM_SCHEMA, ROW, Problems, Source


def _decode(source: Source, problems: Problems) -> str | None:
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


def read_csv(source: Source, table: str, problems: Problems, separator: str = ",") -> list[RawTable]:
    text = _decode(source, problems)
    if text is None:
        return []
    if not text.strip():
        problems.add(source.name, None, "", "This file is empty. It needs a header row naming the columns.")
        return []
    if _other_separator(source.name, text, separator, problems):
        return []
    counts = _field_counts(source.name, text, problems, separator)
    if counts is None:
        return []
    try:
        frame = _polars_csv(source.name, text, counts, problems, separator)
    except _Disagreement:
        frame = _python_csv(source.name, text, problems, separator)
    return [] if frame is None else [RawTable(table, source.name, frame)]


class _Disagreement(Exception):
    """Polars read the records differently from Python's csv module."""


def _other_separator(file: str, text: str, separator: str, problems: Problems) -> bool:
    """Report a header that names its columns with another separator between them (Excel's semicolons)."""
    header = text.split("\n", 1)[0]
    for other in SEPARATORS:
        if other != separator and separator not in header and other in header:
            problems.add(
                file,
                1,
                "",
                f"The header row has '{other}' between the column names, not '{separator}'. "
                f"Read this file with {separator_hint(other)}.",
            )
            return True
    return False


def _field_counts(file: str, text: str, problems: Problems, separator: str) -> list[int] | None:
    """How many values each record has (the header being the first), or None when the quoting is broken."""
    if '"' not in text:
        # Without quotes a record is a line, so the values of a million rows are counted without a Python loop.
        lines = pl.Series(text.removesuffix("\n").split("\n"), dtype=pl.String).str.strip_suffix("\r")
        return (lines.str.count_matches(separator, literal=True) + 1).to_list()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=separator)
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


def _polars_csv(file: str, text: str, counts: list[int], problems: Problems, separator: str) -> pl.DataFrame | None:
    """The records as text cells, parsed by Polars; rows cut short or too long are reported and left out.

    Raises _Disagreement when Polars and the record count disagree (unusual line endings, say), so that
    the caller parses in Python instead.
    """
    slots = [f"_{i}" for i in range(max(counts))]
    try:
        grid = pl.read_csv(
            text.encode("utf-8"),
            has_header=False,
            separator=separator,
            schema={slot: pl.String for slot in slots},
            truncate_ragged_lines=True,
        )
    except Exception as error:  # noqa: BLE001 - the Python parser decides what is wrong
        raise _Disagreement from error
    if grid.height != len(counts):
        raise _Disagreement
    header = grid.row(0)[: counts[0]]
    columns = header_columns(file, header, problems)
    if not columns:
        problems.add(file, 1, "", "The first row must name the columns (for example id, name), but it is empty.")
        return None
    width = counts[0]
    body = grid.slice(1).with_columns(
        pl.int_range(2, grid.height + 1, dtype=pl.Int64).alias(ROW), pl.Series("_count", counts[1:], dtype=pl.Int64)
    )
    filled = [pl.col(slot).str.strip_chars().fill_null("") != "" for slot in slots]
    body = body.filter(pl.any_horizontal(filled))
    bad = _report_misshapen(file, body, width, columns, filled, problems)
    return body.filter(~bad).select(*(pl.col(f"_{index}").alias(name) for index, name in columns), ROW)


def _report_misshapen(
    file: str, body: pl.DataFrame, width: int, columns: list[tuple[int, str]], filled: list[pl.Expr], problems: Problems
) -> pl.Expr:
    """Report rows cut short, rows too long and values under no column name; return the test for all of them."""
    named = {index for index, _ in columns}
    extra = pl.any_horizontal(filled[width:]) if len(filled) > width else pl.lit(False)
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
            (
                condition,
                column_letter(i),
                pl.lit(f"Column {column_letter(i)} has a value but no name in the header row."),
            )
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
    return bad


def _python_csv(file: str, text: str, problems: Problems, separator: str) -> pl.DataFrame | None:
    """The records as text cells, parsed by Python's csv module (the careful, slower way)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=separator)
    records = [(number, cells) for number, cells in enumerate(reader, start=1)]
    header = records[0][1]
    data_rows = ((number, cells) for number, cells in records[1:] if any(filled(c) for c in cells))
    return text_frame(file, header, data_rows, problems)
