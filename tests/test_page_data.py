"""The Data screen through Streamlit's AppTest: upload, the report, the dry run, the import, and the HR rule.

Every test imports into its own copy of the demo database, so the shared demo stays as it was.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from data.db import make_engine

DATA = "pages/admin/data.py"
NEW_UPDATE_DAY = date(2026, 11, 20)


@pytest.fixture
def own_database(demo_database_url, tmp_path, monkeypatch) -> Path:
    """A copy of the demo database that this test may change; the app reads it, for an HR viewer signed in
    through the trusted header (an import ends demo mode, data/demo.py)."""
    import components.viewer

    path = tmp_path / "ladder.db"
    shutil.copy(make_url(demo_database_url).database, path)
    monkeypatch.setenv("LADDER_DATABASE_URL", f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            hr = connection.execute(text("SELECT email FROM viewer WHERE role = 'hr' ORDER BY id LIMIT 1")).scalar_one()
    finally:
        engine.dispose()
    monkeypatch.setenv("LADDER_TRUSTED_EMAIL_HEADER", "X-Forwarded-Email")
    monkeypatch.setattr(components.viewer, "request_header", lambda name: ([hr], None))
    return path


def count(path: Path, table: str) -> int:
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


def new_update_csv(path: Path) -> bytes:
    """One new progress update for a key result of a goal whose period holds NEW_UPDATE_DAY."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            key_result = connection.execute(
                text(
                    "SELECT key_result.id FROM key_result JOIN goal ON goal.id = key_result.goal_id "
                    "JOIN period ON period.id = goal.period_id "
                    "WHERE period.start_date <= :day AND period.end_date >= :day ORDER BY key_result.id LIMIT 1"
                ),
                {"day": NEW_UPDATE_DAY.isoformat()},
            ).scalar_one()
            next_id = connection.execute(text("SELECT MAX(id) + 1 FROM progress_update")).scalar_one()
    finally:
        engine.dispose()
    return f"id,key_result_id,at,value,confidence\n{next_id},{key_result},{NEW_UPDATE_DAY},42.5,0.8\n".encode()


def sha(path: Path) -> str:
    """The file's hash once the access log has written the page views waiting in its spool."""
    from data.access_log import spool

    spool(f"sqlite:///{path}").write_waiting()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_hr_sees_the_uploader_and_what_to_upload(app_test, own_database):
    at = app_test(page=DATA)
    assert not at.exception
    assert [t.value for t in at.title] == ["Data"]
    assert len(at.file_uploader) == 1 and at.file_uploader[0].accept_multiple_files
    assert "nothing is written until you press Import" in at.info[0].value
    assert [b.label for b in at.get("download_button")] == ["CSV", "Excel", "Example workbook"]


def test_a_bad_file_is_reported_in_a_table_and_nothing_is_written(app_test, own_database):
    at = app_test(page=DATA)
    before = sha(own_database)
    bad = b"id,key_result_id,at,value\n1,1,2026-02-30,5\n2,999999,2026-11-01,five\n"
    at.file_uploader[0].set_value(("progress_update.csv", bad, "text/csv")).run()
    assert not at.exception
    assert at.error[0].value.startswith("**3 problems in 1 file. Nothing was imported.**")
    report = at.dataframe[-1].value
    assert list(report.columns) == ["file", "row", "column", "problem"]
    assert report[["row", "column"]].values.tolist() == [[2, "at"], [3, "key_result_id"], [3, "value"]]
    assert "not a date" in report["problem"][0]
    assert [b.label for b in at.button if b.label == "Import"] == []
    assert sha(own_database) == before


def test_valid_files_are_checked_first_then_imported_on_the_button(app_test, own_database):
    at = app_test(page=DATA)
    updates = count(own_database, "progress_update")
    at.file_uploader[0].set_value(("progress_update.csv", new_update_csv(own_database), "text/csv")).run()
    assert not at.exception
    assert "The files are right:** 1 row for 1 table. Nothing has been written yet." in at.success[0].value
    plan = at.dataframe[-1].value
    assert plan[["table", "rows", "new", "already_there"]].values.tolist() == [["progress_update", 1, 1, 0]]
    assert count(own_database, "progress_update") == updates  # the dry run wrote nothing

    at.button(key="import_now").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Imported 1 row into 1 table")
    assert count(own_database, "progress_update") == updates + 1
    assert not at.file_uploader[0].value, "the uploader starts empty again"


def _page_as(role: str) -> None:
    """The Data page on its own, for a viewer of `role` (the navigation shows it to HR only)."""
    import runpy
    from datetime import date

    from components.context import PageContext, set_context
    from queries.model import Filters, Viewer

    set_context(PageContext(Filters(period_id=1, as_of=date(2026, 11, 25)), Viewer("x@example", role), "all"))
    runpy.run_path("pages/admin/data.py")


@pytest.mark.parametrize("role", ["executive", "manager", "none"])
def test_other_roles_are_told_they_need_the_hr_role(role, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    at = AppTest.from_function(_page_as, args=(role,), default_timeout=60)
    at.run()
    assert not at.exception
    assert "needs the HR role" in at.info[0].value
    assert len(at.file_uploader) == 0


def test_a_semicolon_file_is_read_once_the_screen_is_told_so(app_test, own_database):
    at = app_test(page=DATA)
    semicolons = new_update_csv(own_database).replace(b",", b";")
    at.file_uploader[0].set_value(("progress_update.csv", b"\xef\xbb\xbf" + semicolons, "text/csv")).run()
    assert not at.exception
    report = at.dataframe[-1].value
    assert "'Semicolon (;)' on the Data screen" in report["problem"][0]
    at.selectbox(key="import_separator").set_value(";").run()
    assert not at.exception
    assert "The files are right:** 1 row for 1 table." in at.success[0].value
