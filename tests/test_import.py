"""The importer: the documented format, the report on bad files, all-or-nothing writes, round trips, re-imports.

Database tests run on SQLite and PostgreSQL (the `engine` and `database_url` fixtures). The example files
in docs/examples hold the tiny organisation of tests/tiny_org.py, so a round trip must give it back exactly.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import select, text

from data.db import DatabaseError, make_engine
from data.examples import format_page, write_examples
from data.formats import FORMATS, write_workbook
from data.load import import_files, main, sources_from_paths, write
from data.schema import SNAPSHOT_TABLES, Base
from data.validate import Incoming, Source, validate
from queries.snapshot import load_snapshot
from tests.tiny_org import tiny_tables

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"


def example_csv(name: str) -> str:
    return (EXAMPLES / "csv" / f"{name}.csv").read_text(encoding="utf-8")


def example_sources(**changed: str | bytes | None) -> list[Source]:
    """The example CSV files, with some replaced (by text or bytes) or left out (None)."""
    sources = []
    for path in sorted((EXAMPLES / "csv").glob("*.csv")):
        content = changed.get(path.stem, path.read_bytes())
        if content is not None:
            sources.append(Source(path.name, content.encode() if isinstance(content, str) else content))
    return sources


def only(**files: str | bytes) -> list[Source]:
    """A file set of just these files: name -> content (name with its extension)."""
    return [Source(name.replace("__", "."), c.encode() if isinstance(c, str) else c) for name, c in files.items()]


def problems_at(sources: list[Source], file: str, row: int | None, column: str) -> list[str]:
    """The problem sentences reported at one place (file, row, column) when checking without a database."""
    report = validate(sources)
    found = report.problems.filter(
        (pl.col("file") == file)
        & (pl.col("row").is_null() if row is None else pl.col("row") == row)
        & (pl.col("column") == column)
    )
    assert found.height, f"no problem at {file}, row {row}, column {column!r}; found:\n{report.problems}"
    return found["problem"].to_list()


def stored_rows(engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {
            name: sorted(tuple(row) for row in connection.execute(text(f"SELECT * FROM {name}")))
            for name in SNAPSHOT_TABLES
        }


def assert_database_holds_tiny_org(engine) -> None:
    """Every stored row, typed by the models, equals the tiny organisation's, to the last digit."""
    with engine.connect() as connection:
        for name, expected in tiny_tables().items():
            stored = pl.read_database(select(Base.metadata.tables[name]), connection, schema_overrides=expected.schema)
            key = FORMATS[name].key
            assert_frame_equal(stored.sort(key), expected.sort(key), check_exact=True)


# --- the format and its documentation -------------------------------------------------------------------


class TestFormat:
    def test_every_table_the_dashboard_reads_has_a_format_in_writing_order(self):
        assert tuple(FORMATS) == SNAPSHOT_TABLES
        written: set[str] = set()
        for table in FORMATS.values():
            assert all(c.references in written | {table.name} for c in table.references), table.name
            written.add(table.name)

    def test_the_format_follows_the_schema(self):
        goal = FORMATS["goal"]
        assert goal.column("title").required and goal.column("title").max_length == 300
        assert not goal.column("kind").required and goal.column("kind").default == "business"
        assert goal.column("parent_id").references == "goal" and goal.chain == "parent_id"
        assert FORMATS["employee_sensitive"].key == "employee_id"
        assert FORMATS["key_result"].column("direction").default is None  # worked out from start and target
        assert ("cycle_id", "employee_id") in FORMATS["rating"].unique
        assert FORMATS["checkin"].column("kind").choices == ("1:1", "goal review", "development")

    def test_the_import_format_page_describes_every_column_and_is_current(self):
        page = (ROOT / "docs" / "import-format.md").read_text(encoding="utf-8")
        assert page == format_page(), "docs/import-format.md is stale: run `python -m data.examples`"
        for table in FORMATS.values():
            assert f"### `{table.name}`" in page
            for column in table.columns:
                assert column.help and f"| `{column.name}` |" in page

    def test_the_example_files_are_current(self, tmp_path):
        write_examples(tmp_path)
        for made in (tmp_path / "examples").rglob("*.*"):
            shipped = EXAMPLES / made.relative_to(tmp_path / "examples")
            assert shipped.read_bytes() == made.read_bytes(), f"{shipped} is stale: run `python -m data.examples`"

    @pytest.mark.parametrize("kind", ["csv", "parquet", "ladder-example.xlsx"])
    def test_each_example_set_is_valid(self, kind):
        report = validate(sources_from_paths([EXAMPLES / kind]))
        assert report.ok, report.problems
        assert report.rows() == {name: frame.height for name, frame in tiny_tables().items()}


