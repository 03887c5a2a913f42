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

from collections.abc import Callable, Iterable, Sequence
from datetime import date

import polars as pl

from data.formats import FORMATS
from data.import_cells import type_table
from data.import_checks import Checker
from data.import_existing import read_existing
from data.import_files import read_sources
from data.import_ids import assign_ladder_ids
from data.import_limits import SCREEN_LIMITS, ImportLimits
from data.import_options import STRICT, ReadOptions
from data.import_report import Incoming, Problems, Report, Source

__all__ = ["Incoming", "Report", "Source", "read_existing", "validate"]


def validate(
    sources: Sequence[Source],
    existing: dict[str, pl.DataFrame] | Callable[[Iterable[str]], dict[str, pl.DataFrame]] | None = None,
    today: date | None = None,
    on_step: Callable[[str], None] | None = None,
    options: ReadOptions = STRICT,
    limits: ImportLimits = SCREEN_LIMITS,
) -> Report:
    """Read, type and check a file set against the rows the database already holds; nothing is written.

    `existing` is a dict from `read_existing`, or a function of the incoming table names that returns one
    (so that only the needed columns are read), or None for an empty database. `options` loosen the reading
    of CSV separators, dates and percentages (data/import_options.py); a file over `limits` is refused before it
    is parsed (data/import_limits.py).
    """
    today = today or date.today()
    step = on_step or (lambda _: None)
    problems = Problems()
    if not sources:
        problems.add("", None, "", "No files were given.")
        return Report({}, problems.frame())
    step("read files")
    raws, unreadable = read_sources(sources, problems, options, limits)
    tables: dict[str, Incoming] = {}
    step("check cells")
    for raw in raws:
        if raw.table in tables:
            problems.add(
                raw.file, None, "", f"The {raw.table} table also comes from {tables[raw.table].file}; give it once."
            )
            continue
        tables[raw.table] = type_table(raw, problems, options)
    tables = {name: tables[name] for name in FORMATS if name in tables}
    if not tables and not problems.frames:
        problems.add("", None, "", "The files hold no Ladder table.")
    step("check references and loops")
    if callable(existing):
        existing = existing(tables)
    tables, external_ids = assign_ladder_ids(tables, existing or {}, problems, unreadable)
    checker = Checker(tables, existing or {}, today, unreadable)
    problems.frames.extend(checker.run().frames)
    return Report(tables, problems.frame(), external_ids)
