"""Example import files and the import-format page, generated from the tiny organisation of the tests.

    python -m data.examples [--docs DOCS_FOLDER]

Writes docs/examples/csv/<table>.csv, docs/examples/parquet/<table>.parquet,
docs/examples/ladder-example.xlsx (a sheet per table) and docs/import-format.md (every column of every
table, from data/formats.py). Run it again after changing the schema or the column descriptions.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

import polars as pl

from data.formats import (
    EARLIEST_DATE,
    FORMATS,
    LATEST_DATE,
    ColumnFormat,
    write_csv_files,
    write_parquet_files,
    write_workbook,
)
from data.import_limits import CLI_LIMITS, MIB, SCREEN_LIMITS

ROOT = Path(__file__).resolve().parent.parent
# The Data screen's upload limit, in MB, as .streamlit/config.toml sets it.
UPLOAD_MB = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"]["maxUploadSize"]
WORKBOOK = "ladder-example.xlsx"

INTRO = f"""\
# Importing data into Ladder

Ladder reads one goals database. When goals, people, check-ins and ratings live in other systems,
export them into the files described here and load them on the **Data** screen (group *Admin*,
HR role) or from the command line:

```
python -m data.load FILES_OR_FOLDERS... [--url DATABASE_URL] [--dry-run] [--report problems.csv]
                    [--separator ';'] [--dates DD/MM/YYYY|MM/DD/YYYY] [--percent]
```

`--dry-run` checks the files and reports without writing anything; a folder stands for every
`.csv`, `.xlsx` and `.parquet` file in it.

## How the files look

- **One file per table**, named after the table: `goal.csv`, `employee.parquet`, ... Or **one Excel
  workbook** (`.xlsx`) with a sheet per table, each sheet named after its table. Files of different
  kinds can be mixed, but each table comes from one place only.
- Only the tables being changed are needed. Rows may refer to rows Ladder already holds.
- For large tables (hundreds of thousands of rows, such as progress updates or check-ins), CSV and
  Parquet files load many times faster than a workbook; a million progress updates take well under a
  minute.
- The **first row names the columns**, in any order; upper or lower case does not matter. Columns
  marked *required* must be there; the others may be left out.
- **CSV files are UTF-8** (in Excel: *File › Save As › CSV UTF-8*), with commas between values; a
  value holding a comma, a quote mark or a line break is put in double quotes.
- **Whole numbers** are written like `42`; **numbers** with a decimal point, like `0.75` (no thousands
  separators, no percent signs); **dates** as `YYYY-MM-DD`, like `2026-03-31`; **true or false** as
  `true`/`false` (`yes`/`no` and `1`/`0` work too). Spaces around a value are ignored; an empty cell
  means "no value".

## Files as other systems export them

Ladder reads the format above and nothing looser unless told to, so that a file is never read
differently from what its author meant. Three options, on the command line and under *How the files
are written* on the Data screen, read files as other systems write them:

- **Separator** (`--separator ';'`; *Between values in CSV files*: Semicolon): CSV files with
  semicolons between values, as Excel saves them in much of Europe.
- **Dates** (`--dates DD/MM/YYYY` or `--dates MM/DD/YYYY`; *Dates*): `31/12/2026` (also `31.12.2026`
  and `31-12-2026`) or `12/31/2026`, besides `2026-12-31`.
- **Percent** (`--percent`; *Read 25% as 0.25*): `25%` where a share from 0 to 1 is expected
  (`rating_guideline.target_share`, `progress_update.confidence`); other numbers stay as they are.