# --- the report on bad files ----------------------------------------------------------------------------


class TestReport:
    """Each kind of problem is found, placed (file, spreadsheet row, column) and said in words."""

    def test_cells_of_the_wrong_type(self):
        employees = example_csv("employee").replace(
            "4,Bob,bob@acme.example,3,4,1,3,", "4,Bob,bob@acme.example,3,4,1,senior,"
        )
        employees = employees.replace(
            "7,Max,max@acme.example,6,5,2,2,Engineering,2020-01-01",
            "7,Max,max@acme.example,6,5,2,2,Engineering,2020-02-30",
        )
        employees = employees.replace("remote,true\n5", "remote,maybe\n5")  # fmt: skip
        key_results = example_csv("key_result").replace("KR 102,0.0,10.0,9.0", "KR 102,0.0,ten,9.0")
        sources = example_sources(employee=employees, key_result=key_results)
        assert problems_at(sources, "employee.csv", 5, "level") == ["'senior' is not a whole number."]
        assert "not a date" in problems_at(sources, "employee.csv", 8, "hire_date")[0]
        assert "'maybe' is not true or false" in problems_at(sources, "employee.csv", 5, "active")[0]
        assert problems_at(sources, "key_result.csv", 4, "target_value") == ["'ten' is not a number."]

    def test_required_columns_and_values_and_unknown_columns(self):
        regions = "id,code,colour\n1,N,blue\n2,,green\n"
        sources = only(region__csv=regions)
        assert "'name' is missing" in problems_at(sources, "region.csv", 1, "name")[0]
        assert "does not know the column 'colour'" in problems_at(sources, "region.csv", 1, "colour")[0]
        assert "The code is empty; every region needs one." in problems_at(sources, "region.csv", 3, "code")

    def test_unknown_tables_and_file_kinds(self):
        sources = only(goals__csv="id\n1\n", notes__txt="hello")
        assert "no table called 'goals'" in problems_at(sources, "goals.csv", None, "")[0]
        assert "reads .csv, .xlsx and .parquet" in problems_at(sources, "notes.txt", None, "")[0]

    def test_duplicate_ids_and_values_that_must_be_unique(self):
        people = example_csv("employee") + "4,Bobby,cat@acme.example,3,4,1,3,Engineering,2020-01-01,office,true\n"
        assert "already on row 5" in problems_at(only(employee__csv=people), "employee.csv", 10, "id")[0]
        assert (
            "cat@acme.example is already used on row 6"
            in problems_at(only(employee__csv=people), "employee.csv", 10, "email")[0]
        )

    def test_references_to_rows_that_do_not_exist(self):
        goals = example_csv("goal").replace("30,20,Bob: API docs", "30,99,Bob: API docs")
        sources = example_sources(goal=goals)
        (message,) = problems_at(sources, "goal.csv", 8, "parent_id")
        assert message == "There is no goal 99: it is neither in this file nor in the database."
        key_results = example_sources(goal=None)
        assert "There is no goal 20: it is neither in the goal file nor in the database." in problems_at(
            key_results, "key_result.csv", 2, "goal_id"
        )

    def test_a_manager_chain_that_loops(self):
        # Dana (2) reports to the CEO (1); make the CEO report to Bob (4), who reports to Ann (3), who reports to Dana.
        people = example_csv("employee").replace("1,Ceo,ceo@acme.example,,", "1,Ceo,ceo@acme.example,4,")
        (message,) = problems_at(example_sources(employee=people), "employee.csv", 2, "manager_id")
        assert message == (
            "This person reports, through their chain of managers, to themselves: 1 → 4 → 3 → 2 → 1. Break the loop."
        )

    def test_goal_chains_that_loop_through_parents_or_links(self):
        goals = example_csv("goal").replace("10,1,Ship platform", "10,30,Ship platform")
        (message,) = problems_at(example_sources(goal=goals), "goal.csv", 4, "parent_id")
        assert message.endswith("to itself: 10 → 30 → 20 → 10. Break the loop.")
        links = example_csv("goal_link").replace("1,31,20,supports", "1,10,30,supports")
        (message,) = problems_at(example_sources(goal_link=links), "goal_link.csv", 2, "target_goal_id")
        assert message == "This link makes goal 10 ladder up to itself: 10 → 30 → 20 → 10. Break the loop."

    def test_dates_outside_their_period_or_in_the_future(self):
        updates = example_csv("progress_update").replace("1,100,2026-10-10", "1,100,2026-06-10")
        updates = updates.replace("13,100,2026-11-20", "13,100,2099-12-01")
        sources = example_sources(progress_update=updates)
        assert problems_at(sources, "progress_update.csv", 2, "at") == [
            "The date 2026-06-10 is outside the goal's period 2026-Q4 (2026-10-01 to 2026-12-31)."
        ]
        assert "The date 2099-12-01 is in the future." in problems_at(sources, "progress_update.csv", 14, "at")

    def test_checkins_before_the_person_joined_or_with_themselves(self):
        checkins = example_csv("checkin").replace("1,4,3,2026-11-01", "1,4,3,2019-05-01")
        checkins = checkins.replace("5,7,6,2026-10-17", "5,7,7,2026-10-17")
        sources = example_sources(checkin=checkins)
        assert problems_at(sources, "checkin.csv", 2, "held_at") == [
            "The check-in on 2019-05-01 is before Bob joined (2020-01-01)."
        ]
        assert "cannot hold a check-in with themselves" in problems_at(sources, "checkin.csv", 6, "manager_id")[0]

    def test_ratings_outside_the_cycle_scale(self):
        ratings = example_csv("rating").replace("2,1,4,3,4,3,2", "2,1,4,3,7,3,2")
        guideline = example_csv("rating_guideline").replace("5,1,5,0.1", "5,1,6,1.5")
        sources = example_sources(rating=ratings, rating_guideline=guideline)
        assert problems_at(sources, "rating.csv", 3, "pre_calibration") == [
            "The rating before calibration (7) is outside the scale of '2026 mid-year', which runs from 1 to 5."
        ]
        assert "outside the scale" in problems_at(sources, "rating_guideline.csv", 6, "rating")[0]
        assert "The share 1.5 is outside 0 to 1" in problems_at(sources, "rating_guideline.csv", 6, "target_share")[0]

    def test_key_results_whose_target_equals_the_start_or_contradicts_the_direction(self):
        key_results = example_csv("key_result").replace("102,21,KR 102,0.0,10.0", "102,21,KR 102,10.0,10.0")
        key_results = key_results.replace("10.0,0.0,8.0,decrease", "10.0,0.0,8.0,increase")
        sources = example_sources(key_result=key_results)
        assert problems_at(sources, "key_result.csv", 4, "target_value") == [
            "The target equals the start (10.0), so progress cannot be measured; change one of them."
        ]
        assert (
            "direction is 'increase' but the target (0.0) is below"
            in problems_at(sources, "key_result.csv", 3, "direction")[0]
        )

    def test_an_empty_direction_follows_from_start_and_target(self):
        key_results = example_csv("key_result").replace(",decrease,", ",,").replace(",increase,", ",,")
        report = validate(example_sources(key_result=key_results))
        assert report.ok, report.problems
        directions = report.tables["key_result"].frame.sort("id")["direction"].to_list()
        assert directions == tiny_tables()["key_result"].sort("id")["direction"].to_list()

    def test_files_that_are_not_utf8_or_are_cut_short(self):
        latin = "id,code,name\n1,N,Nörth\n2,S,South\n".encode("latin-1")
        assert "not UTF-8 text: byte 0xF6 on line 2" in problems_at(only(region__csv=latin), "region.csv", 2, "")[0]
        utf16 = "id,code,name\n1,N,North\n".encode("utf-16")
        assert "UTF-16" in problems_at(only(region__csv=utf16), "region.csv", None, "")[0]
        cut = "id,code,name\n1,N,North\n2,S"
        assert (
            "has 2 values but the header names 3 columns" in problems_at(only(region__csv=cut), "region.csv", 3, "")[0]
        )
        long = "id,code,name\n1,N,North,extra\n"
        assert "4 values but the header names only 3" in problems_at(only(region__csv=long), "region.csv", 2, "")[0]
        quote = 'id,code,name\n1,N,"North\n'
        assert "stray quote mark" in problems_at(only(region__csv=quote), "region.csv", 2, "")[0]

    def test_text_that_a_spreadsheet_would_run_as_a_formula(self):
        people = example_csv("employee").replace("4,Bob,", "4,\"=cmd|' /C calc'!A0\",")
        (message,) = problems_at(example_sources(employee=people), "employee.csv", 5, "name")
        assert message.startswith("This text starts with '=', which spreadsheet programs run as a formula.")

    def test_huge_values(self):
        regions = "id,code,name\n" + "9" * 201 + ",N,North\n2,S," + "x" * 101 + "\n3,E,East\n"
        sources = only(region__csv=regions, period__csv="id,name,kind,year,start_date,end_date\n1,Y,year,1e400,"
                       "2026-01-01,9999-12-31\n")  # fmt: skip
        assert "This id has 201 characters; at most 200 fit." in problems_at(sources, "region.csv", 2, "id")
        assert "This text has 101 characters; at most 100 fit." in problems_at(sources, "region.csv", 3, "name")
        assert "too large" in problems_at(sources, "period.csv", 2, "year")[0]
        assert "outside the years 1900 to 2100" in problems_at(sources, "period.csv", 2, "end_date")[0]

    def test_a_table_given_twice(self):
        regions = example_csv("region")
        sources = only(region__csv=regions, **{"region__parquet": _parquet(pl.read_csv(io.StringIO(regions)))})
        report = validate(sources)
        assert report.problems.filter(pl.col("problem").str.contains("also comes from")).height == 1

    def test_workbook_rows_are_numbered_as_the_spreadsheet_shows_them(self, tmp_path):
        tables = tiny_tables()
        tables["goal"] = tables["goal"].with_columns(
            pl.when(pl.col("id") == 21).then(pl.lit("Goal")).otherwise(pl.col("level")).alias("level")
        )
        path = write_workbook({"region": tables["region"], "goal": tables["goal"], "Notes": tables["region"]},
                              tmp_path / "book.xlsx")  # fmt: skip
        sources = [Source("book.xlsx", path.read_bytes())]
        assert "'Goal' is not allowed here; use one of: company, department, team, individual." in problems_at(
            sources, "book.xlsx › goal", 6, "level"
        )
        assert "no table called 'Notes'" in problems_at(sources, "book.xlsx › Notes", None, "")[0]

    def test_a_damaged_workbook_or_parquet_file(self):
        sources = only(book__xlsx=b"PK\x03\x04 not really a zip", region__parquet=b"PAR1 nothing")
        assert "not a readable Excel workbook" in problems_at(sources, "book.xlsx", None, "")[0]
        assert "not a readable Parquet file" in problems_at(sources, "region.parquet", None, "")[0]

    def test_no_files(self):
        assert validate([]).problems["problem"].to_list() == ["No files were given."]


