"""How Ladder fails closed (docs/access.md): every doubt about settings, sign-in, demo mode or the database shows
no data, and every unexpected error is one line with a reference, never a trace.

Screens run through AppTest on copies of the tiny demo organisation; the rules themselves are also tested as
plain functions (components/viewer.py, queries/access.py, data/validate.py, data/demo.py).
"""

from __future__ import annotations

import logging
import re
import shutil
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import APP_SCRIPT, APPTEST_TIMEOUT, DEMO_TODAY, ROOT

ISSUER = "https://accounts.example.com"
ENTRA = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-secret",
    "client_id": "ladder",
    "client_secret": "not-a-secret",
    "server_metadata_url": "https://accounts.example.com/.well-known/openid-configuration",
}
UNREACHABLE = "postgresql+psycopg://ladder_owner@127.0.0.1:1/payroll"


def shows_nothing(at) -> None:
    """No figure, table, chart or filter anywhere, and no trace."""
    assert not at.exception
    assert not at.metric and not at.dataframe and not at.get("arrow_vega_lite_chart")
    assert not at.sidebar.selectbox and not at.sidebar.multiselect and not at.sidebar.date_input


def hr_email(url: str) -> str:
    from data.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            first_hr = text("SELECT email FROM viewer WHERE role = 'hr' ORDER BY id LIMIT 1")
            return connection.execute(first_hr).scalar_one()
    finally:
        engine.dispose()


