"""How large an import file may be, checked before it is parsed, so that no upload can exhaust memory.

A Parquet file says in its footer how many rows it holds and how large they are uncompressed (a 60 KiB file
can hold 10 million rows); an XLSX workbook is a zip archive whose parts say how large they unpack (a zip
bomb unpacks a few KiB into gigabytes); a CSV file's rows are its line breaks. Each is read from the bytes as
they are, without unpacking anything. The Data screen takes less than the command line, which runs on the
server's own terms: both limits are documented in docs/import-format.md.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from data.import_report import Problems, Source

MIB = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    """The largest file one import takes, per kind of file; `where` names the path in messages."""

    where: str
    csv_rows: int
    parquet_rows: int
    parquet_bytes: int  # uncompressed
    xlsx_bytes: int  # uncompressed, all parts together


SCREEN_LIMITS = ImportLimits(
    "the Data screen", csv_rows=2_000_000, parquet_rows=2_000_000, parquet_bytes=512 * MIB, xlsx_bytes=256 * MIB
)
CLI_LIMITS = ImportLimits(
    "the command line",
    csv_rows=50_000_000,
    parquet_rows=50_000_000,
    parquet_bytes=16 * 1024 * MIB,
    xlsx_bytes=2 * 1024 * MIB,
)


def _size(count: int) -> str:
    return f"{count / MIB:,.0f} MiB"


def _larger_elsewhere(limits: ImportLimits) -> str:
    if limits == SCREEN_LIMITS:
        return " Load it with `python -m data.load`, which takes more, or split it."
    return " Split it into several files."


def _parquet_size(content: bytes) -> tuple[int, int] | None:
    """(rows, uncompressed bytes) from the footer alone, or None when there is no readable footer."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        metadata = pq.ParquetFile(pa.BufferReader(content)).metadata
    except Exception:  # noqa: BLE001 - the reader says in words what is wrong with the file
        return None
    groups = (metadata.row_group(i) for i in range(metadata.num_row_groups))
    return metadata.num_rows, sum(group.total_byte_size for group in groups)


def _xlsx_size(content: bytes) -> int | None:
    """The declared unpacked size of every part; reading a part never goes beyond its declared size."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def too_large(source: Source, kind: str, limits: ImportLimits, problems: Problems) -> bool:
    """Report a file over `limits` (and return True) before anything in it is parsed."""
    text = None
    if kind == "csv":
        rows = source.content.count(b"\n") - 1  # the header is not a row; a last line may lack its break
        if rows > limits.csv_rows:
            text = f"This file has about {rows:,} rows; {limits.where} takes at most {limits.csv_rows:,} per file."
    elif kind == "parquet":
        size = _parquet_size(source.content)
        if size is not None and size[0] > limits.parquet_rows:
            text = f"This file holds {size[0]:,} rows; {limits.where} takes at most {limits.parquet_rows:,} per file."
        elif size is not None and size[1] > limits.parquet_bytes:
            text = (
                f"This file unpacks to {_size(size[1])}; {limits.where} takes at most "
                f"{_size(limits.parquet_bytes)} per file."
            )
    elif kind == "xlsx":
        unpacked = _xlsx_size(source.content)
        if unpacked is not None and unpacked > limits.xlsx_bytes:
            text = (
                f"This workbook unpacks to {_size(unpacked)}; {limits.where} takes at most "
                f"{_size(limits.xlsx_bytes)} per workbook."
            )
    if text is None:
        return False
    problems.add(source.name, None, "", text + _larger_elsewhere(limits))
    return True
