"""Who is looking: OIDC sign-in, the trusted proxy header, demo mode, the no-access screen and the access log.

Pages run through AppTest on the tiny demo organisation. Streamlit's AppTest cannot send request headers, so
the trusted-header path is driven here by replacing `request_header` (the header's copies and the client's
address) and, for real, in tests/browser/test_roles.py.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from datetime import date

import polars as pl
import pytest

from tests.conftest import APP_SCRIPT, APPTEST_TIMEOUT, DEMO_TODAY

ACCESS_LOG = "pages/admin/access_log.py"
OVERVIEW = "pages/review/overview.py"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-secret",
    "client_id": "ladder",
    "client_secret": "not-a-secret",
    "server_metadata_url": "https://accounts.example.com/.well-known/openid-configuration",
}
ISSUER = "https://accounts.example.com"
SIGN_IN = {"auth": AUTH, "ladder": {"allowed_issuers": [ISSUER]}}


def signed_in(email: str, **claims) -> dict:
    """st.user of someone signed in at the allowed issuer with a verified address, unless `claims` say otherwise."""
    return {"is_logged_in": True, "email": email, "iss": ISSUER, "email_verified": True} | claims


def header_says(*values: str, client_ip: str | None = None):
    """A stand-in for the request: these copies of the trusted header, sent from `client_ip`."""
    return lambda name: (list(values), client_ip)


@pytest.fixture(scope="module")
def people(demo_database_url: str) -> dict[str, dict]:
    """One viewer row per role of the tiny demo organisation, with the manager's reporting subtree."""
    from data.db import make_engine
    from queries.access import reporting_subtree
    from queries.snapshot import load_snapshot

    engine = make_engine(demo_database_url)
    try:
        snapshot = load_snapshot(engine)
    finally:
        engine.dispose()
    chosen = {}
    for role in ("hr", "executive", "manager"):
        rows = snapshot.viewer.filter(pl.col("role") == role).sort("id")
        if role == "manager":
            # A manager of managers, so the subtree has more than one level.
            heads = snapshot.employee.filter(pl.col("manager_id").is_not_null())["manager_id"].unique()
            rows = rows.filter(pl.col("employee_id").is_in(heads.implode()))
        chosen[role] = rows.row(0, named=True)
    manager_id = chosen["manager"]["employee_id"]
    chosen["manager"]["subtree"] = set(reporting_subtree(snapshot, manager_id).to_list())
    chosen["manager"]["outsiders"] = set(
        snapshot.employee.filter(~pl.col("id").is_in(list(chosen["manager"]["subtree"])))["name"].to_list()
    ) - set(snapshot.employee.filter(pl.col("id").is_in(list(chosen["manager"]["subtree"])))["name"].to_list())
    return chosen


@pytest.fixture
def app(demo_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable]:
    """`app(env=..., user=..., secrets=..., page=..., state=...)` -> an AppTest that has run."""
    from streamlit.testing.v1 import AppTest

    from data import config

    monkeypatch.setenv("LADDER_DATABASE_URL", demo_database_url)
    monkeypatch.setenv("LADDER_TODAY", DEMO_TODAY)
    for name in ("LADDER_DEMO_MODE", "LADDER_TRUSTED_EMAIL_HEADER", "LADDER_TRUSTED_PROXY_IPS"):
        monkeypatch.delenv(name, raising=False)

    def make(*, env=None, user=None, secrets=None, page=None, state=None, query=None):
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        at = AppTest.from_file(str(APP_SCRIPT), default_timeout=APPTEST_TIMEOUT)
        if user is not None:
            at.user = user
        if secrets:
            # Streamlit reads them from at.secrets, Ladder from its configuration, as both would from the file.
            at.secrets = secrets
            config.use(config.load_config(secrets, os.environ))
        for key, value in (state or {}).items():
            at.session_state[key] = value
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(page).run()
        return at

    yield make
    config.use(None)


def shows_no_data(at) -> None:
    """The no-access screen: its title and message, and no figure, table, chart or filter anywhere."""
    assert not at.exception
    assert [t.value for t in at.title] == ["No access"]
    assert at.error, "the screen must say why"
    assert not at.metric and not at.dataframe and not at.get("arrow_vega_lite_chart")
    assert not at.sidebar.selectbox and not at.sidebar.multiselect and not at.sidebar.date_input


def sidebar_text(at) -> str:
    return " ".join(str(getattr(e, "value", "")) for e in at.sidebar.caption)


