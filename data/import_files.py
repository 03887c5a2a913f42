"""Reading a file set: which table each file or sheet holds, and XLSX and Parquet files."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import PurePath

import polars as pl

from data.formats import FILE_TYPES, table_for
from data.import_csv import read_csv
from data.import_grid import RawTable, filled, text_frame, unknown_table
from data.import_limits import SCREEN_LIMITS, ImportLimits, too_large
from data.import_options import STRICT, ReadOptions
from data.import_report import ROW, Problems, Source


def read_xlsx(source: Source, problems: Problems) -> list[RawTable]:
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
                if any(filled(c) for c in cells)
            ]
            if not records:
                continue
            table = table_for(sheet.title)
            if table is None:
                problems.add(label, None, "", unknown_table(f"'{sheet.title}'", "for example a sheet named goal"))
                continue
            first, header = records[0]
            if first != 1:
                problems.add(label, first, "", "The header row naming the columns must be the sheet's first row.")
                continue
            frame = text_frame(label, header, records[1:], problems)
            if frame is not None:
                raws.append(RawTable(table, label, frame))
    except Exception as error:  # noqa: BLE001 - a damaged workbook fails in many ways, each told in words
        problems.add(source.name, None, "", f"Part of this workbook cannot be read: {error or type(error).__name__}.")
        return []
    finally:
        workbook.close()
    if not raws and len(problems.frames) == reported:
        problems.add(source.name, None, "", "This workbook has no sheet with data.")
    return raws


def read_parquet(source: Source, table: str, problems: Problems) -> list[RawTable]:
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
    return [RawTable(table, source.name, frame)]


def read_sources(
    sources: Sequence[Source], problems: Problems, options: ReadOptions = STRICT, limits: ImportLimits = SCREEN_LIMITS
) -> tuple[list[RawTable], set[str]]:
    """Every table in the file set as read, and the tables whose file could not be read (reported)."""
    raws: list[RawTable] = []
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
            if not too_large(source, suffix, limits, problems):
                raws.extend(read_xlsx(source, problems))
            continue
        table = table_for(path.stem)
        if table is None:
            problems.add(source.name, None, "", unknown_table(f"'{path.stem}'", f"for example goal.{suffix}"))
            continue
        if too_large(source, suffix, limits, problems):
            unreadable.add(table)
            continue
        if suffix == "csv":
            read = read_csv(source, table, problems, options.separator)
        else:
            read = read_parquet(source, table, problems)
        if not read:
            unreadable.add(table)
        raws.extend(read)
    return raws, unreadable
