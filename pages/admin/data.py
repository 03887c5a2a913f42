"""Data: load goals, people, check-ins and ratings from other systems; checked first, written all or nothing."""

import streamlit as st

from components import importer
from components.context import current
from components.data import today
from components.tables import data_table

context = current()

st.title("Data")
st.caption(
    "Load goals, people, check-ins and ratings exported from other systems. Ladder checks every file first "
    "and writes nothing unless all of it is right. The sidebar filters do not apply here: an import changes "
    "the whole goals database."
)

if not importer.may_import(context.viewer):
    st.info("Importing data needs the HR role. Ask an HR leader to load the files for you.", icon=":material/lock:")
    st.stop()

importer.show_outcome()

with st.expander("Which files Ladder takes", icon=":material/help:"):
    st.markdown(
        "One file per table, named after it (`goal.csv`, `employee.parquet`, …), or one Excel workbook with a "
        "sheet per table. The first row names the columns. Every row carries its id from the system it comes "
        "from, a whole number or text such as E-10442: a row whose id Ladder holds is replaced, a new id adds "
        "a row, and importing the same files twice changes nothing. Only the tables being changed are needed. "
        "The full description of every column is in `docs/import-format.md`."
    )
    data_table(importer.format_overview(), "Import format", key="import_format")
    importer.example_download()

options = importer.read_options()
uploads = st.file_uploader(
    "Files to import",
    type=["csv", "xlsx", "parquet"],
    accept_multiple_files=True,
    key=importer.uploader_key(),
    help="CSV (UTF-8), Excel (.xlsx) or Parquet files; one per table, or one workbook with a sheet per table.",
)
if not uploads:
    st.info(
        "Choose the files to import. Ladder checks them against the goals database first; nothing is written "
        "until you press Import.",
        icon=":material/upload_file:",
    )
    st.stop()

result = importer.checked(uploads, today(), options)
if not result.ok:
    st.error(importer.problems_headline(result), icon=":material/error:")
    importer.problems_table(result)
    st.stop()

rows = importer.amount(sum(result.report.rows().values()), "row")
tables = importer.amount(len(result.report.tables), "table")
st.success(
    f"**The files are right:** {rows} for {tables}. Nothing has been written yet.",
    icon=":material/fact_check:",
)
importer.plan_table(result)
if st.button(
    "Import",
    type="primary",
    icon=":material/upload:",
    key="import_now",
    help="Write every row in one step: if anything fails, nothing is written.",
):
    importer.import_now(uploads, today(), options)
