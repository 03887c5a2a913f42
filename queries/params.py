"""The one parser of URL parameters: every value in a link is checked here before anything else reads it.

Shared filters: `period` (a period name), `region` (region codes, comma separated), `team` (an org unit id),
`as_of` (YYYY-MM-DD). The Strategy map's own: `root` (a goal id) and `depth` (layers below the root).
Ids are ASCII digits of bounded length (`"²".isdigit()` is true, `int("²")` raises), codes and names must be
known to the viewer's scoped snapshot, dates must be ISO and inside the chosen period, lists are bounded.
Whatever is dropped gets a notice in words; nothing here raises on any input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from queries.access import visible_region_ids, visible_unit_ids
from queries.model import Snapshot
from queries.periods import current_period_id, period_row

MAX_VALUE_CHARS = 200  # longer values are dropped unread
MAX_ID_DIGITS = 18  # every id fits a signed 64-bit integer
MAX_REGION_CODES = 50  # more codes than any organisation has regions: the list is dropped
SHOWN_CHARS = 40  # how much of a dropped value a notice repeats
_ASCII_ID = re.compile(rf"[0-9]{{1,{MAX_ID_DIGITS}}}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


@dataclass(frozen=True)
class FilterLink:
    """The shared filters a link asks for, each None when absent or dropped, and a notice per dropped value."""

    period_id: int | None = None
    region_ids: tuple[int, ...] | None = None
    org_unit_id: int | None = None
    as_of: date | None = None
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class MapLink:
    """The Strategy map's own parameters: the root goal and the depth, each None when absent or dropped."""

    root: int | None = None
    depth: int | None = None
    notices: tuple[str, ...] = ()


def shown(value: str) -> str:
    """A dropped value as a notice may repeat it: printable, at most SHOWN_CHARS, with Markdown escaped."""
    printable = "".join(ch if ch.isprintable() else "\ufffd" for ch in value[:SHOWN_CHARS])
    cut = "…" if len(value) > SHOWN_CHARS else ""
    escaped = _MARKDOWN.sub(r"\\\1", printable)
    return f"“{escaped}{cut}”"


def ascii_id(value: str) -> int | None:
    """The id written in `value`: 1 to MAX_ID_DIGITS ASCII digits and nothing else, else None."""
    return int(value) if _ASCII_ID.fullmatch(value) else None


def iso_date(value: str) -> date | None:
    """The date written in `value` as YYYY-MM-DD (ASCII digits only), else None."""
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class _Reader:
    """Reads values out of a mapping of raw parameters, collecting a notice for each one dropped."""

    def __init__(self, params: Mapping[str, object]) -> None:
        self.params = params
        self.notices: list[str] = []

    def text(self, name: str) -> str | None:
        value = self.params.get(name)
        if isinstance(value, list | tuple):  # a repeated parameter: the last one counts, as in Streamlit
            value = value[-1] if value else None
        if value is None:
            return None
        if not isinstance(value, str):
            self.drop(f"The `{name}` value in the link is not text and was ignored.")
            return None
        if len(value) > MAX_VALUE_CHARS:
            self.drop(f"The `{name}` value in the link is too long ({len(value):,} characters) and was ignored.")
            return None
        return value

    def drop(self, notice: str) -> None:
        self.notices.append(notice)


def _period(reader: _Reader, snapshot: Snapshot) -> int | None:
    name = reader.text("period")
    if name is None:
        return None
    match = snapshot.period.filter(pl.col("name") == name)
    if match.is_empty():
        reader.drop(f"No period is called {shown(name)}; showing the current period instead.")
        return None
    return int(match["id"][0])


def _regions(reader: _Reader, snapshot: Snapshot) -> tuple[int, ...] | None:
    raw = reader.text("region")
    if raw is None:
        return None
    codes = [code.strip() for code in raw.split(",") if code.strip()]
    if len(codes) > MAX_REGION_CODES:
        reader.drop(f"The link names {len(codes):,} regions, more than {MAX_REGION_CODES}; showing all regions.")
        return None
    regions = snapshot.region.filter(pl.col("id").is_in(visible_region_ids(snapshot).implode()))
    known = dict(zip(regions["code"].to_list(), regions["id"].to_list(), strict=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        listed = ", ".join(shown(code) for code in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        reader.drop(f"Unknown region code(s) in the link were ignored: {listed}.")
    return tuple(dict.fromkeys(known[code] for code in codes if code in known))


def _team(reader: _Reader, snapshot: Snapshot) -> int | None:
    raw = reader.text("team")
    if raw is None:
        return None
    unit_id = ascii_id(raw)
    if unit_id is None or not visible_unit_ids(snapshot).is_in([unit_id]).any():
        reader.drop(f"No team has the id {shown(raw)} among the units you can see; showing every team instead.")
        return None
    return unit_id


def _as_of(reader: _Reader, snapshot: Snapshot, period_id: int | None) -> date | None:
    raw = reader.text("as_of")
    if raw is None:
        return None
    as_of = iso_date(raw)
    if as_of is None:
        reader.drop(f"{shown(raw)} is not a date (use YYYY-MM-DD); showing today instead.")
        return None
    if period_id is None:
        return None
    row = period_row(snapshot, period_id)
    if not row["start_date"] <= as_of <= row["end_date"]:
        reader.drop(
            f"{as_of.isoformat()} is outside {row['name']} ({row['start_date'].isoformat()} to "
            f"{row['end_date'].isoformat()}); showing the default date instead."
        )
        return None
    return as_of


def read_filter_link(params: Mapping[str, object], snapshot: Snapshot, today: date) -> FilterLink:
    """The shared filters named by a link, checked against the viewer's scoped snapshot; never raises."""
    reader = _Reader(params)
    period_id = _period(reader, snapshot)
    region_ids = _regions(reader, snapshot)
    org_unit_id = _team(reader, snapshot)
    as_of = _as_of(reader, snapshot, period_id if period_id is not None else current_period_id(snapshot, today))
    return FilterLink(period_id, region_ids, org_unit_id, as_of, tuple(reader.notices))


def read_map_link(params: Mapping[str, object], max_depth: int) -> MapLink:
    """The Strategy map's `root` (a goal id) and `depth` (1..max_depth) named by a link; never raises."""
    reader = _Reader(params)
    root = depth = None
    raw_root = reader.text("root")
    if raw_root is not None:
        root = ascii_id(raw_root)
        if root is None:
            reader.drop(f"{shown(raw_root)} is not a goal id; showing every objective.")
    raw_depth = reader.text("depth")
    if raw_depth is not None:
        depth = ascii_id(raw_depth)
        if depth is None or not 1 <= depth <= max_depth:
            reader.drop(
                f"The depth {shown(raw_depth)} is not a whole number from 1 to {max_depth}; showing the default."
            )
            depth = None
    return MapLink(root, depth, tuple(reader.notices))
