"""The team picker over an org tree of any depth (tests/org_shapes.py has the organisations and the figures
worked out on paper): one searchable list of every unit the viewer may see, labelled by its path; `team=<id>`
works for any of them, and a manager sees only their part of the tree."""

from __future__ import annotations

import pytest

from tests.conftest import APP_SCRIPT, APPTEST_TIMEOUT
from tests.org_shapes import (
    BOOT_LABEL,
    BOOT_PATH,
    DEE,
    DEEP_PEOPLE,
    DEEP_UNITS,
    FLAT_PEOPLE,
    FLAT_UNITS,
    TODAY,
    write_org,
)

CHECKINS = "pages/people/checkins.py"


@pytest.fixture(scope="module")
def flat_url(tmp_path_factory) -> str:
    return write_org(f"sqlite:///{tmp_path_factory.mktemp('flat') / 'flat.db'}", FLAT_UNITS, FLAT_PEOPLE)


@pytest.fixture(scope="module")
def deep_url(tmp_path_factory) -> str:
    return write_org(f"sqlite:///{tmp_path_factory.mktemp('deep') / 'deep.db'}", DEEP_UNITS, DEEP_PEOPLE)


@pytest.fixture
def open_org(monkeypatch):
    """`open_org(url, query=None, state=None, page=None)` -> an AppTest that has run the app on that organisation."""
    from streamlit.testing.v1 import AppTest

    from components import data

    monkeypatch.setenv("LADDER_TODAY", TODAY)
    for name in ("LADDER_DEMO_MODE", "LADDER_TRUSTED_EMAIL_HEADER"):
        monkeypatch.delenv(name, raising=False)

    def make(url: str, query: dict | None = None, state: dict | None = None, page: str | None = None):
        monkeypatch.setenv("LADDER_DATABASE_URL", url)
        data.refresh()
        at = AppTest.from_file(str(APP_SCRIPT), default_timeout=APPTEST_TIMEOUT)
        for key, value in (state or {}).items():
            at.session_state[key] = value
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    yield make
    data.refresh()


def picker(at):
    return at.sidebar.selectbox(key="f_team")


def coverage(at) -> str:
    return {m.label: m.value for m in at.metric}["Check-in coverage"]


def test_the_picker_lists_every_unit_by_name_and_path_in_tree_order(open_org, deep_url):
    at = open_org(deep_url)
    assert picker(at).options == [
        "Deepco",
        "Ops (Deepco)",
        "R&D (Deepco)",
        "Platform (Deepco › R&D)",
        "Core (Deepco › R&D › Platform)",
        "Storage (Deepco › R&D › Platform › Core)",
        "Disks (Deepco › R&D › Platform › Core › Storage)",
        "Firmware (Deepco › R&D › Platform › Core › Storage › Disks)",
        BOOT_LABEL,
        "Sales (Deepco)",
        "EMEA Sales (Deepco › Sales)",
        "Team 4 (Deepco › Sales › EMEA Sales)",
    ]
    assert picker(at).value is None


@pytest.mark.parametrize(("team", "figure"), [("11", "33%"), ("12", "50%")], ids=["Firmware", "Boot"])
def test_a_deep_unit_from_the_link_narrows_the_figures(open_org, deep_url, team, figure):
    """Firmware and Boot below it: 1 of 3 and 1 of 2 people covered (tests/org_shapes.py)."""
    at = open_org(deep_url, query={"team": team}, page=CHECKINS)
    assert not at.warning
    assert coverage(at) == figure
    assert at.query_params["team"] == team


def test_picking_a_deep_unit_narrows_the_figures_and_goes_into_the_link(open_org, deep_url):
    at = open_org(deep_url, page=CHECKINS)
    whole = coverage(at)
    picker(at).set_value(12).run()
    assert not at.exception
    assert coverage(at) == "50%" != whole
    assert at.query_params["team"] == "12"
    assert picker(at).value == 12


@pytest.mark.parametrize(("team", "figure"), [("2", "50%"), ("3", "100%")], ids=["Team A", "Team B"])
def test_a_team_directly_under_the_company_works_from_the_link(open_org, flat_url, team, figure):
    """Team A: Ana covered, Ben lapsed -> 50%; Team B: Cyd covered -> 100%."""
    at = open_org(flat_url, query={"team": team}, page=CHECKINS)
    assert not at.warning
    assert coverage(at) == figure
    assert picker(at).options == ["Flatco", "Team A (Flatco)", "Team B (Flatco)"]


def test_a_manager_sees_only_their_part_of_the_tree(open_org, deep_url):
    manager = {"viewer_role": "manager", "viewer_manager": DEE}
    at = open_org(deep_url, state=manager)
    offered = picker(at).options
    assert BOOT_LABEL in offered
    assert not [label for label in offered if "Ops" in label or "Sales" in label]
    outside = open_org(deep_url, query={"team": "2"}, state=manager)
    assert any("No team has the id" in w.value for w in outside.warning)
    assert outside.session_state["_ladder_context"].filters.org_unit_id is None


def test_the_labels_follow_the_viewer_within_one_session(open_org, deep_url):
    """The labels are kept per viewer's snapshot: switching from HR to Dee's view narrows the list at once."""
    at = open_org(deep_url)
    assert len(picker(at).options) == 12
    at.session_state["viewer_role"] = "manager"
    at.session_state["viewer_manager"] = DEE
    at.run()
    offered = picker(at).options
    assert BOOT_LABEL in offered
    assert not [label for label in offered if "Ops" in label or "Sales" in label]


def test_every_visible_unit_has_its_path_from_the_top():
    """The tiny organisation: Acme > Product > Engineering > Alpha, Beta; Ann (3) manages Alpha only."""
    from queries.access import scoped_snapshot, visible_unit_paths
    from queries.model import Viewer
    from tests.tiny_org import tiny_snapshot

    units = visible_unit_paths(tiny_snapshot())
    assert units.rows() == [
        (1, "Acme", "Acme", ""),
        (2, "Product", "Acme › Product", "Acme"),
        (3, "Engineering", "Acme › Product › Engineering", "Acme › Product"),
        (4, "Alpha", "Acme › Product › Engineering › Alpha", "Acme › Product › Engineering"),
        (5, "Beta", "Acme › Product › Engineering › Beta", "Acme › Product › Engineering"),
    ]
    managed = visible_unit_paths(scoped_snapshot(tiny_snapshot(), Viewer("ann@x", "manager", 3)))
    assert managed["id"].to_list() == [1, 2, 3, 4]


def test_the_deep_path_is_eight_levels(deep_url):
    from data.db import make_engine
    from queries.access import visible_unit_paths
    from queries.snapshot import load_snapshot

    engine = make_engine(deep_url)
    try:
        units = visible_unit_paths(load_snapshot(engine))
    finally:
        engine.dispose()
    assert units.filter(units["id"] == 12)["path"].item() == BOOT_PATH
    assert BOOT_PATH.count("›") == 7