def _parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


# --- writing: round trips, updates, all or nothing --------------------------------------------------------


class TestRoundTrip:
    @pytest.mark.parametrize("kind", ["csv", "parquet", "ladder-example.xlsx"])
    def test_the_example_files_import_into_an_empty_database_exactly(self, engine, kind):
        result = import_files(engine, sources_from_paths([EXAMPLES / kind]))
        assert result.ok and result.written
        assert result.new_rows == {name: frame.height for name, frame in tiny_tables().items()}
        assert_database_holds_tiny_org(engine)

    def test_importing_the_same_files_again_changes_nothing(self, engine):
        sources = example_sources()
        import_files(engine, sources)
        before = stored_rows(engine)
        files_before = _sqlite_files(engine)
        again = import_files(engine, sources)
        assert again.written and sum(again.new_rows.values()) == 0
        assert again.known_rows == {name: frame.height for name, frame in tiny_tables().items()}
        assert stored_rows(engine) == before
        # On SQLite not a byte moves: rows whose values are the same are not even rewritten.
        assert _sqlite_files(engine) == files_before

    def test_rows_are_updated_by_their_id(self, engine):
        import_files(engine, example_sources())
        goals = example_csv("goal").replace("Launch API", "Launch the public API")
        key_results = example_csv("key_result").replace("KR 100,0.0,100.0,50.0", "KR 100,0.0,100.0,75.0")
        result = import_files(engine, only(goal__csv=goals, key_result__csv=key_results))
        assert result.written and result.new_rows == {"goal": 0, "key_result": 0}
        snapshot = load_snapshot(engine)
        assert snapshot.goal.height == 11
        assert snapshot.goal.filter(pl.col("id") == 20)["title"].item() == "Launch the public API"
        assert snapshot.key_result.filter(pl.col("id") == 100)["current_value"].item() == 75.0

    def test_files_may_refer_to_rows_the_database_already_holds(self, engine):
        import_files(engine, example_sources())
        updates = "id,key_result_id,at,value\n100,102,2026-11-18,10\n101,999,2026-11-18,1\n"
        result = import_files(engine, only(progress_update__csv=updates))
        missing = "There is no key result 999: it is neither in the key result file nor in the database."
        assert result.report.problems.select("row", "column", "problem").rows() == [(3, "key_result_id", missing)]
        result = import_files(
            engine, only(progress_update__csv=updates.splitlines(keepends=True)[0] + updates.splitlines()[1])
        )
        assert result.written and result.new_rows == {"progress_update": 1}  # fmt: skip
        assert load_snapshot(engine).progress_update.height == 14

    def test_the_dashboard_reads_an_import_at_once(self, engine):
        """The snapshot reader, already used in this process, sees the imported rows on its next read."""
        import_files(engine, example_sources())
        assert load_snapshot(engine).region.height == 2
        result = import_files(engine, only(region__csv="id,code,name\n3,E,East\n"))
        assert result.written
        assert load_snapshot(engine).region.sort("id")["name"].to_list() == ["North", "South", "East"]

    def test_a_loop_through_rows_already_in_the_database_is_refused(self, engine):
        import_files(engine, example_sources())
        # Ann (3) reports to Dana (2) in the database; Dana now reporting to Bob (4), who reports to Ann, closes a loop.
        people = "id,name,email,manager_id,org_unit_id,region_id,level,job_family,hire_date,work_mode\n" \
                 "2,Dana,dana@acme.example,4,3,1,7,Engineering,2020-01-01,office\n"  # fmt: skip
        result = import_files(engine, only(employee__csv=people))
        assert not result.written
        assert result.report.problems["problem"].to_list() == [
            "This person reports, through their chain of managers, to themselves: 2 → 4 → 3 → 2. Break the loop."
        ]

    def test_a_value_already_used_by_another_row_in_the_database(self, engine):
        import_files(engine, example_sources())
        people = "id,name,email,org_unit_id,region_id,level,job_family,hire_date,work_mode\n" \
                 "9,Zoe,ann@acme.example,4,1,2,Engineering,2024-01-01,office\n"  # fmt: skip
        result = import_files(engine, only(employee__csv=people))
        assert result.report.problems["problem"].to_list() == [
            "The email ann@acme.example is already used by employee 3 in the database."
        ]


