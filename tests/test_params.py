"""The one URL parser (queries/params.py), on the tiny organisation: ids are ASCII digits of bounded length,
codes and names must be known to the viewer's scope, dates ISO and inside the chosen period, lists bounded;
whatever is dropped gets a notice, and no input at all makes it raise.

The tiny organisation has units 1 Acme > 2 Product > 3 Engineering > 4 Alpha, 5 Beta; regions N (1) and S (2);
periods 2025, 2026 and 2026-Q1..Q4 (20261..20264). Today 2026-11-15 lies in 2026-Q4 (1 Oct to 31 Dec).
"""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queries.access import scoped_snapshot
from queries.model import Viewer
from queries.params import (
    MAX_REGION_CODES,
    FilterLink,
    ascii_id,
    iso_date,
    read_filter_link,
    read_map_link,
    shown,
)
from tests.tiny_org import ALPHA, AS_OF, BETA, NORTH, Q4, SOUTH, tiny_snapshot

SNAPSHOT = tiny_snapshot()


def read(**params) -> FilterLink:
    return read_filter_link(params, SNAPSHOT, AS_OF)


class TestIds:
    @pytest.mark.parametrize(
        "text", ["²", "³", "١٢", "１２", "1" * 19, "9" * 40, "", " 4", "4 ", "+4", "-4", "4.0", "0x4"]
    )
    def test_anything_but_a_short_run_of_ascii_digits_is_no_id(self, text):
        assert ascii_id(text) is None

    @pytest.mark.parametrize(("text", "number"), [("4", 4), ("0004", 4), ("9" * 18, 10**18 - 1)])
    def test_ascii_digits_are_an_id(self, text, number):
        assert ascii_id(text) == number

    @pytest.mark.parametrize("text", ["20261115", "2026-W46-7", "２０２６-11-15", "2026-02-30", "2026-11-15T00:00"])
    def test_only_yyyy_mm_dd_is_a_date(self, text):
        assert iso_date(text) is None

    def test_a_notice_repeats_a_value_without_markdown_or_control_characters(self):
        assert shown("[x](http://e)\x00") == "“\\[x\\]\\(http\\://e\\)\ufffd”"
        assert shown("a" * 100).endswith("…”") and len(shown("a" * 100)) == 40 + 3


class TestSharedFilters:
    def test_every_good_value_is_read(self):
        link = read(period="2026-Q3", region="S,N", team=str(BETA), as_of="2026-08-01")
        assert link == FilterLink(20263, (SOUTH, NORTH), BETA, date(2026, 8, 1), ())

    def test_nothing_given_is_nothing_read(self):
        assert read() == FilterLink()

    @pytest.mark.parametrize(
        ("params", "notice"),
        [
            ({"period": "2031-Q7"}, "No period is called “2031\\-Q7”"),
            ({"team": "²"}, "No team has the id “²”"),
            ({"team": "9" * 40}, "No team has the id"),
            ({"team": "99"}, "No team has the id “99”"),
            ({"as_of": "15/11/2026"}, "is not a date"),
            ({"as_of": "2026-09-30"}, "2026-09-30 is outside 2026-Q4"),
            ({"period": "2026-Q1", "as_of": "2026-11-15"}, "2026-11-15 is outside 2026-Q1"),
            ({"region": ",".join(["N"] * 1000)}, "too long"),
            ({"region": ",".join(["N"] * (MAX_REGION_CODES + 1))}, f"names {MAX_REGION_CODES + 1} regions"),
            ({"period": "x" * 201}, "too long (201 characters)"),
        ],
    )
    def test_a_dropped_value_leaves_its_filter_unset_with_a_notice(self, params, notice):
        link = read(**params)
        assert len(link.notices) == 1 and notice in link.notices[0], link.notices
        assert (link.region_ids, link.org_unit_id, link.as_of) == (None, None, None)

    def test_unknown_region_codes_are_dropped_and_known_ones_kept(self):
        link = read(region="N,XX,N,'; DROP TABLE goal;--")
        assert link.region_ids == (NORTH,)
        assert "“XX”" in link.notices[0]

    def test_a_repeated_parameter_counts_once_the_last(self):
        assert read_filter_link({"team": ["4", str(BETA)]}, SNAPSHOT, AS_OF).org_unit_id == BETA

    def test_a_unit_outside_a_managers_part_of_the_tree_is_dropped(self):
        """Ann (3) leads Alpha: her people (3, 4, 5) sit in Alpha only, so Beta is outside and Alpha inside."""
        scoped = scoped_snapshot(SNAPSHOT, Viewer("ann@x", "manager", 3))
        assert read_filter_link({"team": str(ALPHA)}, scoped, AS_OF).org_unit_id == ALPHA
        outside = read_filter_link({"team": str(BETA)}, scoped, AS_OF)
        assert outside.org_unit_id is None and "No team has the id" in outside.notices[0]

    def test_the_default_period_decides_the_as_of_range(self):
        assert read(as_of="2026-10-01").as_of == date(2026, 10, 1)  # today's quarter: 2026-Q4
        assert read(period=str(Q4)).period_id is None  # an id is not a period name


class TestStrategyMap:
    @pytest.mark.parametrize(
        ("params", "root", "depth", "notices"),
        [
            ({"root": "10", "depth": "3"}, 10, 3, 0),
            ({"root": "²"}, None, None, 1),
            ({"depth": "³"}, None, None, 1),
            ({"depth": "5"}, None, None, 1),
            ({"depth": "0"}, None, None, 1),
            ({"root": "1" * 40, "depth": "-1"}, None, None, 2),
            ({}, None, None, 0),
        ],
    )
    def test_root_and_depth(self, params, root, depth, notices):
        link = read_map_link(params, max_depth=4)
        assert (link.root, link.depth, len(link.notices)) == (root, depth, notices)


_PARAMS = st.dictionaries(
    st.sampled_from(["period", "region", "team", "as_of", "root", "depth", "other"]),
    st.one_of(st.text(max_size=300), st.lists(st.text(max_size=20), max_size=3), st.integers(), st.none()),
)


@settings(max_examples=300, deadline=None)
@given(_PARAMS)
def test_no_link_makes_the_parser_raise_and_whatever_it_keeps_is_valid(params):
    link = read_filter_link(params, SNAPSHOT, AS_OF)
    assert link.period_id is None or link.period_id in SNAPSHOT.period["id"].to_list()
    assert link.region_ids is None or set(link.region_ids) <= {NORTH, SOUTH}
    assert link.org_unit_id is None or link.org_unit_id in SNAPSHOT.org_unit["id"].to_list()
    assert link.as_of is None or date(2025, 1, 1) <= link.as_of <= date(2026, 12, 31)
    map_link = read_map_link(params, max_depth=4)
    assert map_link.depth is None or 1 <= map_link.depth <= 4
    assert map_link.root is None or 0 <= map_link.root < 2**63


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=40))
def test_any_digit_of_any_script_is_read_only_when_ascii(text):
    number = ascii_id(text)
    assert number is None or (text.isascii() and len(text) <= 18 and number == int(text))
