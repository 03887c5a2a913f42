"""The one filter sidebar: period, regions, team (any unit of the org tree, with its subtree) and as-of date,
kept in the URL.

URL parameters: `period` (a period name such as 2026-Q4), `region` (region codes, comma separated),
`team` (an org unit id), `as_of` (YYYY-MM-DD). A copied URL reproduces the view. Every value is checked by
queries/params.py; values that do not match anything are dropped with a notice and never reach a query.
Whenever a session starts (a first visit, a server restart, a reconnect after the old session expired), the
URL is the source of truth: a filter it names replaces whatever the browser still remembers of that widget, and
a filter it does not name keeps the browser's value (a navigation click sends no query string) or its default.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from queries.access import visible_region_ids, visible_unit_paths
from queries.model import Filters, Snapshot
from queries.params import read_filter_link
from queries.periods import clamp_as_of, current_period_id, period_row

_PERIOD, _REGIONS, _TEAM, _AS_OF = "f_period", "f_regions", "f_team", "f_as_of"
_NOTICES = "_url_notices"
_READ_URL = "_url_read"
FILTER_PARAMS = ("period", "region", "team", "as_of")


def _clear_notices() -> None:
    st.session_state.pop(_NOTICES, None)


def _period_changed() -> None:
    _clear_notices()
    st.session_state.pop(_AS_OF, None)


def _read_url(snapshot: Snapshot, today: date) -> list[str]:
    """Set the filters the URL names, at the start of a session; return a notice for every value dropped.

    A value set here wins over whatever the browser still holds from an earlier session. A filter the URL does
    not name is left alone: its widget keeps the value the browser sends back after a server restart or an
    expired session (a click in the page navigation sends no query string), else takes its default.
    """
    link = read_filter_link({name: st.query_params.get(name) for name in FILTER_PARAMS}, snapshot, today)
    values = {_PERIOD: link.period_id, _REGIONS: link.region_ids, _TEAM: link.org_unit_id, _AS_OF: link.as_of}
    for key, value in values.items():
        if value is not None:
            st.session_state[key] = list(value) if key == _REGIONS else value
    return list(link.notices)


def _regions(snapshot: Snapshot) -> pl.DataFrame:
    """The regions the viewer's scope has people in: a filter never offers a choice that can only be empty."""
    return snapshot.region.filter(pl.col("id").is_in(visible_region_ids(snapshot).implode()))


def _unit_labels(snapshot: Snapshot) -> dict[int, str]:
    """Every unit the viewer may see, in tree order, labelled by name and path; memoised per (viewer's) snapshot,
    since the picker draws all of them on every run."""

    def compute() -> dict[int, str]:
        units = visible_unit_paths(snapshot)
        # The unit's own name leads, so that a narrow sidebar cuts the path above it, never the name itself.
        labels = units.select(
            pl.when(pl.col("above") == "").then(pl.col("name")).otherwise(pl.format("{} ({})", "name", "above"))
        ).to_series()
        return dict(zip(units["id"].to_list(), labels.to_list(), strict=True))

    return snapshot.derived("visible_unit_labels", compute)


def _team_picker(snapshot: Snapshot) -> int | None:
    """One searchable list of every unit the viewer may see, by name and path; None is the whole scope."""
    paths = _unit_labels(snapshot)
    if st.session_state.get(_TEAM) is not None and st.session_state[_TEAM] not in paths:
        st.session_state[_TEAM] = None
    return st.sidebar.selectbox(
        "Team",
        list(paths),
        key=_TEAM,
        index=None,
        format_func=paths.__getitem__,
        placeholder="All teams",
        on_change=_clear_notices,
        help="Any unit of the organisation, with everything below it, shown with the path above it. Type "
        "part of a name or of the path to search.",
    )


def _period_names(snapshot: Snapshot) -> dict[int, str]:
    """Period names by id, the latest first and a year before its quarters."""
    periods = snapshot.period.sort(["start_date", "kind"], descending=[True, False])
    return dict(zip(periods["id"].to_list(), periods["name"].to_list(), strict=True))