class TestDemoMode:
    def test_demo_mode_shows_a_banner_and_the_picker(self, app):
        at = app()
        assert not at.exception
        assert any("Demo mode" in m.value for m in at.markdown)
        assert at.sidebar.selectbox(key="viewer_role").value == "hr"
        assert [t.value for t in at.title] == ["Overview"]

    def test_a_demo_manager_is_viewed_as_that_manager(self, app, people):
        manager = people["manager"]
        at = app(state={"viewer_role": "manager", "viewer_manager": manager["employee_id"]})
        assert not at.exception
        viewer = at.session_state["_ladder_context"].viewer
        assert (viewer.role, viewer.employee_id, viewer.demo) == ("manager", manager["employee_id"], True)

    def test_demo_mode_off_without_sign_in_shows_no_access_and_no_data(self, app):
        at = app(env={"LADDER_DEMO_MODE": "false"})
        shows_no_data(at)
        assert "demo mode is off" in at.error[0].value
        assert not any("Demo mode" in m.value for m in at.markdown)

    def test_demo_mode_off_holds_on_every_page_and_link(self, app):
        at = app(env={"LADDER_DEMO_MODE": "0"}, query={"team": "1", "region": "IN"})
        shows_no_data(at)
        assert not at.warning  # not even a notice about the link: nothing was read for this visitor


class TestTrustedHeader:
    def test_a_missing_header_shows_no_access_and_no_data(self, app):
        at = app(env={"LADDER_TRUSTED_EMAIL_HEADER": "X-Forwarded-Email", "LADDER_DEMO_MODE": "false"})
        shows_no_data(at)
        assert "did not say who you are" in at.error[0].value

    def test_an_unknown_address_shows_no_access(self, app, monkeypatch):
        import components.viewer

        monkeypatch.setattr(components.viewer, "request_header", header_says("mallory@elsewhere.example"))
        at = app(env={"LADDER_TRUSTED_EMAIL_HEADER": "X-Forwarded-Email"})
        shows_no_data(at)
        assert "mallory@elsewhere.example" in at.error[0].value

    @pytest.mark.parametrize(("role", "admin"), [("hr", True), ("executive", False), ("manager", False)])
    def test_each_role_gets_its_screens(self, app, people, monkeypatch, role, admin):
        import components.viewer

        monkeypatch.setattr(components.viewer, "request_header", header_says(people[role]["email"].upper()))
        at = app(env={"LADDER_TRUSTED_EMAIL_HEADER": "X-Forwarded-Email"})
        assert not at.exception
        assert [t.value for t in at.title] == ["Overview"]
        assert not any("Demo mode" in m.value for m in at.markdown)
        context = at.session_state["_ladder_context"]
        assert context.viewer.role == role
        if not admin:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(ACCESS_LOG)  # not even offered in the navigation
            return
        at.switch_page(ACCESS_LOG).run()
        assert not at.exception
        assert [t.value for t in at.title] == ["Access log"]


class TestOpenIDConnect:
    def test_signed_out_sees_only_a_sign_in_button(self, app):
        at = app(secrets=SIGN_IN, user={"is_logged_in": False})
        assert not at.exception
        assert [b.label for b in at.button] == ["Sign in"]
        assert not at.metric and not at.dataframe and not at.sidebar.selectbox

    def test_named_providers_get_a_button_each(self, app):
        okta = {key: AUTH[key] for key in ("client_id", "client_secret", "server_metadata_url")}
        secrets = {"auth": {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "x", "okta": okta}} | {
            "ladder": SIGN_IN["ladder"]
        }
        at = app(secrets=secrets, user={"is_logged_in": False})
        assert [b.label for b in at.button] == ["Sign in with Okta"]

    def test_a_signed_in_viewer_sees_their_screens_and_can_sign_out(self, app, people):
        at = app(secrets=SIGN_IN, user=signed_in(people["hr"]["email"]))
        assert not at.exception
        assert [t.value for t in at.title] == ["Overview"]
        assert "Sign out" in [b.label for b in at.sidebar.button]
        assert "HR leader" in sidebar_text(at)
        assert not any("Demo mode" in m.value for m in at.markdown)

    def test_a_signed_in_stranger_sees_no_access(self, app):
        at = app(secrets=SIGN_IN, user=signed_in("stranger@example.com"))
        shows_no_data(at)
        assert "stranger@example.com" in at.error[0].value
        assert [b.label for b in at.button] == ["Sign out"]

    def test_an_unverified_address_is_not_trusted(self, app, people):
        user = signed_in(people["hr"]["email"], email_verified=False)
        shows_no_data(app(secrets=SIGN_IN, user=user))


