"""The Data screen's pieces: check uploaded files against the goals database, import them, show the report.

The checks and the writing are data/validate.py and data/load.py, the same as the command line, so the
screen and `python -m data.load` give the same report. queries/access.py decides who may import.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import polars as pl
import streamlit as st

from components import data
from components.tables import data_table
from data.db import DatabaseError, database_url, make_engine
from data.formats import FORMATS
from data.import_limits import SCREEN_LIMITS
from data.import_options import DATE_ORDERS, SEPARATORS, ReadOptions
from data.load import ImportResult, import_files
from data.validate import Source
from queries.access import may_import

EXAMPLE_WORKBOOK = Path(__file__).resolve().parent.parent / "docs" / "examples" / "ladder-example.xlsx"
_CHECKED, _OUTCOME, _UPLOADS = "import_checked", "import_outcome", "import_uploads"

__all__ = ["may_import"]


def amount(number: int, thing: str) -> str:
    """'1 row', '2,000 rows'."""
    return f"{number:,} {thing}{'' if number == 1 else 's'}"


def uploader_key() -> str:
    """A fresh key after each import, which empties the uploader."""
    return f"import_files_{st.session_state.get(_UPLOADS, 0)}"


def _sources(uploads) -> list[Source]:
    return [Source(upload.name, upload.getvalue()) for upload in uploads]


def _signature(sources: list[Source]) -> str:
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.name.encode())
        digest.update(hashlib.sha256(source.content).digest())
    return digest.hexdigest()


def read_options() -> ReadOptions:
    """How the uploaded files are written: strict unless a looser reading is chosen here."""
    with st.expander("How the files are written", icon=":material/tune:"):
        st.caption(
            "Ladder reads commas, dates as YYYY-MM-DD and shares as 0.25 unless told otherwise here; "
            "the report suggests an option when a file looks like it needs one."
        )
        separator = st.selectbox(
            "Between values in CSV files",
            tuple(SEPARATORS),
            format_func=SEPARATORS.get,
            key="import_separator",
            help="Excel in much of Europe saves CSV files with semicolons.",
        )
        dates = st.selectbox(
            "Dates",
            tuple(DATE_ORDERS),
            format_func=lambda order: order if order == "YYYY-MM-DD" else f"{order} (and YYYY-MM-DD)",
            key="import_dates",
            help="31/12/2026 is day first (DD/MM/YYYY); 12/31/2026 is month first (MM/DD/YYYY).",
        )
        percent = st.checkbox(
            "Read 25% as 0.25",
            key="import_percent",
            help="Where a share from 0 to 1 is expected: rating guideline shares and update confidence.",
        )
    return ReadOptions(separator=separator, date_order=dates, percent=percent)


def _run(
    sources: list[Source], today: date, options: ReadOptions, *, dry_run: bool, on_rows=lambda *_: None
) -> ImportResult:
    engine = make_engine(database_url())
    try:
        return import_files(
            engine, sources, dry_run=dry_run, today=today, on_rows=on_rows, options=options, limits=SCREEN_LIMITS
        )
    finally:
        engine.dispose()


def checked(uploads, today: date, options: ReadOptions) -> ImportResult:
    """The dry run of these uploads: checked once per set of files and options, not again on every rerun."""
    sources = _sources(uploads)
    signature = f"{_signature(sources)}:{options}"
    remembered = st.session_state.get(_CHECKED)
    if remembered is not None and remembered[0] == signature:
        return remembered[1]
    with st.spinner("Checking the files against the goals database…"):
        result = _run(sources, today, options, dry_run=True)
    st.session_state[_CHECKED] = (signature, result)
    return result


def import_now(uploads, today: date, options: ReadOptions) -> None:
    """Check and write the uploads in one transaction; on success refresh every screen's data and start over."""
    bar = st.progress(0.0, text="Importing…")

    def on_rows(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Writing {done:,} of {total:,} rows…")

    try:
        result = _run(_sources(uploads), today, options, dry_run=False, on_rows=on_rows)
    except DatabaseError as error:
        bar.empty()
        st.error(f"**Nothing was imported.** {error}", icon=":material/database_off:")
        return
    bar.empty()
    if not result.written:
        # The database changed since the check (somebody else imported): show what is wrong now.
        st.session_state.pop(_CHECKED, None)
        st.error(problems_headline(result), icon=":material/error:")
        problems_table(result)
        return
    data.refresh()
    rows = sum(result.report.rows().values())
    new = sum(result.new_rows.values())
    st.session_state[_OUTCOME] = (
        f"Imported {amount(rows, 'row')} into {amount(len(result.report.tables), 'table')} in {result.seconds:.1f} s: "
        f"{new:,} new, {rows - new:,} already there (updated where they differed). Every screen now shows them."
    )
    st.session_state[_UPLOADS] = st.session_state.get(_UPLOADS, 0) + 1
    st.session_state.pop(_CHECKED, None)
    st.rerun()


def show_outcome() -> None:
    """The message of the import that just finished, once."""
    message = st.session_state.pop(_OUTCOME, None)
    if message:
        st.success(message, icon=":material/task_alt:")


def problems_headline(result: ImportResult) -> str:
    """'3 problems in 2 files. Nothing was imported.' and what to do about it."""
    problems = result.report.problems
    files = problems["file"].n_unique()
    return (
        f"**{amount(problems.height, 'problem')} in {amount(files, 'file')}. Nothing was imported.** "
        "Fix them in the files and upload them again."
    )


def problems_table(result: ImportResult) -> None:
    """Every problem: file, row (as a spreadsheet numbers it), column and what is wrong."""
    data_table(
        result.report.problems,
        "import problems",
        column_config={
            "file": st.column_config.TextColumn("File", width="small"),
            "row": st.column_config.NumberColumn(
                "Row", format="%d", width="small", help="As a spreadsheet numbers it: the header is row 1"
            ),
            "column": st.column_config.TextColumn("Column", width="small"),
            "problem": st.column_config.TextColumn("Problem", width="large"),
        },  # fmt: skip
        key="import_problems",
    )


def plan_table(result: ImportResult) -> None:
    """What an import of the checked files will do, table by table."""
    data_table(
        result.plan(),
        "Import plan",
        {
            "table": st.column_config.TextColumn("Table"),
            "file": st.column_config.TextColumn("From"),
            "rows": st.column_config.NumberColumn("Rows", format="localized"),
            "new": st.column_config.NumberColumn("New", format="localized", help="Ids the database does not hold yet"),
            "already_there": st.column_config.NumberColumn(
                "Already there", format="localized", help="Ids the database holds: those rows are replaced"
            ),
        },
        key="import_plan",
    )


def format_overview() -> pl.DataFrame:
    """One row per table: its name, what it holds, and the columns it must have."""
    return pl.DataFrame(
        {
            "table": list(FORMATS),
            "holds": [table.help for table in FORMATS.values()],
            "required columns": [", ".join(c.name for c in table.columns if c.required) for table in FORMATS.values()],
        }
    )


def example_download() -> None:
    st.download_button(
        "Example workbook",
        data=EXAMPLE_WORKBOOK.read_bytes,
        file_name=EXAMPLE_WORKBOOK.name,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        on_click="ignore",
        key="import_example",
        help="A small organisation with a sheet per table, ready to import into an empty database.",
    )