@pytest.fixture
def own_copy(demo_database_url, tmp_path) -> str:
    """The URL of a copy of the demo database that this test may change."""
    path = tmp_path / "ladder.db"
    shutil.copy(make_url(demo_database_url).database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def run(demo_database_url, monkeypatch) -> Iterator[Callable]:
    """`run(url=..., env=..., secrets=..., user=..., header=..., state=...)` -> an AppTest of app.py that has run."""
    from streamlit.testing.v1 import AppTest

    import components.viewer
    from components import data
    from data import config

    monkeypatch.setenv("LADDER_TODAY", DEMO_TODAY)
    for name in ("LADDER_DEMO_MODE", "LADDER_TRUSTED_EMAIL_HEADER", "LADDER_TRUSTED_PROXY_IPS", "LADDER_ADMIN_EMAILS"):
        monkeypatch.delenv(name, raising=False)

    def make(*, url=None, env=None, secrets=None, user=None, header=None, state=None):
        monkeypatch.setenv("LADDER_DATABASE_URL", url or demo_database_url)
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        if header is not None:
            monkeypatch.setattr(components.viewer, "request_header", lambda name: header)
        at = AppTest.from_file(str(APP_SCRIPT), default_timeout=APPTEST_TIMEOUT)
        if secrets:
            at.secrets = secrets
            config.use(config.load_config(secrets, {k: v for k, v in __import__("os").environ.items()}))
        if user is not None:
            at.user = user
        for key, value in (state or {}).items():
            at.session_state[key] = value
        at.run()
        return at

    yield make
    config.use(None)
    data.refresh()


class TestSettings:
    def test_a_secrets_file_that_does_not_parse_shows_the_configuration_error_and_no_data(
        self, run, tmp_path, monkeypatch
    ):
        from data import config

        broken = tmp_path / "secrets.toml"
        # The unquoted header name of the issue: today this file is ignored and demo mode opens.
        broken.write_text("[ladder]\ndemo_mode = false\ntrusted_email_header = X-Forwarded-Email\n")
        monkeypatch.setattr(config, "SECRETS_FILE", broken)
        at = run()
        shows_nothing(at)
        assert [t.value for t in at.title] == ["Configuration error"]
        assert str(broken) in at.error[0].value and "line 3" in at.error[0].value
        assert not any("Demo mode" in m.value for m in at.markdown)

    @pytest.mark.parametrize("value", ["disabled", "n", "nein"])
    def test_a_yes_or_no_setting_that_is_neither_shows_the_configuration_error(self, run, value):
        at = run(env={"LADDER_DEMO_MODE": value})
        shows_nothing(at)
        assert [t.value for t in at.title] == ["Configuration error"]
        assert "LADDER_DEMO_MODE" in at.error[0].value

    def test_every_bad_value_is_listed_on_the_screen_at_once(self, run):
        at = run(env={"LADDER_MIN_GROUP_SIZE": "0", "LADDER_AT_RISK_RATIO": "0.95", "LADDER_LAPSE_DAYS": "-3"})
        shows_nothing(at)
        for name in ("min_group_size", "at_risk_ratio", "lapse_days"):
            assert name in at.error[0].value

    def test_streamlit_settings_hide_error_details_and_listen_on_localhost(self):
        settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
        assert settings["client"]["showErrorDetails"] == "none"
        assert settings["server"]["address"] == "localhost"
        run_target = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
        assert "--server.address $(ADDRESS)" in run_target
        assert re.search(r"^ADDRESS \?= localhost$", (ROOT / "Makefile").read_text(), re.MULTILINE)


class TestDemoMode:
    def test_the_generator_marks_its_database_and_an_import_removes_the_mark(self, demo_database_url, own_copy):
        from data.db import make_engine
        from data.demo import is_demo_database
        from data.load import import_files
        from data.stamp import read_stamp
        from data.validate import Source

        engine = make_engine(own_copy)
        try:
            assert is_demo_database(engine)
            before = read_stamp(engine)
            update = self.one_new_update(engine)
            kept = import_files(engine, [update], keep_demo=True)
            assert kept.written, kept.report.problems
            assert is_demo_database(engine)
            import_files(engine, [Source("progress_update.csv", update.content.replace(b"42.5", b"43.5"))])
            assert not is_demo_database(engine)
            assert read_stamp(engine) != before  # a snapshot and its demo marker are read together
        finally:
            engine.dispose()

    @staticmethod
    def one_new_update(engine):
        from data.validate import Source

        with engine.connect() as connection:
            key_result = connection.execute(
                text(
                    "SELECT key_result.id FROM key_result JOIN goal ON goal.id = key_result.goal_id "
                    "JOIN period ON period.id = goal.period_id "
                    "WHERE period.start_date <= '2026-11-20' AND period.end_date >= '2026-11-20' "
                    "ORDER BY key_result.id LIMIT 1"
                )
            ).scalar_one()
            next_id = connection.execute(text("SELECT MAX(id) + 1 FROM progress_update")).scalar_one()
        row = f"{next_id},{key_result},2026-11-20,42.5"
        return Source("progress_update.csv", f"id,key_result_id,at,value\n{row}\n".encode())

    def test_a_database_without_the_marker_is_not_shown_in_demo_mode(self, run, own_copy):
        from data.db import make_engine
        from data.demo import clear_demo

        engine = make_engine(own_copy)
        clear_demo(engine)
        engine.dispose()
        at = run(url=own_copy)
        shows_nothing(at)
        assert [t.value for t in at.title] == ["No access"]
        assert "demo marker" in at.error[0].value
        assert not any("Demo mode" in m.value for m in at.markdown)

    def test_demo_views_are_logged_as_demo_roles_never_as_a_real_address(self, run, own_copy):
        from data.access_log import read_views
        from data.db import make_engine
        from queries.snapshot import load_snapshot

        engine = make_engine(own_copy)
        snapshot = load_snapshot(engine)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM access_log"))  # views other tests logged on the shared demo
        engine.dispose()
        manager = snapshot.employee.join(
            snapshot.employee.select(pl.col("manager_id").alias("id")).unique(), on="id", how="semi"
        ).row(0, named=True)
        run(url=own_copy)
        run(url=own_copy, state={"viewer_role": "manager", "viewer_manager": manager["id"]})
        logged = read_views(own_copy, limit=100)
        assert set(logged["email"]) == {"demo:hr", f"demo:manager:{manager['id']}"}
        assert manager["email"] not in set(logged["email"])


class TestOpenIDConnect:
    SIGN_IN = {"auth": AUTH, "ladder": {"allowed_issuers": [ISSUER, ENTRA], "issuers_without_email_verified": [ENTRA]}}

    @pytest.mark.parametrize(
        ("claims", "trusted"),
        [
            ({"iss": ISSUER, "email_verified": True}, True),
            ({"iss": ISSUER, "email_verified": "true"}, True),
            ({"iss": ISSUER, "email_verified": False}, False),
            ({"iss": ISSUER, "email_verified": "false"}, False),
            ({"iss": ISSUER, "email_verified": "True "}, False),
            ({"iss": ISSUER, "email_verified": 1}, False),
            ({"iss": ISSUER}, False),  # a provider that says nothing is not Entra unless the settings say so
            ({"iss": ENTRA}, True),  # named in issuers_without_email_verified
            ({"iss": ENTRA, "email_verified": False}, False),
            ({"iss": "https://evil.example.com", "email_verified": True}, False),
            ({"email_verified": True}, False),
            ({"iss": ISSUER, "email_verified": True, "email": ["ann@acme.example"]}, False),
        ],
    )
    def test_only_a_verified_address_from_a_pinned_issuer_is_trusted(self, claims, trusted):
        from components.viewer import verified_email
        from data.config import load_config

        sign_in = load_config(self.SIGN_IN, {}).sign_in
        identity = verified_email({"email": "ann@acme.example", **claims}, sign_in)
        assert (identity.email == "ann@acme.example") is trusted
        assert (identity.doubt is None) is trusted

    def test_on_screen_a_claim_not_sent_by_an_unlisted_issuer_means_no_access(self, run, demo_database_url):
        email = hr_email(demo_database_url)
        at = run(secrets=self.SIGN_IN, user={"is_logged_in": True, "email": email, "iss": ISSUER})
        shows_nothing(at)
        assert "has not verified" in at.error[0].value
        at = run(secrets=self.SIGN_IN, user={"is_logged_in": True, "email": email, "iss": ENTRA})
        assert [t.value for t in at.title] == ["Overview"]


class TestTrustedHeader:
    ENV = {"LADDER_TRUSTED_EMAIL_HEADER": "X-Forwarded-Email", "LADDER_DEMO_MODE": "false"}

    @pytest.mark.parametrize(
        ("values", "client_ip", "proxies", "email"),
        [
            (["ann@acme.example"], "10.0.0.5", (), "ann@acme.example"),
            (["ann@acme.example", "hr@acme.example"], "10.0.0.5", (), None),  # the client's own copy and the proxy's
            (["hr@acme.example, ann@acme.example"], None, (), None),
            ([], None, (), None),
            (["ann@acme.example"], "10.0.0.5", ("10.0.0.0/8",), "ann@acme.example"),
            (["ann@acme.example"], "192.168.1.9", ("10.0.0.0/8", "10.1.1.1"), None),
            (["ann@acme.example"], None, ("127.0.0.1",), "ann@acme.example"),  # Streamlit says None for loopback
            (["ann@acme.example"], None, ("10.0.0.1",), None),
        ],
    )
    def test_exactly_one_copy_from_a_trusted_proxy(self, values, client_ip, proxies, email):
        from components.viewer import trusted_header_email

        assert trusted_header_email(values, client_ip, proxies).email == email

    def test_two_copies_of_the_header_mean_no_access(self, run, demo_database_url):
        email = hr_email(demo_database_url)
        at = run(env=self.ENV, header=([email, email], None))
        shows_nothing(at)
        assert "more than one person" in at.error[0].value
        assert [t.value for t in run(env=self.ENV, header=([email], None)).title] == ["Overview"]

    def test_a_request_from_outside_the_trusted_proxies_means_no_access(self, run, demo_database_url):
        email = hr_email(demo_database_url)
        env = self.ENV | {"LADDER_TRUSTED_PROXY_IPS": "10.0.0.1"}
        at = run(env=env, header=([email], "203.0.113.7"))
        shows_nothing(at)
        assert "did not come through" in at.error[0].value
        assert [t.value for t in run(env=env, header=([email], "10.0.0.1")).title] == ["Overview"]


class TestDatabaseDetails:
    ENV = {"LADDER_TRUSTED_EMAIL_HEADER": "X-Forwarded-Email", "LADDER_ADMIN_EMAILS": "admin@acme.example"}

    @staticmethod
    def details_shown(at) -> bool:
        text_on_screen = " ".join(str(e.value) for e in [*at.error, *at.caption, *at.markdown])
        return any(part in text_on_screen for part in ("ladder_owner", "127.0.0.1", "payroll", ":1"))

    def test_a_signed_out_visitor_sees_the_sign_in_screen_not_the_database(self, run):
        secrets = {"auth": AUTH, "ladder": {"allowed_issuers": [ISSUER]}}
        at = run(url=UNREACHABLE, secrets=secrets, user={"is_logged_in": False})
        assert not at.exception and [b.label for b in at.button] == ["Sign in"]
        assert not at.error and not self.details_shown(at)

    @pytest.mark.parametrize("env", [{}, {"LADDER_DEMO_MODE": "false"}], ids=["demo", "nobody"])
    def test_a_visitor_nobody_knows_sees_no_database_details(self, run, env):
        at = run(url=UNREACHABLE, env=env)
        assert not at.exception
        assert "not available" in at.error[0].value and "ref " in at.error[0].value
        assert not self.details_shown(at)

    def test_a_stranger_with_a_header_sees_none_and_an_admin_sees_them(self, run, caplog):
        with caplog.at_level(logging.ERROR, logger="ladder.access"):
            stranger = run(url=UNREACHABLE, env=self.ENV, header=(["mallory@elsewhere.example"], None))
        assert not self.details_shown(stranger)
        ref = re.search(r"ref ([0-9A-F]{4})", stranger.error[0].value).group(1)
        assert any(ref in r.getMessage() and "payroll" in r.getMessage() for r in caplog.records)  # the log has them
        admin = run(url=UNREACHABLE, env=self.ENV, header=(["Admin@acme.example"], None))
        assert self.details_shown(admin)


class TestUniqueViewerAddresses:
    def test_a_lookup_matching_two_viewers_is_no_access(self):
        from queries.access import viewer_for_email
        from tests.tiny_org import tiny_snapshot, tiny_tables

        viewers = tiny_tables()["viewer"]
        clash = pl.DataFrame([{"id": 5, "email": "HR@acme.example", "role": "none", "employee_id": None}],
                             schema=viewers.schema)  # fmt: skip
        snapshot = tiny_snapshot(viewer=pl.concat([viewers, clash]))
        assert viewer_for_email(snapshot, "hr@acme.example").role == "none"
        assert viewer_for_email(tiny_snapshot(), "HR@ACME.example").role == "hr"

    def test_the_database_refuses_a_second_viewer_differing_only_in_case(self, engine):
        from sqlalchemy.exc import IntegrityError

        with engine.begin() as connection:
            connection.execute(text("INSERT INTO viewer (id, email, role) VALUES (1, 'Ann@X.example', 'hr')"))
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text("INSERT INTO viewer (id, email, role) VALUES (2, 'ann@x.example', 'none')"))

    def test_the_migration_names_addresses_that_already_clash(self, database_url):
        from data.db import make_engine, upgrade

        engine = make_engine(database_url)
        try:
            upgrade(engine, "0003")
            with engine.begin() as connection:
                for id_, email in ((1, "Ann@X.example"), (2, "ann@x.example")):
                    connection.execute(text("INSERT INTO viewer (id, email, role) VALUES (:i, :e, 'hr')"),
                                       {"i": id_, "e": email})  # fmt: skip
            with pytest.raises(RuntimeError, match=r"ann@x\.example.*Keep one row per address"):
                upgrade(engine)
        finally:
            engine.dispose()

    def test_the_importer_reports_addresses_differing_only_in_case(self):
        from data.validate import Source, validate

        examples = Path(ROOT / "docs" / "examples" / "csv")
        sources = [Source(p.name, p.read_bytes()) for p in sorted(examples.glob("*.csv")) if p.stem != "viewer"]
        viewers = (examples / "viewer.csv").read_text() + "5,HR@Acme.example,none,\n"
        report = validate([*sources, Source("viewer.csv", viewers.encode())])
        problems = report.problems.filter(pl.col("file") == "viewer.csv")
        assert problems.select("row", "column").rows() == [(5, "email"), (6, "email")]
        assert "differs only in case" in problems["problem"][1] and "4, 5" in problems["problem"][1]


class TestErrorBoundary:
    def test_a_screen_that_raises_shows_one_line_with_a_reference_and_the_log_has_the_trace(
        self, run, monkeypatch, caplog
    ):
        from components import data

        def broken(*args, **kwargs):
            raise RuntimeError("secret internals: /srv/ladder/queries/overview.py line 42")

        monkeypatch.setattr(data, "ask", broken)
        with caplog.at_level(logging.ERROR, logger="ladder.errors"):
            at = run()
        assert not at.exception
        [shown] = [e.value for e in at.error]
        ref = re.fullmatch(r"Something went wrong \(ref ([0-9A-F]{4})\)\..*", shown, re.DOTALL).group(1)
        assert "secret internals" not in shown
        [record] = [r for r in caplog.records if ref in r.getMessage()]
        assert record.exc_info and "secret internals" in str(record.exc_info[1])
