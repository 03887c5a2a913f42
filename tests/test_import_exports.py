"""Files as real systems export them: semicolons and a UTF-8 BOM, day-first or month-first dates, 25% for a share.

Strict by default: each such file is refused with the option that would read it named in the report; with
the options, the tiny organisation (tests/tiny_org.py) written that way is stored exactly as from the plain
example files.
"""

from __future__ import annotations

import polars as pl
import pytest

from data.formats import FORMATS
from data.import_options import STRICT, ReadOptions
from data.load import import_files, main
from data.validate import Source, validate
from tests.test_import import assert_database_holds_tiny_org
from tests.tiny_org import tiny_tables

DAY_FIRST = ReadOptions(separator=";", date_order="DD/MM/YYYY", percent=True)


def exported(separator: str = ";", date_format: str = "%d/%m/%Y", percent: bool = True) -> dict[str, bytes]:
    """The tiny organisation as a European Excel saves it: BOM, semicolons, 31/12/2026, shares as 70%."""
    files = {}
    for name, frame in tiny_tables().items():
        if percent:
            shares = [c.name for c in FORMATS[name].columns if c.share]
            frame = frame.with_columns((pl.col(c) * 100).round(6).cast(pl.String) + "%" for c in shares)
        text = frame.write_csv(separator=separator, date_format=date_format)
        files[f"{name}.csv"] = "\ufeff".encode() + text.encode()
    return files


def sources(files: dict[str, bytes]) -> list[Source]:
    return [Source(name, content) for name, content in files.items()]


def problems(files: dict[str, bytes], options: ReadOptions = STRICT) -> list[str]:
    return validate(sources(files), options=options).problems["problem"].to_list()


class TestStrictByDefault:
    def test_semicolons_are_refused_with_the_separator_option_named(self):
        found = problems(exported())
        assert len(found) == len(tiny_tables())  # one per file, nothing else: the files are not read further
        assert set(found) == {
            "The header row has ';' between the column names, not ','. Read this file with the separator "
            "option ';' (--separator ';', or 'Semicolon (;)' on the Data screen)."
        }

    def test_day_first_dates_and_percentages_are_refused_with_their_options_named(self):
        found = problems(exported(), ReadOptions(separator=";"))
        day_first = "'17/10/2026' is not a date: write dates as YYYY-MM-DD, for example 2026-03-31, or read the files "
        assert (
            day_first + "with the date option DD/MM/YYYY (--dates DD/MM/YYYY, or 'DD/MM/YYYY' on the Data screen)."
            in found
        )
        assert "'70.0%' is a percentage: write it as a share (0.7), or read the files with the percent option " \
               "(--percent, or 'Read 25% as 0.25' on the Data screen)." in found  # fmt: skip

    def test_a_date_that_fits_either_order_names_both(self):
        csv = b"id,name,kind,year,start_date,end_date\n1,Y,year,2026,01/02/2026,03/04/2026\n"
        (first, second) = problems({"period.csv": csv})
        assert "DD/MM/YYYY" in first and "MM/DD/YYYY" in first and first.endswith("whichever your system writes.")

    def test_month_first_dates_are_refused_with_the_month_first_option_named(self):
        csv = b"id,name,kind,year,start_date,end_date\n1,Y,year,2026,01/01/2026,12/31/2026\n"
        found = problems({"period.csv": csv})
        assert any(p.startswith("'12/31/2026' is not a date") and "MM/DD/YYYY (--dates MM/DD/YYYY" in p for p in found)


class TestWithTheOptions:
    def test_a_european_export_is_stored_exactly_like_the_plain_files(self, engine):
        result = import_files(engine, sources(exported()), options=DAY_FIRST)
        assert result.written, result.report.problems
        assert_database_holds_tiny_org(engine)

    def test_month_first_dates_with_commas(self, engine):
        files = exported(separator=",", date_format="%m/%d/%Y", percent=False)
        result = import_files(engine, sources(files), options=ReadOptions(date_order="MM/DD/YYYY"))
        assert result.written, result.report.problems
        assert_database_holds_tiny_org(engine)

    def test_the_percent_option_only_touches_shares(self):
        """`level` is a whole number and `weight` a number, not shares: 50% stays wrong there."""
        goals = b"id,title,level,owner_employee_id,org_unit_id,period_id,weight\n1,G,company,1,1,1,50%\n"
        (problem,) = [p for p in problems({"goal.csv": goals}, ReadOptions(percent=True)) if "50%" in p]
        assert problem == "'50%' is not a number."

    def test_the_command_line_takes_the_options(self, database_url, tmp_path, capsys):
        for name, content in exported().items():
            (tmp_path / name).write_bytes(content)
        url = ["--url", database_url, "--quiet"]
        assert main([str(tmp_path), *url]) == 1
        assert "--separator ';'" in capsys.readouterr().err
        assert main([str(tmp_path), *url, "--separator", ";", "--dates", "DD/MM/YYYY", "--percent"]) == 0

    @pytest.mark.parametrize("wrong", [{"separator": "|"}, {"date_order": "YY/MM/DD"}])
    def test_an_unknown_option_is_refused(self, wrong):
        with pytest.raises(ValueError):
            ReadOptions(**wrong)