class TestSettings:
    def test_identity_source_follows_the_settings(self, monkeypatch):
        from components.viewer import DEMO, HEADER, OFF, identity_source

        for name in ("LADDER_DEMO_MODE", "LADDER_TRUSTED_EMAIL_HEADER"):
            monkeypatch.delenv(name, raising=False)
        assert identity_source() == DEMO
        for off in ("false", "False", "0", "no", "off"):
            monkeypatch.setenv("LADDER_DEMO_MODE", off)
            assert identity_source() == OFF
        monkeypatch.setenv("LADDER_DEMO_MODE", "true")
        assert identity_source() == DEMO
        monkeypatch.setenv("LADDER_TRUSTED_EMAIL_HEADER", "X-Forwarded-Email")
        assert identity_source() == HEADER

    @pytest.mark.parametrize(
        ("value", "email"),
        [
            ("ann@acme.example", "ann@acme.example"),
            (" ann@acme.example ", "ann@acme.example"),
            ("accounts.google.com:ann@acme.example", "ann@acme.example"),
            ("", None),
            (None, None),
        ],
    )
    def test_the_header_value_gives_the_address(self, value, email):
        from components.viewer import email_from_header

        assert email_from_header(value) == email


class TestAccessLog:
    def rows(self, url: str, email: str) -> pl.DataFrame:
        from data.access_log import read_views

        return read_views(url, email_contains=email, limit=10_000)

    def test_a_page_view_is_logged_once_not_on_every_rerun(self, app, demo_database_url, people, monkeypatch):
        import components.viewer

        email = people["executive"]["email"]
        monkeypatch.setattr(components.viewer, "request_header", header_says(email))
        before = self.rows(demo_database_url, email).height
        at = app(env={"LADDER_TRUSTED_EMAIL_HEADER": "X-Forwarded-Email"})
        logged = self.rows(demo_database_url, email)
        assert logged.height == before + 1
        latest = logged.row(0, named=True)
        assert (latest["role"], latest["page"]) == ("executive", "Overview")
        assert '"period": "2026-Q4"' in latest["filters"]
        at.run()  # a rerun with nothing changed is the same view
        assert self.rows(demo_database_url, email).height == before + 1
        at.sidebar.multiselect(key="f_regions").set_value([1]).run()  # new filters: a new view
        assert self.rows(demo_database_url, email).height == before + 2
        assert '"region": [' in self.rows(demo_database_url, email)["filters"][0]

    def test_a_refused_visit_is_logged_too(self, app, demo_database_url, monkeypatch):
        import components.viewer

        monkeypatch.setattr(components.viewer, "request_header", header_says("intruder@elsewhere.example"))
        app(env={"LADDER_TRUSTED_EMAIL_HEADER": "X-Forwarded-Email"})
        logged = self.rows(demo_database_url, "intruder@elsewhere.example")
        assert logged.height >= 1
        assert (logged["role"][0], logged["page"][0]) == ("none", "(no access)")

    def test_a_failing_log_write_costs_the_viewer_nothing(self, app, monkeypatch, caplog):
        import components.shell

        def broken(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(components.shell, "record_view", broken)
        with caplog.at_level(logging.WARNING, logger="ladder.access"):
            at = app()
        assert not at.exception
        assert [t.value for t in at.title] == ["Overview"]
        assert not any("disk full" in str(e.value) for e in [*at.error, *at.warning])
        assert any("disk full" in r.getMessage() for r in caplog.records)

    def test_hr_reads_the_log_and_filters_it(self, app, people):
        at = app(page=ACCESS_LOG)
        assert not at.exception
        assert [t.value for t in at.title] == ["Access log"]
        views = {m.label: m.value for m in at.metric}
        assert int(views["Page views"].replace(",", "")) >= 1
        assert at.dataframe and at.dataframe[0].value.shape[0] >= 1
        at.selectbox(key="log_screen").set_value("Overview").run()
        assert not at.exception
        assert {m.label: m.value for m in at.metric}["Screens"] == "1"
        assert set(at.dataframe[0].value["page"]) == {"Overview"}
        at.text_input(key="log_person").set_value("nobody-matches-this").run()
        assert not at.exception
        assert {m.label: m.value for m in at.metric}["Page views"] == "0"
        assert any("Nobody opened a screen" in i.value for i in at.info)

    def test_views_per_day_show_quiet_days_and_turn_weekly_over_long_ranges(self, demo_database_url, monkeypatch):
        from components import access_log
        from queries.model import Viewer

        monkeypatch.setenv("LADDER_DATABASE_URL", demo_database_url)
        hr = Viewer("hr@x", "hr")
        week = access_log.LogFilters(date(2001, 1, 1), date(2001, 1, 7))
        quiet = access_log.daily(access_log.activity(hr, week), week)
        assert quiet["day"].to_list() == [date(2001, 1, d) for d in range(1, 8)]  # nobody looked: seven zeros
        assert quiet["views"].to_list() == [0] * 7
        # Two views on Tuesday 2 Jan 2001 and one on Monday 15 Jan, over a range long enough to count weekly.
        views = pl.DataFrame(
            {"day": [date(2001, 1, 2), date(2001, 1, 15)], "role": ["hr", "hr"], "page": ["Overview"] * 2,
             "views": [2, 1]}
        )  # fmt: skip
        quarter = access_log.LogFilters(date(2001, 1, 1), date(2001, 3, 31))
        weekly = access_log.daily(views, quarter)
        assert weekly.height == 13  # 1 Jan 2001 is a Monday: 12 full weeks and the week of 26 Mar
        assert set(weekly["day"].dt.weekday().to_list()) == {1}
        assert weekly.filter(pl.col("views") > 0).rows() == [(date(2001, 1, 1), "hr", 2), (date(2001, 1, 15), "hr", 1)]

    def test_no_one_else_reaches_the_log(self, app, people):
        at = app(state={"viewer_role": "executive"})
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(ACCESS_LOG)
        from components import access_log
        from queries.model import Viewer

        everything = access_log.LogFilters(start=date(2000, 1, 1), end=date(2100, 1, 1))
        for role in ("executive", "manager", "none"):
            viewer = Viewer("someone@x", role, people["manager"]["employee_id"])
            assert access_log.recent(viewer, everything).is_empty()
            assert access_log.activity(viewer, everything).is_empty()
            assert access_log.people(viewer, everything) == 0


class TestLinksOnlyNarrow:
    """A manager's link can name any team or region; it narrows their own scope or is dropped with a notice."""

    def manager(self, app, people, query):
        manager = people["manager"]
        return app(state={"viewer_role": "manager", "viewer_manager": manager["employee_id"]}, query=query)

    def people_shown(self, at) -> set[int]:
        from components.data import viewer_snapshot
        from queries.scope import people_in_scope

        context = at.session_state["_ladder_context"]
        return set(people_in_scope(viewer_snapshot(context.viewer), context.filters, active_only=False)["id"])

    def test_a_team_outside_the_subtree_is_dropped_with_a_notice(self, app, people, demo_database_url):
        from data.db import make_engine
        from queries.access import scoped_snapshot, visible_unit_ids
        from queries.model import Viewer
        from queries.snapshot import load_snapshot

        engine = make_engine(demo_database_url)
        snapshot = load_snapshot(engine)
        engine.dispose()
        scoped = scoped_snapshot(snapshot, Viewer("m@x", "manager", people["manager"]["employee_id"]))
        outside = sorted(set(snapshot.org_unit["id"].to_list()) - set(visible_unit_ids(scoped).to_list()))
        assert outside, "the tiny organisation has teams outside this manager's subtree"
        at = self.manager(app, people, {"team": str(outside[0])})
        assert not at.exception
        assert any("No team has the id" in w.value for w in at.warning)
        assert at.session_state["_ladder_context"].filters.org_unit_id is None
        assert self.people_shown(at) <= people["manager"]["subtree"]

    def test_a_team_inside_the_subtree_narrows_it(self, app, people):
        whole = self.people_shown(self.manager(app, people, {}))
        at = self.manager(app, people, {})
        at.sidebar.selectbox(key="f_team").select_index(1).run()
        team = at.query_params["team"]
        linked = self.manager(app, people, {"team": team})
        assert not linked.exception and not linked.warning
        assert self.people_shown(linked) <= whole <= people["manager"]["subtree"]

    @pytest.mark.parametrize(
        ("query", "notice"),
        [
            ({"region": "XX,'; DROP TABLE employee;--"}, "Unknown region code"),
            ({"team": "1 OR 1=1"}, "No team has the id"),
            ({"team": "-1"}, "No team has the id"),
            ({"period": "2026-Q4' UNION SELECT email FROM viewer--"}, "No period is called"),
            ({"as_of": "2026-13-45"}, "is not a date"),
        ],
    )
    def test_malformed_values_are_dropped_with_a_notice(self, app, people, query, notice):
        at = self.manager(app, people, query)
        assert not at.exception
        assert any(notice in w.value for w in at.warning)
        assert self.people_shown(at) <= people["manager"]["subtree"]

    def test_a_region_outside_the_subtree_is_not_offered(self, app, people):
        at = self.manager(app, people, {})
        offered = set(at.sidebar.multiselect(key="f_regions").options)
        from components.data import viewer_snapshot

        scoped = viewer_snapshot(at.session_state["_ladder_context"].viewer)
        names = dict(zip(scoped.region["id"], scoped.region["name"], strict=True))
        regions_of_people = {names[r] for r in scoped.employee["region_id"].unique()}
        assert offered == regions_of_people