def _period_picker(snapshot: Snapshot, today: date, names: dict[int, str]) -> int:
    """The period select; its default is the current quarter."""
    # In a new session a value the browser sent back is not readable before its widget exists: a key that reads
    # as None is given the default as the widget's own default, which the browser's value overrides.
    if st.session_state.get(_PERIOD) is not None and st.session_state[_PERIOD] not in names:
        st.session_state[_PERIOD] = current_period_id(snapshot, today)
    period_ids = list(names)
    default_period = 0 if _PERIOD in st.session_state else period_ids.index(current_period_id(snapshot, today))
    return st.sidebar.selectbox(
        "Period",
        period_ids,
        key=_PERIOD,
        index=default_period,
        format_func=names.__getitem__,
        on_change=_period_changed,
    )


def filter_sidebar(snapshot: Snapshot, today: date) -> tuple[Filters, list[str]]:
    """Draw the shared filters in the sidebar; return the Filters and any notices about the URL."""
    if not st.session_state.get(_READ_URL):
        st.session_state[_READ_URL] = True
        st.session_state[_NOTICES] = _read_url(snapshot, today)

    sidebar = st.sidebar
    sidebar.header("Filters")
    names = _period_names(snapshot)
    period_id = _period_picker(snapshot, today, names)

    regions = _regions(snapshot)
    region_names = dict(zip(regions["id"].to_list(), regions["name"].to_list(), strict=True))
    held_regions = st.session_state.get(_REGIONS)
    if held_regions is not None and not set(held_regions) <= set(region_names):
        st.session_state[_REGIONS] = [r for r in held_regions if r in region_names]
    region_ids = sidebar.multiselect(
        "Regions",
        list(region_names),
        key=_REGIONS,
        format_func=region_names.__getitem__,
        placeholder="All regions",
        on_change=_clear_notices,
    )

    chosen = _team_picker(snapshot)

    row = period_row(snapshot, period_id)
    default_as_of = clamp_as_of(snapshot, period_id, today)
    held = st.session_state.get(_AS_OF)
    if held is not None and (not isinstance(held, date) or not row["start_date"] <= held <= row["end_date"]):
        st.session_state[_AS_OF] = default_as_of
    as_of = sidebar.date_input(
        "As of",
        value=default_as_of,
        key=_AS_OF,
        min_value=row["start_date"],
        max_value=row["end_date"],
        on_change=_clear_notices,
        help="Progress is replayed from the update history as it stood on this date.",
    )
    as_of = min(max(as_of, row["start_date"]), row["end_date"])

    # Every region picked is the same scope as none picked ("All regions"), and is shown as such.
    if set(region_ids) == set(region_names):
        region_ids = []
    filters = Filters(period_id=period_id, as_of=as_of, region_ids=tuple(sorted(region_ids)), org_unit_id=chosen)
    _write_url(snapshot, filters, names[period_id], default_as_of)
    return filters, st.session_state.get(_NOTICES, [])


def _write_url(snapshot: Snapshot, filters: Filters, period_name: str, default_as_of: date) -> None:
    """Put the filters in the address bar, so the link reproduces the view."""
    codes = snapshot.region.filter(pl.col("id").is_in(list(filters.region_ids))).sort("code")["code"].to_list()
    wanted = {"period": period_name}
    if codes:
        wanted["region"] = ",".join(codes)
    if filters.org_unit_id is not None:
        wanted["team"] = str(filters.org_unit_id)
    if filters.as_of != default_as_of:
        wanted["as_of"] = filters.as_of.isoformat()
    for name in FILTER_PARAMS:
        if name in wanted and st.query_params.get(name) != wanted[name]:
            st.query_params[name] = wanted[name]
        elif name not in wanted and name in st.query_params:
            del st.query_params[name]