A UTF-8 byte-order mark at the start of a CSV file (Excel's *CSV UTF-8* writes one) is always fine.
When a file looks like one of these, the report names the option that would read it: a header with
semicolons between the column names, a date such as `17/10/2026` (a date such as `01/02/2026` fits
both orders, and the report names both), a share written as `70%`.

## How large a file may be

Every file is checked for size before anything in it is read, so that no file, however it was made, can
fill the server's memory: a CSV file by its rows, a Parquet file by the rows and the unpacked size its
footer declares (a small file can hold millions of rows), an Excel workbook by the unpacked size of its
parts (a small workbook can unpack into gigabytes). A file over the limit is refused with its figures.

| | Data screen | `python -m data.load` |
|---|---:|---:|
| upload (`.streamlit/config.toml`, `server.maxUploadSize = {UPLOAD_MB}`) | {UPLOAD_MB} MB | no limit |
| CSV rows per file | {SCREEN_LIMITS.csv_rows:,} | {CLI_LIMITS.csv_rows:,} |
| Parquet rows per file | {SCREEN_LIMITS.parquet_rows:,} | {CLI_LIMITS.parquet_rows:,} |
| Parquet unpacked per file | {SCREEN_LIMITS.parquet_bytes // MIB:,} MiB | {CLI_LIMITS.parquet_bytes // MIB:,} MiB |
| Excel workbook unpacked | {SCREEN_LIMITS.xlsx_bytes // MIB:,} MiB | {CLI_LIMITS.xlsx_bytes // MIB:,} MiB |

Larger loads go through the command line, or are split into several files.

## Ids: updating instead of duplicating

Every row carries the id it has in the system it comes from, and every reference column (a person's
manager, a goal's parent, a check-in's person) names a row by that id. An id is a **whole number**
(`42`) or **text** (`E-10442`, `okr_7f3a`, up to 200 characters; spaces around it are ignored, and
upper and lower case differ). A whole number from {-(2**31):,} to {2**31 - 1:,} is Ladder's own id for
the row. Ladder gives any other id (text, or a longer number) the next free number of its table the
first time it is imported, and remembers the pair, so the same text id names the same row in every
later import. A whole-number id that Ladder already gave to a text id is refused.

A row whose id Ladder already holds **replaces** that row; a new id **adds** a row. Optional columns
left out of a file take their default value (shown below), also for rows that already exist. Importing
the same files twice changes nothing, and an import never deletes rows.

## All or nothing

Ladder checks every file before it writes anything. If there is any problem, **nothing is written**,
and the report lists every problem with its file, row (numbered as a spreadsheet numbers it: the
header is row 1), column and what is wrong, in words. When the files are right, everything is written
at once, in one step, so nobody ever sees half an import.

## What Ladder checks

- **Types**: ids, whole numbers, numbers, dates, true or false, and text no longer than its column
  allows; whole numbers from {-(2**31):,} to {2**31 - 1:,}; dates between {EARLIEST_DATE.year} and
  {LATEST_DATE.year}.
- **Columns**: required columns are present and their cells filled; a column Ladder does not know
  (often a misspelling) is refused rather than silently dropped.
- **Rows**: no row is cut short or has more values than the header names; each id appears once; values
  that must be unique (e-mail addresses, region codes, period and review-cycle names, a person's
  rating in a cycle) are not used twice, in the files or together with what Ladder already holds.
- **References**: every id that points at another row (a person's manager, a goal's period, a
  check-in's person) names a row that exists, in the files or already in Ladder; a text id, a row
  given that id in the files or in an earlier import.
- **Loops**: nobody manages themselves through a chain of managers; no unit or period belongs to
  itself; no goal ladders up to itself through its parents and its links (a loop would make progress
  impossible to add up).
- **Dates that make sense**: hire dates, progress updates and check-ins are not in the future (after
  the day of the import); a progress update falls within its goal's period; a check-in is not before
  the person joined; a period does not end before it starts.
- **Key results**: the target differs from the start (otherwise progress cannot be measured), and a
  direction, when given, agrees with them: *increase* when the target is above the start, *decrease*
  when it is below.
- **Ratings**: ratings before and after calibration lie on the review cycle's scale (from its lowest to
  its highest rating); a potential rating lies between 1 and the cycle's highest rating; guideline
  shares lie between 0 and 1; the highest rating of a cycle is above its lowest.
- **Other ranges**: weights are 0 or more; confidence lies between 0 and 1; quarters are 1 to 4; a
  check-in's manager is not the person themselves.
- **Formulas**: text starting with `=`, `+`, `-` or `@` is refused, because spreadsheet programs run
  such text as a formula when the data is opened again (a known way to smuggle commands into files);
  so is a text id starting with one of them (a negative whole number such as `-5` is fine).

## Example files

`docs/examples/` holds the small example organisation in every form Ladder reads: `csv/` (a CSV file
per table), `parquet/` (a Parquet file per table) and `{WORKBOOK}` (a sheet per table). Each set
imports into an empty database as it is. `uneven/` is a second organisation shaped like real ones: text
ids, branches of different depth (one without divisions), a person other than the CEO without a manager
and a manager who reports into another branch; its `README.md` works out its figures.

## The tables

Listed in the order Ladder writes them: each table comes after the tables it refers to.
"""


def example_tables() -> dict[str, pl.DataFrame]:
    """The tiny hand-built organisation the tests work out on paper: Acme, with teams Alpha and Beta."""
    from tests.tiny_org import tiny_tables

    return {name: frame for name, frame in tiny_tables().items() if name in FORMATS}


def _type(column: ColumnFormat) -> str:
    kind = column.kind
    if column.references:
        kind += f", the id of a row of `{column.references}`"
    return kind


def _required(column: ColumnFormat) -> str:
    if column.required:
        return "required"
    if column.default is not None:
        shown = str(column.default).lower() if isinstance(column.default, bool) else column.default
        return f"optional (default `{shown}`)"
    return "optional"


def format_page() -> str:
    """docs/import-format.md: the rules, then every table with every column in plain words."""
    parts = [INTRO]
    for table in FORMATS.values():
        parts.append(f"\n### `{table.name}`\n\n{table.help} File `{table.name}.csv` or `{table.name}.parquet`, ")
        parts.append(f"or a sheet named `{table.name}`. Key: `{table.key}`.\n\n")
        parts.append("| Column | Required | Type | Meaning |\n|---|---|---|---|\n")
        for column in table.columns:
            meaning = column.help.replace("|", "\\|")
            parts.append(f"| `{column.name}` | {_required(column)} | {_type(column)} | {meaning} |\n")
    return "".join(parts)


def write_examples(docs: Path) -> list[Path]:
    """Every example file and the format page under `docs`; returns the paths written."""
    tables = example_tables()
    examples = docs / "examples"
    written = [
        *write_csv_files(tables, examples / "csv"),
        *write_parquet_files(tables, examples / "parquet"),
        write_workbook(tables, examples / WORKBOOK),
    ]
    page = docs / "import-format.md"
    page.write_text(format_page(), encoding="utf-8")
    return [*written, page]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.examples", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=ROOT / "docs", help="the docs folder (default: docs/)")
    args = parser.parse_args(argv)
    for path in write_examples(args.docs):
        print(path, file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
