"""Text ids from other systems: in every file and reference column, mapped to Ladder's own ids, stable on re-import.

The tiny organisation (tests/tiny_org.py) is written with every id as text, a prefix per table
(`E-3` for person 3, `okr_20` for goal 20, ...). Imported into an empty database, each table's text ids
take Ladder ids 1, 2, 3, ... in the order the file first names them, and the `external_id` table maps
them back: read through that mapping, the database must hold the text-id organisation exactly.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from data.db import make_engine, upgrade
from data.formats import FORMATS, FORMULA_STARTS, write_csv_files
from data.generate import generate
from data.load import import_files
from data.schema import Base
from data.validate import Source, validate
from tests.tiny_org import tiny_tables

PREFIX = {
    "region": "R-",
    "org_unit": "U-",
    "employee": "E-",
    "period": "P-",
    "goal": "okr_",
    "goal_link": "L-",
    "key_result": "kr_",
    "key_result_milestone": "M-",
    "progress_update": "pu_",
    "checkin": "C-",
    "review_cycle": "RC-",
    "rating": "rt_",
    "rating_guideline": "G-",
    "viewer": "V-",
}


def text_id_tables() -> dict[str, pl.DataFrame]:
    """The tiny organisation with every key and reference written as text: `E-3`, `okr_20`, ..."""
    tables = {}
    for name, frame in tiny_tables().items():
        ids = [c for c in FORMATS[name].columns if c.identifier]
        tables[name] = frame.with_columns(
            (pl.lit(PREFIX[c.id_table]) + pl.col(c.name).cast(pl.String)).alias(c.name) for c in ids
        )
    return tables


def sources_of(tables: dict[str, pl.DataFrame], folder) -> list[Source]:
    return [Source(path.name, path.read_bytes()) for path in write_csv_files(tables, folder)]


def stored_as_text(engine) -> dict[str, pl.DataFrame]:
    """Every stored table with each id column turned back into the text id the external_id table maps it to."""
    with engine.connect() as connection:
        mapping = pl.read_database(select(Base.metadata.tables["external_id"]), connection)
        tables = {}
        for name, expected in text_id_tables().items():
            stored = pl.read_database(select(Base.metadata.tables[name]), connection)
            for column in (c for c in FORMATS[name].columns if c.identifier):
                back = mapping.filter(pl.col("table_name") == column.id_table)
                stored = stored.with_columns(
                    pl.col(column.name).replace_strict(back["ladder_id"], back["external_id"], default=None)
                )
            tables[name] = stored.select(expected.columns).cast(expected.schema)
    return tables


def counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()
            for name in [*FORMATS, "external_id"]
        }


class TestTextIds:
    def test_an_organisation_with_text_ids_everywhere_is_stored_exactly(self, engine, tmp_path):
        result = import_files(engine, sources_of(text_id_tables(), tmp_path))
        assert result.written, result.report.problems
        for name, expected in text_id_tables().items():
            key = FORMATS[name].key
            assert stored_as_text(engine)[name].sort(key).equals(expected.sort(key)), name
        own = [n for n in FORMATS if FORMATS[n].column(FORMATS[n].key).references is None]
        assert counts(engine)["external_id"] == sum(tiny_tables()[n].height for n in own)

    def test_text_ids_take_ladder_ids_in_the_order_the_file_names_them(self, engine, tmp_path):
        """Regions R-1, R-2 are the first two rows: Ladder ids 1 and 2. Goals okr_1, okr_10, okr_20, ... in file
        order take 1, 2, 3, ...: so goal okr_20 (third row) is Ladder goal 3."""
        assert import_files(engine, sources_of(text_id_tables(), tmp_path)).written
        with engine.connect() as connection:
            mapped = dict(
                connection.execute(
                    text("SELECT external_id, ladder_id FROM external_id WHERE table_name = 'region'")
                ).all()
            )
            in_goal_order = "SELECT external_id FROM external_id WHERE table_name = 'goal' ORDER BY ladder_id"
            goals = [row[0] for row in connection.execute(text(in_goal_order))]
        assert mapped == {"R-1": 1, "R-2": 2}
        assert goals == ["okr_" + str(i) for i in tiny_tables()["goal"]["id"]]

    def test_importing_the_same_text_ids_again_updates_instead_of_duplicating(self, engine, tmp_path):
        sources = sources_of(text_id_tables(), tmp_path)
        assert import_files(engine, sources).written
        before = counts(engine)
        renamed = text_id_tables()
        renamed["goal"] = renamed["goal"].with_columns(pl.col("title") + " (renamed)")
        again = import_files(engine, sources_of(renamed, tmp_path / "again"))
        assert again.written, again.report.problems
        assert counts(engine) == before
        assert sum(again.new_rows.values()) == 0
        assert again.known_rows["goal"] == tiny_tables()["goal"].height
        assert stored_as_text(engine)["goal"].sort("id").equals(renamed["goal"].sort("id"))

    def test_a_new_text_id_takes_the_next_free_number_after_whole_number_rows(self, engine, tmp_path):
        """The tiny organisation imported with whole-number ids holds regions 1 and 2; a new region EU-9
        becomes region 3, and a second import of it keeps 3."""
        whole = [Source(p.name, p.read_bytes()) for p in write_csv_files(tiny_tables(), tmp_path / "whole")]
        assert import_files(engine, whole).written
        eu = [Source("region.csv", b"id,code,name\nEU-9,EU,Europe\n")]
        assert import_files(engine, eu).written
        assert import_files(engine, eu).new_rows["region"] == 0
        with engine.connect() as connection:
            regions = dict(connection.execute(text("SELECT code, id FROM region")).all())
        assert regions == {"N": 1, "S": 2, "EU": 3}

    def test_a_whole_number_that_a_text_id_holds_is_refused(self, engine, tmp_path):
        assert import_files(engine, [Source("region.csv", b"id,code,name\nEU-9,EU,Europe\n")]).written
        result = import_files(engine, [Source("region.csv", b"id,code,name\n1,N,North\n")])
        assert not result.written
        assert result.report.problems["problem"].to_list() == [
            "The id 1 is the number Ladder gave to the region 'EU-9' of an earlier import; use 'EU-9' or another id."
        ]


class TestTextIdProblems:
    def test_an_unknown_text_reference_is_named_as_the_file_wrote_it(self):
        tables = text_id_tables()
        goals = tables["goal"].with_columns(
            pl.when(pl.col("id") == "okr_20").then(pl.lit("okr_nope")).otherwise(pl.col("parent_id")).alias("parent_id")
        )
        report = validate([Source("goal.csv", goals.write_csv().encode())] + [
            Source(f"{n}.csv", tables[n].write_csv(date_format="%Y-%m-%d").encode())
            for n in ("region", "org_unit", "employee", "period")
        ])  # fmt: skip
        assert report.problems.select("file", "column", "problem").rows() == [
            ("goal.csv", "parent_id", "There is no goal 'okr_nope': it is neither in this file nor in the database.")
        ]

    def test_a_repeated_text_id_is_named_as_the_file_wrote_it(self):
        report = validate([Source("region.csv", b"id,code,name\nR-1,N,North\nR-1,S,South\n")])
        assert report.problems.select("row", "problem").rows() == [
            (3, "The region id R-1 is already on row 2 of this file; each region may appear once.")
        ]

    @pytest.mark.parametrize("given", ["=cmd|' /C calc'!A0", "@SUM(A1)", "+E-1"])
    def test_a_text_id_a_spreadsheet_would_run_is_refused(self, given):
        report = validate([Source("region.csv", f"id,code,name\n{given},N,North\n".encode())])
        (problem,) = report.problems["problem"].to_list()
        assert problem.endswith("starts with a character spreadsheet programs run as a formula; change the id.")

    def test_negative_and_large_numbers_are_ids_too(self):
        """-5 is a whole-number id as it always was; 99999999999 (beyond 32 bits) is kept as a text id."""
        report = validate([Source("region.csv", b"id,code,name\n-5,N,North\n99999999999,S,South\n")])
        assert report.ok, report.problems
        assert report.tables["region"].frame["id"].to_list() == [-5, 1]

    def test_the_demo_generator_forgets_the_text_ids_of_the_rows_it_replaces(self, engine, tmp_path):
        assert import_files(engine, sources_of(text_id_tables(), tmp_path)).written
        generate(engine, "tiny", 42, date(2026, 11, 25), progress=False)
        assert counts(engine)["external_id"] == 0

    def test_a_loop_among_text_ids_is_spelled_with_them(self):
        goals = (
            "id,parent_id,title,level,owner_employee_id,org_unit_id,period_id\n"
            "okr_a,okr_c,A,company,1,1,1\nokr_b,okr_a,B,department,1,1,1\nokr_c,okr_b,C,team,1,1,1\n"
        )
        report = validate([Source("goal.csv", goals.encode())])
        loops = report.problems.filter(pl.col("column") == "parent_id")["problem"].to_list()
        assert "This goal ladders up, through its parents and links, to itself: okr_a → okr_c → okr_b → okr_a. " \
               "Break the loop." in loops  # fmt: skip


ID_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), exclude_characters=",\"'"),
    min_size=1,
    max_size=20,
).filter(lambda t: not t.startswith(FORMULA_STARTS) and not t[-1].isdigit())


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(prefixes=st.fixed_dictionaries({name: ID_TEXT for name in PREFIX}))
def test_any_text_ids_round_trip_and_a_second_import_changes_nothing(tmp_path_factory, prefixes):
    """Whatever text a system uses for its ids (any letters, any script), the organisation comes back exactly
    through the external_id table, and importing the same files again adds nothing."""
    before = dict(PREFIX)
    PREFIX.update(prefixes)
    try:
        folder = tmp_path_factory.mktemp("ids")
        engine = make_engine(f"sqlite:///{folder}/ladder.db")
        upgrade(engine)
        assert import_files(engine, sources_of(text_id_tables(), folder)).written
        for name, expected in text_id_tables().items():
            key = FORMATS[name].key
            assert stored_as_text(engine)[name].sort(key).equals(expected.sort(key)), name
        again = import_files(engine, sources_of(text_id_tables(), folder / "again"))
        assert again.written and sum(again.new_rows.values()) == 0
        engine.dispose()
    finally:
        PREFIX.clear()
        PREFIX.update(before)
