"""Typing cells by the import format (data/formats.py): each bad cell becomes a problem, never a guess."""

from __future__ import annotations

import polars as pl

from data.formats import (
    EARLIEST_DATE,
    FORMATS,
    FORMULA_STARTS,
    ID_MAX_LENGTH,
    LATEST_DATE,
    WHOLE_MAX,
    WHOLE_MIN,
    ColumnFormat,
    TableFormat,
)
from data.import_grid import RawTable
from data.import_options import DATE_ORDERS, PERCENT_HINT, STRICT, ReadOptions, date_hint
from data.import_report import ROW, Incoming, Problems, quoted_cell

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def _typed_column(
    column: ColumnFormat, dtype: pl.DataType, table: TableFormat, options: ReadOptions
) -> list[list[pl.Expr]]:
    """Stages of expressions that turn one raw column into its value and a problem (null where the cell is fine).

    Each stage names its results (`_text:`, `_value:`, `_bad:`, `_problem:`) so that the next builds on
    computed columns instead of repeating whole expression trees.
    """
    name = column.name
    raw = pl.col(name)
    text, value, bad, problem = (pl.col(f"{part}{name}") for part in ("_text:", "_value:", "_bad:", "_problem:"))
    if column.identifier:
        # Ids stay text here; data/import_ids.py turns them into Ladder ids once every table is typed.
        stripped = raw.cast(pl.String).str.strip_chars().str.replace(r"^(-?\d+)\.0+$", "${1}")
        first = [pl.when(stripped == "").then(None).otherwise(stripped).alias(f"_text:{name}")]
        parsed, parse_problem = text, pl.lit(None, pl.String)
    elif dtype == pl.String or dtype == pl.Null or not _native(dtype, column.dtype):
        stripped = raw.cast(pl.String).str.strip_chars()
        first = [pl.when(stripped == "").then(None).otherwise(stripped).alias(f"_text:{name}")]
        parsed, parse_problem = _parse(column, text, options)
    else:
        first = [raw.cast(pl.String).alias(f"_text:{name}")]
        parsed = raw.dt.date() if isinstance(dtype, pl.Datetime) else raw.cast(column.dtype)
        parse_problem = pl.lit(None, pl.String)
    second = [parsed.alias(f"_value:{name}"), parse_problem.alias(f"_bad:{name}")]
    empty = pl.when(text.is_null() & pl.lit(column.required)).then(
        pl.lit(f"The {name} is empty; every {table.label} needs one.")
    )
    rule = _id_rule(value) if column.identifier else _cell_rule(column, value)
    third = [pl.coalesce(bad, empty, rule).alias(f"_problem:{name}")]
    if column.default is not None:
        value = value.fill_null(pl.when(text.is_null()).then(pl.lit(column.default, column.dtype)))
    fourth = [pl.when(problem.is_null()).then(value).alias(name)]
    return [first, second, third, fourth]


def _id_rule(value: pl.Expr) -> pl.Expr:
    """A text id fits the external_id table and is not a formula; a whole number (even -5) always passes."""
    formula = pl.any_horizontal([value.str.starts_with(start) for start in FORMULA_STARTS])
    return (
        pl.when(value.str.len_chars() > ID_MAX_LENGTH)
        .then(pl.format("This id has {} characters; at most {} fit.", value.str.len_chars(), pl.lit(ID_MAX_LENGTH)))
        .when(formula & ~value.str.contains(r"^-?\d+$"))
        .then(
            pl.format(
                "The id '{}' starts with a character spreadsheet programs run as a formula; change the id.",
                quoted_cell(value),
            )
        )
    )


def _native(given: pl.DataType, wanted: pl.DataType) -> bool:
    """Whether a typed (Parquet) column can be taken as it is, without going through text."""
    if wanted == pl.Int64:
        return given.is_integer()
    if wanted == pl.Float64:
        return given.is_numeric()
    if wanted == pl.Date:
        return given == pl.Date or isinstance(given, pl.Datetime)
    return given == wanted


