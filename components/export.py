"""Downloads of what a screen shows: tables as CSV and Excel, charts as PNG, each built only when clicked.

A download holds exactly the frame or chart the page drew, so it carries the page's filters and the
viewer's scope with it. Text that a spreadsheet program would run as a formula (starting with =, +, -,
@, a tab or a line break) gets a leading apostrophe; numbers stay numbers.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import altair as alt
import polars as pl
import streamlit as st

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG_WIDTH = 800  # pixels (before scaling) for charts that take their width from the page
PNG_SCALE = 2


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells starting with =, +, -, @, tab or carriage return get a leading apostrophe; other columns stay."""
    replaced = []
    for name, dtype in frame.schema.items():
        if dtype.is_nested() or dtype == pl.Object:
            text = _as_text(pl.col(name), dtype)
        elif dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
            text = pl.col(name).cast(pl.String)
        else:
            continue
        risky = pl.any_horizontal(text.str.starts_with(start) for start in FORMULA_STARTS)
        replaced.append(pl.when(risky).then(pl.lit("'") + text).otherwise(text).alias(name))
    return frame.with_columns(replaced) if replaced else frame


def _as_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Lists as 'a, b, c'; anything else nested as its JSON text, since CSV cells hold text."""
    if isinstance(dtype, pl.List | pl.Array):
        return column.cast(pl.List(pl.String)).list.join(", ")
    if isinstance(dtype, pl.Struct):
        return column.struct.json_encode()
    return column.map_elements(str, return_dtype=pl.String)


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark, so that Excel reads accents and symbols right."""
    return neutralise(frame).write_csv(date_format="%Y-%m-%d", datetime_format="%Y-%m-%d %H:%M:%S").encode("utf-8-sig")


def xlsx_bytes(frame: pl.DataFrame, sheet: str = "Ladder") -> bytes:
    """One-sheet Excel workbook; text is always written as text, never as a formula or a link."""
    import xlsxwriter

    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, {"in_memory": True, **options}) as workbook:
        neutralise(frame).write_excel(
            workbook,
            worksheet=_sheet_name(sheet),
            autofit=True,
            dtype_formats={pl.Date: "yyyy-mm-dd", pl.Datetime: "yyyy-mm-dd hh:mm:ss"},
            float_precision=4,
        )
    return buffer.getvalue()


def png_bytes(chart: alt.TopLevelMixin, scale: float = PNG_SCALE) -> bytes:
    """The chart as a PNG, rendered offline by vl-convert in the Ladder theme."""
    import vl_convert

    spec = chart.to_dict()
    single_view = "mark" in spec or "layer" in spec
    if single_view and spec.get("width") in (None, "container"):
        spec["width"] = PNG_WIDTH
    if spec.get("height") == "container":
        spec["height"] = PNG_WIDTH // 2
    spec.setdefault("background", "white")
    return vl_convert.vegalite_to_png(spec, scale=scale)


def file_stem(name: str) -> str:
    """'Most behind pace' -> 'ladder-most-behind-pace'."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f"ladder-{slug or 'export'}"


def _sheet_name(name: str) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name."""
    return re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Ladder"


def _button(label: str, data: Callable[[], bytes], file_name: str, mime: str, key: str, icon: str, what: str) -> None:
    st.download_button(
        label,
        data=data,
        file_name=file_name,
        mime=mime,
        key=key,
        icon=icon,
        type="tertiary",
        on_click="ignore",
        help=f"Download {what}, with the filters and scope of this page.",
    )


def table_downloads(frame: pl.DataFrame, name: str, *, key: str | None = None) -> None:
    """'CSV' and 'Excel' buttons for a frame; each file is built only when its button is clicked."""
    stem = file_stem(name)
    key = key or stem
    with st.container(horizontal=True, gap="small"):
        _button("CSV", lambda: csv_bytes(frame), f"{stem}.csv", "text/csv", f"{key}-csv", ":material/download:",
                f"this table ({frame.height:,} rows) as CSV")  # fmt: skip
        _button("Excel", lambda: xlsx_bytes(frame, name), f"{stem}.xlsx", XLSX_MIME, f"{key}-xlsx",
                ":material/download:", f"this table ({frame.height:,} rows) as an Excel workbook")  # fmt: skip


def chart_download(chart: alt.TopLevelMixin, name: str, *, key: str | None = None) -> None:
    """A 'PNG' button under a chart; the image is rendered only when the button is clicked."""
    stem = file_stem(name)
    _button("PNG", lambda: png_bytes(chart), f"{stem}.png", "image/png", f"{key or stem}-png", ":material/image:",
            "this chart as a PNG image")  # fmt: skip
