"""The one filter sidebar: period, regions, team (an org subtree) and as-of date, kept in the URL.

URL parameters: `period` (a period name such as 2026-Q4), `region` (region codes, comma separated),
`team` (an org unit id), `as_of` (YYYY-MM-DD). A copied URL reproduces the view. Values that do not
match anything are dropped with a notice; they never reach a query.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from queries.access import visible_region_ids, visible_unit_ids
from queries.model import Filters, Snapshot
from queries.periods import clamp_as_of, current_period_id, period_row
from queries.scope import org_closure

_PERIOD, _REGIONS, _AS_OF = "f_period", "f_regions", "f_as_of"
_LEVELS = (
    ("division", "f_division", "All divisions"),
    ("department", "f_department", "All departments"),
    ("team", "f_team", "All teams"),
)
_NOTICES = "_url_notices"
_READ_URL = "_url_read"
_MAX_PARAM = 200
FILTER_PARAMS = ("period", "region", "team", "as_of")


def _clear_notices() -> None:
    st.session_state.pop(_NOTICES, None)


def _period_changed() -> None:
    _clear_notices()
    st.session_state.pop(_AS_OF, None)


def _level_changed(level_index: int) -> None:
    _clear_notices()
    for _, key, _ in _LEVELS[level_index + 1 :]:
        st.session_state[key] = None


def _unit_path(snapshot: Snapshot, unit_id: int) -> dict[str, int]:
    """The division, department and team on the way down to a unit, by kind."""
    closure = org_closure(snapshot).filter(pl.col("unit_id") == unit_id)
    ancestors = closure.join(snapshot.org_unit, left_on="ancestor_id", right_on="id")
    return {row["kind"]: row["ancestor_id"] for row in ancestors.select("kind", "ancestor_id").to_dicts()}


def _read_url(snapshot: Snapshot, today: date) -> list[str]:
    """Seed the widgets from the URL once per session; return a notice for every value that was dropped."""
    params = st.query_params
    notices: list[str] = []

    def raw(name: str) -> str | None:
        value = params.get(name)
        if value is None:
            return None
        if len(value) > _MAX_PARAM:
            notices.append(f"The `{name}` value in the link is too long and was ignored.")
            return None
        return value

    period_name = raw("period")
    if period_name is not None:
        match = snapshot.period.filter(pl.col("name") == period_name)
        if match.height:
            st.session_state[_PERIOD] = int(match["id"][0])
        else:
            notices.append(f"No period is called “{period_name}”; showing the current period instead.")

    regions = raw("region")
    if regions is not None:
        codes = [c.strip() for c in regions.split(",") if c.strip()]
        regions_seen = _regions(snapshot)
        known = dict(zip(regions_seen["code"].to_list(), regions_seen["id"].to_list(), strict=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            notices.append(f"Unknown region code(s) in the link were ignored: {', '.join(unknown)}.")
        st.session_state[_REGIONS] = [known[c] for c in codes if c in known]

    team = raw("team")
    if team is not None:
        unit_id = int(team) if team.isdigit() else None
        if unit_id is None or not visible_unit_ids(snapshot).is_in([unit_id]).any():
            notices.append(f"No team has the id “{team}”; showing every team instead.")
        else:
            path = _unit_path(snapshot, unit_id)
            for kind, key, _ in _LEVELS:
                st.session_state[key] = path.get(kind)

    as_of = raw("as_of")
    if as_of is not None:
        try:
            st.session_state[_AS_OF] = date.fromisoformat(as_of)
        except ValueError:
            notices.append(f"“{as_of}” is not a date (use YYYY-MM-DD); showing today instead.")
    return notices


def _regions(snapshot: Snapshot) -> pl.DataFrame:
    """The regions the viewer's scope has people in: a filter never offers a choice that can only be empty."""
    return snapshot.region.filter(pl.col("id").is_in(visible_region_ids(snapshot).implode()))


def _children(snapshot: Snapshot, parent_id: int | None, kind: str) -> pl.DataFrame:
    """The units of a kind below a parent that hold people of the viewer's scope."""
    visible = visible_unit_ids(snapshot).implode()
    units = snapshot.org_unit.filter((pl.col("kind") == kind) & pl.col("id").is_in(visible))
    if parent_id is not None:
        units = units.filter(pl.col("parent_id") == parent_id)
    return units.sort("name")


def filter_sidebar(snapshot: Snapshot, today: date) -> tuple[Filters, list[str]]:
    """Draw the shared filters in the sidebar; return the Filters and any notices about the URL."""
    if not st.session_state.get(_READ_URL):
        st.session_state[_READ_URL] = True
        st.session_state[_NOTICES] = _read_url(snapshot, today)

    periods = snapshot.period.sort(["start_date", "kind"], descending=[True, False])
    period_ids = periods["id"].to_list()
    names = dict(zip(period_ids, periods["name"].to_list(), strict=True))
    if st.session_state.get(_PERIOD) not in names:
        st.session_state[_PERIOD] = current_period_id(snapshot, today)

    sidebar = st.sidebar
    sidebar.header("Filters")
    period_id = sidebar.selectbox(
        "Period", period_ids, key=_PERIOD, format_func=names.__getitem__, on_change=_period_changed
    )

    regions = _regions(snapshot)
    region_names = dict(zip(regions["id"].to_list(), regions["name"].to_list(), strict=True))
    st.session_state[_REGIONS] = [r for r in st.session_state.get(_REGIONS, []) if r in region_names]
    region_ids = sidebar.multiselect(
        "Regions",
        list(region_names),
        key=_REGIONS,
        format_func=region_names.__getitem__,
        placeholder="All regions",
        on_change=_clear_notices,
    )

    parent: int | None = None
    chosen: int | None = None
    for index, (kind, key, placeholder) in enumerate(_LEVELS):
        options = _children(snapshot, parent, kind)
        ids = options["id"].to_list()
        labels = dict(zip(ids, options["name"].to_list(), strict=True))
        if st.session_state.get(key) not in labels:
            st.session_state[key] = None
        picked = sidebar.selectbox(
            kind.capitalize(),
            ids,
            key=key,
            index=None,
            format_func=labels.__getitem__,
            placeholder=placeholder,
            on_change=_level_changed,
            args=(index,),
        )
        if picked is None:
            break
        chosen = parent = picked

    row = period_row(snapshot, period_id)
    default_as_of = clamp_as_of(snapshot, period_id, today)
    if st.session_state.get(_AS_OF) is None:
        st.session_state[_AS_OF] = default_as_of
    as_of = sidebar.date_input(
        "As of",
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