def _parse(column: ColumnFormat, text: pl.Expr, options: ReadOptions) -> tuple[pl.Expr, pl.Expr]:
    """(value, problem) for text cells."""
    shown = quoted_cell(text)
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
        return _parse_number(column, text, options)
    if column.dtype == pl.Date:
        return _parse_date(text, options)
    if column.dtype == pl.Boolean:
        lower = text.str.to_lowercase()
        value = pl.when(lower.is_in(list(_TRUE))).then(True).when(lower.is_in(list(_FALSE))).then(False)
        bad = pl.when(text.is_not_null() & value.is_null()).then(
            pl.format("'{}' is not true or false: write true or false.", shown)
        )
        return value, bad
    return text, pl.lit(None, pl.String)


def _parse_number(column: ColumnFormat, text: pl.Expr, options: ReadOptions) -> tuple[pl.Expr, pl.Expr]:
    """(value, problem) for a number; in a share column with the percent option, 25% reads as 0.25."""
    shown = quoted_cell(text)
    percent = text.str.contains(r"^-?[0-9.]+\s*%$")
    # Rounded, so that 70% is exactly the 0.7 a file would have written (70 / 100 is 0.7000000000000001).
    share = text.str.strip_suffix("%").str.strip_chars().cast(pl.Float64, strict=False).truediv(100).round(12)
    value = text.cast(pl.Float64, strict=False)
    if column.share and options.percent:
        value = pl.when(percent).then(share).otherwise(value)
    comma = text.str.contains(r"^-?\d+,\d+$")
    as_share = pl.format("{}", share)
    bad = (
        pl.when(text.is_not_null() & value.is_null() & comma)
        .then(pl.format("'{}' is not a number: write decimals with a point, as in 1.5.", shown))
        .when(text.is_not_null() & value.is_null() & percent & pl.lit(column.share))
        .then(
            pl.format(
                "'{}' is a percentage: write it as a share ({}), or read the files with {}.",
                shown,
                as_share,
                pl.lit(PERCENT_HINT),
            )
        )
        .when(text.is_not_null() & (value.is_null() | value.is_nan()))
        .then(pl.format("'{}' is not a number.", shown))
        .when(text.is_not_null() & value.is_infinite())
        .then(pl.format("{} is too large to be a number Ladder can store.", shown))
    )
    return pl.when(value.is_finite()).then(value), bad


def _parse_date(text: pl.Expr, options: ReadOptions) -> tuple[pl.Expr, pl.Expr]:
    """(value, problem) for a date: YYYY-MM-DD always, and the day-month order the date option names."""
    shown = quoted_cell(text)
    value = pl.coalesce(
        text.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        text.str.strptime(pl.Datetime, "%Y-%m-%d %H:%M:%S", strict=False).dt.date(),
        text.str.strptime(pl.Datetime, "%Y-%m-%dT%H:%M:%S", strict=False).dt.date(),
        *(text.str.strptime(pl.Date, pattern, strict=False) for pattern in DATE_ORDERS[options.date_order]),
    )
    parts = text.str.extract_groups(r"^(\d{1,2})[/.-](\d{1,2})[/.-]\d{4}$")
    first, second = parts.struct.field("1").cast(pl.Int64), parts.struct.field("2").cast(pl.Int64)
    plain = "'{}' is not a date: write dates as YYYY-MM-DD, for example 2026-03-31"
    bad = (
        pl.when(text.is_null() | value.is_not_null())
        .then(None)
        .when((first > 12) & (second <= 12))
        .then(pl.format(plain + ", or read the files with {}.", shown, pl.lit(date_hint("DD/MM/YYYY"))))
        .when((second > 12) & (first <= 12))
        .then(pl.format(plain + ", or read the files with {}.", shown, pl.lit(date_hint("MM/DD/YYYY"))))
        .when((first <= 12) & (second <= 12))
        .then(
            pl.format(
                plain + ", or read the files with {} or {}, whichever your system writes.",
                shown,
                pl.lit(date_hint("DD/MM/YYYY")),
                pl.lit(date_hint("MM/DD/YYYY")),
            )
        )
        .otherwise(pl.format(plain + ".", shown))
    )
    return value, bad


def _cell_rule(column: ColumnFormat, value: pl.Expr) -> pl.Expr:
    """The rules one cell must meet whatever file it came from (ranges, lengths, allowed values, formulas)."""
    shown = quoted_cell(value)
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


def type_table(raw: RawTable, problems: Problems, options: ReadOptions = STRICT) -> Incoming:
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
            typed = _typed_column(column, raw.frame.schema[column.name], table, options)
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
