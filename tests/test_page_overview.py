"""Overview and the shared sidebar through Streamlit's AppTest, on the tiny demo organisation."""

import pytest

from tests.conftest import DEMO_TODAY  # noqa: F401 - the demo is pinned to this date

OVERVIEW = "pages/review/overview.py"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_renders_every_kpi(app_test):
    at = app_test()
    assert not at.exception
    assert [t.value for t in at.title] == ["Overview"]
    assert set(metrics(at)) == {
        "Company objectives",
        "No data yet",
        "Progress",
        "Goals' mean",
        "On track",
        "At risk",
        "Behind",
        "Alignment",
        "Check-in coverage",
        "People rated",
    }
    assert metrics(at)["Company objectives"] != "0"
    assert at.query_params["period"] == "2026-Q4"


def test_a_region_filter_changes_the_numbers_and_the_url(app_test):
    at = app_test()
    before = metrics(at)
    at.sidebar.multiselect(key="f_regions").set_value([1]).run()
    assert not at.exception
    assert metrics(at) != before
    assert "region" in at.query_params


def test_every_region_picked_is_the_whole_organisation(app_test):
    at = app_test()
    whole = metrics(at)
    every = at.sidebar.multiselect(key="f_regions").options
    at.sidebar.multiselect(key="f_regions").set_value(every).run()
    assert not at.exception
    assert metrics(at) == whole
    assert "region" not in at.query_params
    assert "All regions" in at.caption[0].value


def test_a_team_from_the_url_narrows_the_scope(app_test):
    whole = metrics(app_test())
    at = app_test()
    at.sidebar.selectbox(key="f_team").select_index(1).run()
    division = at.sidebar.selectbox(key="f_team").value
    team_id = at.query_params["team"]
    assert team_id == str(division)
    linked = app_test(query={"team": team_id})
    assert not linked.exception
    assert linked.sidebar.selectbox(key="f_team").value == division
    assert metrics(linked) != whole


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ({"period": "2031-Q7"}, "No period is called"),
        ({"region": "XX,'; DROP TABLE goal;--"}, "Unknown region code"),
        ({"team": "1 OR 1=1"}, "No team has the id"),
        ({"as_of": "yesterday"}, "is not a date"),
        ({"team": "9" * 500}, "too long"),
    ],
)
def test_malformed_url_values_are_dropped_with_a_notice(app_test, query, notice):
    at = app_test(query=query)
    assert not at.exception
    assert any(notice in w.value for w in at.warning)
    assert metrics(at)["Company objectives"] != "0"


def test_an_unreachable_database_shows_a_message_not_a_traceback(app_test, monkeypatch):
    from components import data

    data.refresh()
    monkeypatch.setenv("LADDER_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP_SCRIPT

    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("not available" in e.value for e in at.error)
    assert [b.label for b in at.button] == ["Try again"]
    data.refresh()


def test_a_database_with_another_schema_shows_a_message(app_test, monkeypatch, tmp_path):
    from sqlalchemy import create_engine, text
    from streamlit.testing.v1 import AppTest

    from components import data
    from tests.conftest import APP_SCRIPT

    foreign = f"sqlite:///{tmp_path}/foreign.db"
    with create_engine(foreign).begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER)"))
    data.refresh()
    monkeypatch.setenv("LADDER_DATABASE_URL", foreign)
    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=60)
    at.run()
    assert not at.exception
    # Whoever is looking in demo mode is nobody Ladder knows: no database details (docs/access.md).
    assert any("not available" in e.value for e in at.error)
    assert not any("foreign.db" in e.value or "not a Ladder" in e.value for e in at.error)
    import components.viewer

    monkeypatch.setenv("LADDER_TRUSTED_EMAIL_HEADER", "X-Forwarded-Email")
    monkeypatch.setenv("LADDER_ADMIN_EMAILS", "admin@example.com")
    monkeypatch.setattr(components.viewer, "request_header", lambda name: (["Admin@example.com"], None))
    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("not a Ladder goals database" in e.value for e in at.error)
    data.refresh()


def test_the_review_pack_is_built_only_when_the_button_is_clicked(app_test):
    at = app_test()
    assert not at.exception
    def pack_downloads() -> list[str]:
        return [b.proto.label for b in at.get("download_button") if b.proto.label in ("PowerPoint", "PDF")]

    assert pack_downloads() == []  # nothing built, nothing offered, before the click
    at.button(key="review_pack_build").click().run()
    assert not at.exception
    assert pack_downloads() == ["PowerPoint", "PDF"]


def test_a_note_with_markup_is_added_logged_and_shown_as_typed(app_test, demo_database_url):
    """The demo viewer (an executive) adds a decision through the form; its text comes back character for
    character in a table cell, no element renders it as Markdown or HTML, and the access log has the row."""
    from data.access_log import read_views

    text = "<script>alert(1)</script> and [x](http://e)"
    at = app_test()
    at.text_area(key="note_text").input(text)
    at.radio(key="note_kind").set_value("decision")
    at.text_input(key="note_owner").input("Exec team")
    at.selectbox(key="note_objective").select_index(1)
    at.button(key="FormSubmitter:note_form-Add").click().run()
    assert not at.exception
    assert [s.value for s in at.success][-1] == "Decision added."
    tables = [frame.value for frame in at.dataframe if "text" in frame.value.columns]
    assert text in tables[0]["text"].to_list()
    assert not any(text in (m.value or "") or "alert(1)" in (m.value or "") for m in at.markdown)
    assert "Decision added" in read_views(demo_database_url, page="Decision added", limit=5)["page"].to_list()


def test_the_forecast_shows_intervals_the_chance_of_finishing_on_track_and_what_it_leaves_out(app_test):
    at = app_test()
    assert not at.exception
    assert "Will we make it?" in [s.value for s in at.subheader]
    captions = " ".join(c.value for c in at.caption)
    assert "too little history" in captions and "key results in scope" in captions
    tables = [frame for frame in (d.value for d in at.dataframe) if "p_on_track" in frame.columns]
    assert tables and tables[0]["p50"].notna().any()