def _sqlite_files(engine) -> dict[str, str] | None:
    """sha256 of the SQLite file and its write-ahead log (None on PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        return None
    path = Path(engine.url.database)
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (path, path.with_name(path.name + "-wal"))
        if p.exists()
    }


class TestAllOrNothing:
    def test_one_bad_row_anywhere_writes_nothing(self, engine):
        import_files(engine, example_sources())
        before = stored_rows(engine)
        goals = example_csv("goal").replace("Launch API", "Launch the public API")
        bad_ratings = example_csv("rating").replace("5,1,7,6,3,3,2", "5,1,7,6,3,9,2")
        result = import_files(engine, example_sources(goal=goals, rating=bad_ratings))
        assert not result.ok and not result.written
        assert result.report.problems.select("file", "row", "column").rows() == [("rating.csv", 6, "post_calibration")]
        assert stored_rows(engine) == before

    def test_a_failure_while_writing_rolls_back_every_table(self, engine):
        """Validation is bypassed here: a reference the database refuses, in the last table, undoes the first."""
        report = validate(example_sources())
        tables = dict(report.tables)
        broken = tables["viewer"].frame.with_columns(pl.lit(999, pl.Int64).alias("employee_id"))
        tables["viewer"] = Incoming("viewer", "viewer.csv", broken, tables["viewer"].given)
        with pytest.raises(Exception):  # noqa: B017 - each driver names the broken reference its own way
            write(engine, tables)
        assert all(rows == [] for rows in stored_rows(engine).values())

    def test_a_database_that_is_not_ladders_is_left_alone(self, tmp_path):
        engine = make_engine(f"sqlite:///{tmp_path}/other.db")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE something_else (id INTEGER)"))
        with pytest.raises(DatabaseError, match="not a Ladder goals database"):
            import_files(engine, example_sources())
        engine.dispose()


class TestCommandLine:
    def test_dry_run_reports_and_writes_nothing(self, database_url, capsys):
        assert main([str(EXAMPLES / "csv"), "--url", database_url, "--dry-run", "--quiet"]) == 0
        out = capsys.readouterr().out
        assert "goal" in out and "11 rows" in out and "Dry run: nothing was written" in out
        assert main([str(EXAMPLES / "csv"), "--url", database_url, "--quiet"]) == 0
        engine = make_engine(database_url)
        try:
            assert_database_holds_tiny_org(engine)
        finally:
            engine.dispose()

    def test_problems_are_listed_with_file_row_and_column(self, database_url, tmp_path, capsys):
        bad = tmp_path / "region.csv"
        bad.write_text("id,code,name\n1,N,North\n=x,S,South\n")
        report = tmp_path / "problems.csv"
        assert main([str(bad), "--url", database_url, "--quiet", "--report", str(report)]) == 1
        err = capsys.readouterr().err
        assert "1 problem(s) found; nothing was written" in err
        message = "The id '=x' starts with a character spreadsheet programs run as a formula; change the id."
        assert f"region.csv, row 3, column id: {message}" in err
        assert pl.read_csv(report).rows() == [("region.csv", 3, "id", message)]

    def test_a_missing_file_is_named(self, tmp_path, capsys):
        with pytest.raises(SystemExit) as exit_:
            main([str(tmp_path / "nothing.csv"), "--url", f"sqlite:///{tmp_path}/x.db"])
        assert exit_.value.code == 2
        assert "nothing.csv" in capsys.readouterr().err
