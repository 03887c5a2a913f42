"""Uploads cannot exhaust memory: files over the limits are refused before anything in them is parsed.

The measure: a Parquet file of 10,000,000 progress updates whose values repeat compresses to a few dozen KiB
and unpacks to about 267 MiB in memory. The Data screen's check must refuse it in under a second, and the
process running the check must grow by far less than the file unpacks to: under 64 MiB (measured as the peak
resident size of a fresh process with Arrow loaded, before and after the check, so that the test process's
own history cannot hide a growth; about 12 MiB and 10 ms on the 2-core build machine, polars' first use).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tomllib
import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import data.load
from data.import_limits import CLI_LIMITS, MIB, SCREEN_LIMITS, ImportLimits
from data.load import main
from data.validate import Source, validate

ROOT = Path(__file__).resolve().parent.parent
BOMB_ROWS = 10_000_000

MEASURE = """
import json, resource, sys, time
import pyarrow.parquet  # loaded in a running server already (the stored snapshot is Arrow); not the check's cost
from data.validate import Source, validate
content = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
report = validate([Source("progress_update.parquet", content)])
seconds = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "grown_kib": after - before, "problems": report.problems["problem"].to_list()}))
"""


@pytest.fixture(scope="module")
def parquet_bomb(tmp_path_factory) -> Path:
    """10M progress updates of one repeated row, in one row group: about 30 KiB on disk, 267 MiB unpacked."""
    n = BOMB_ROWS
    frame = pl.DataFrame(
        {
            "id": pl.repeat(1, n, eager=True),
            "key_result_id": pl.repeat(1, n, eager=True),
            "at": pl.repeat(date(2026, 1, 1), n, eager=True),
            "value": pl.repeat(0.0, n, eager=True),
            "confidence": pl.repeat(0.5, n, eager=True),
        }
    )
    path = tmp_path_factory.mktemp("bomb") / "progress_update.parquet"
    frame.write_parquet(path, compression="zstd", row_group_size=n, statistics=False)
    return path


class TestParquet:
    def test_ten_million_rows_in_a_small_file_are_refused_in_under_a_second_without_unpacking(self, parquet_bomb):
        assert parquet_bomb.stat().st_size < 100 * 1024
        run = subprocess.run(
            [sys.executable, "-c", MEASURE, str(parquet_bomb)], cwd=ROOT, capture_output=True, text=True, check=True
        )
        measured = json.loads(run.stdout)
        assert measured["problems"] == [
            "This file holds 10,000,000 rows; the Data screen takes at most 2,000,000 per file. "
            "Load it with `python -m data.load`, which takes more, or split it."
        ]
        assert measured["seconds"] < 1.0
        assert measured["grown_kib"] < 64 * 1024, f"the check grew the process by {measured['grown_kib']:,} KiB"

    def test_rows_within_the_limit_but_too_large_unpacked_are_refused(self):
        wide = pl.DataFrame({"id": [1, 2], "code": ["N", "S"], "name": ["x" * 2000, "y" * 2000]})
        content = io.BytesIO()
        wide.write_parquet(content)
        small = ImportLimits("the Data screen", csv_rows=10, parquet_rows=10, parquet_bytes=1000, xlsx_bytes=10**9)
        report = validate([Source("region.parquet", content.getvalue())], limits=small)
        (problem,) = report.problems["problem"].to_list()
        assert problem.startswith("This file unpacks to 0 MiB; the Data screen takes at most 0 MiB per file.")


class TestWorkbook:
    def test_a_zip_bomb_is_refused_before_it_is_opened(self, tmp_path):
        """A sheet of 300 MiB of zeros deflates to about 300 KiB; the screen takes 256 MiB unpacked."""
        content = io.BytesIO()
        with zipfile.ZipFile(content, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
                for _ in range(300):
                    part.write(bytes(MIB))
        assert len(content.getvalue()) < 2 * MIB
        report = validate([Source("ladder.xlsx", content.getvalue())])
        assert report.problems["problem"].to_list() == [
            "This workbook unpacks to 300 MiB; the Data screen takes at most 256 MiB per workbook. "
            "Load it with `python -m data.load`, which takes more, or split it."
        ]


class TestCsv:
    def test_the_screen_counts_rows_before_parsing(self):
        limits = ImportLimits("the Data screen", csv_rows=2, parquet_rows=10, parquet_bytes=10**9, xlsx_bytes=10**9)
        three = b"id,code,name\n1,A,a\n2,B,b\n3,C,c\n"
        assert validate([Source("region.csv", three[:-7])], limits=limits).ok
        (problem,) = validate([Source("region.csv", three)], limits=limits).problems["problem"].to_list()
        assert problem.startswith("This file has about 3 rows; the Data screen takes at most 2 per file.")

    def test_the_command_line_has_its_own_larger_limits(self, tmp_path, monkeypatch, capsys):
        assert CLI_LIMITS.csv_rows > SCREEN_LIMITS.csv_rows and CLI_LIMITS.parquet_rows > SCREEN_LIMITS.parquet_rows
        assert CLI_LIMITS.xlsx_bytes > SCREEN_LIMITS.xlsx_bytes
        tiny = ImportLimits("the command line", csv_rows=1, parquet_rows=1, parquet_bytes=1, xlsx_bytes=1)
        monkeypatch.setattr(data.load, "CLI_LIMITS", tiny)
        (tmp_path / "region.csv").write_text("id,code,name\n1,A,a\n2,B,b\n")
        assert main([str(tmp_path / "region.csv"), "--url", f"sqlite:///{tmp_path}/x.db", "--quiet"]) == 1
        assert "the command line takes at most 1 per file. Split it into several files." in capsys.readouterr().err


def test_the_upload_size_is_set_and_documented():
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    megabytes = settings["server"]["maxUploadSize"]
    assert megabytes == 200
    assert f"server.maxUploadSize = {megabytes}" in (ROOT / "docs" / "import-format.md").read_text()
