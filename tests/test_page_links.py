"""Crafted links through AppTest on the tiny demo organisation: every URL parameter that cannot be read is dropped
with a notice on screen, the screen still shows its figures, and nothing unchecked reaches a query."""

import pytest

OVERVIEW, STRATEGY_MAP = "pages/review/overview.py", "pages/review/strategy_map.py"
REGIONS_1000 = ",".join(["IN"] * 1000)
CODES_51 = ",".join(f"R{i}" for i in range(51))


def notices(at) -> str:
    return " ".join(w.value for w in at.warning)


def assert_no_failure(at) -> None:
    """No traceback, and no error caught by the page's error boundary either."""
    assert not at.exception
    assert not [e.value for e in at.error if "Something went wrong" in e.value]


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ({"team": "²"}, "No team has the id “²”"),
        ({"team": "1" * 40}, "No team has the id"),
        ({"team": "-3"}, "No team has the id"),
        ({"region": REGIONS_1000}, "is too long"),
        ({"region": CODES_51}, "names 51 regions"),
        ({"period": "２０２６-Q4"}, "No period is called"),
        ({"as_of": "２０２６-11-01"}, "is not a date"),
        ({"as_of": "1900-01-01"}, "1900-01-01 is outside 2026-Q4"),
        ({"as_of": "2026-11-25T00:00"}, "is not a date"),
        ({"period": "[click](https://example.org)"}, "No period is called “\\[click\\]"),
    ],
    ids=[
        "team-superscript",
        "team-40-digits",
        "team-negative",
        "region-1000",
        "region-51",
        "period-fullwidth",
        "as_of-fullwidth",
        "as_of-out-of-range",
        "as_of-datetime",
        "period-markdown",
    ],
)
def test_a_crafted_shared_parameter_is_dropped_with_a_notice(app_test, query, notice):
    at = app_test(query=query)
    assert_no_failure(at)
    assert notice in notices(at)
    assert {m.label: m.value for m in at.metric}["Company objectives"] != "0"
    assert "[click]" not in notices(at).replace("\\[click\\]", "")


def test_every_shared_parameter_is_rewritten_from_what_was_kept(app_test):
    at = app_test(query={"period": "2026-Q3", "region": "IN,XX", "team": "²", "as_of": "2026-08-01"})
    assert not at.exception
    assert "No team has the id" in notices(at) and "“XX”" in notices(at)
    assert (at.query_params["period"], at.query_params["region"], at.query_params["as_of"]) == (
        "2026-Q3",
        "IN",
        "2026-08-01",
    )
    assert "team" not in at.query_params


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ({"root": "²"}, "is not a goal id"),
        ({"root": "1" * 40}, "is not a goal id"),
        ({"depth": "³"}, "The depth “³” is not a whole number from 1 to 4"),
        ({"depth": "9" * 40}, "is not a whole number"),
        ({"depth": "0"}, "is not a whole number"),
    ],
    ids=["root-superscript", "root-40-digits", "depth-superscript", "depth-40-digits", "depth-0"],
)
def test_a_crafted_strategy_map_parameter_is_dropped_with_a_notice(app_test, query, notice):
    at = app_test(STRATEGY_MAP, query=query)
    assert_no_failure(at)
    assert notice in notices(at)
    assert [t.value for t in at.title] == ["Strategy map"]
    assert "root" not in at.query_params and "depth" not in at.query_params


def test_a_good_depth_from_the_link_is_kept(app_test):
    at = app_test(STRATEGY_MAP, query={"depth": "3"})
    assert not at.exception and not at.warning
    assert at.session_state["map_depth"] == 3
