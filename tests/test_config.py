"""The configuration reader (data/config.py): one checked, frozen object from secrets, environment and defaults.

Every test builds its configuration from a dict or a file and an environment mapping of its own, so nothing
depends on the process environment or on the order modules were imported in.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from data.config import DEFAULT_URL, Config, ConfigError, Settings, load_config

AUTH = {
    "redirect_uri": "https://ladder.example.com/oauth2callback",
    "cookie_secret": "s",
    "client_id": "ladder",
    "client_secret": "c",
    "server_metadata_url": "https://accounts.google.com/.well-known/openid-configuration",
}


def problems(secrets: dict | Path, environ: dict | None = None) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_config(secrets, environ or {})
    return list(raised.value.problems)


class TestDefaultsAndSources:
    def test_nothing_given_is_the_defaults(self, tmp_path):
        assert load_config(tmp_path / "absent.toml", {}) == Config()
        assert load_config({}, {}).settings == Settings()
        assert load_config({}, {}).database_url == DEFAULT_URL

    def test_the_environment_wins_over_secrets_and_empty_means_not_given(self):
        secrets = {"ladder": {"lapse_days": 45, "demo_mode": False}, "connections": {"goals": {"url": "sqlite://"}}}
        built = load_config(secrets, {"LADDER_LAPSE_DAYS": "60", "LADDER_DEMO_MODE": ""})
        assert built.settings.lapse_days == 60
        assert built.demo_mode is False
        assert built.database_url == "sqlite://"
        assert load_config(secrets, {"LADDER_DATABASE_URL": "sqlite:///x.db"}).database_url == "sqlite:///x.db"

    def test_lists_come_as_toml_arrays_or_comma_separated_text(self):
        from_file = load_config({"ladder": {"trusted_proxy_ips": ["10.0.0.1", "10.1.0.0/16"]}}, {})
        from_env = load_config({}, {"LADDER_TRUSTED_PROXY_IPS": "10.0.0.1, 10.1.0.0/16"})
        assert from_file.trusted_proxy_ips == from_env.trusted_proxy_ips == ("10.0.0.1", "10.1.0.0/16")

    def test_the_pinned_day_and_cache_dir(self):
        built = load_config({"ladder": {"cache_dir": "off"}}, {"LADDER_TODAY": "2026-11-25"})
        assert (built.today, built.cache_dir) == (date(2026, 11, 25), "off")

    def test_the_config_is_frozen(self):
        with pytest.raises(AttributeError):
            load_config({}, {}).demo_mode = False  # type: ignore[misc]


class TestBrokenFile:
    def test_a_file_that_does_not_parse_names_the_file_and_line_and_never_falls_back(self, tmp_path):
        path = tmp_path / "secrets.toml"
        path.write_text('[ladder]\ndemo_mode = false\ntrusted_email_header = X-Forwarded-Email\n')
        [problem] = problems(path, {"LADDER_DATABASE_URL": "sqlite:///real.db"})
        assert str(path) in problem
        assert "line 3" in problem

    def test_a_ladder_key_that_is_not_a_setting_is_an_error(self):
        # `demo_mod = false` read as nothing would leave demo mode on.
        assert any("demo_mod" in p for p in problems({"ladder": {"demo_mod": False}}))


class TestValues:
    @pytest.mark.parametrize("value", ["true", "TRUE", "1", "yes", "on", True, 1])
    def test_yes_values(self, value):
        assert load_config({"ladder": {"demo_mode": value}}, {}).demo_mode is True

    @pytest.mark.parametrize("value", ["false", "False", "0", "no", "off", False, 0])
    def test_no_values(self, value):
        assert load_config({"ladder": {"demo_mode": value}}, {}).demo_mode is False

    @pytest.mark.parametrize("value", ["disabled", "n", "nein", "2", "enabled"])
    def test_anything_else_is_an_error_never_on(self, value):
        [problem] = problems({}, {"LADDER_DEMO_MODE": value})
        assert "LADDER_DEMO_MODE" in problem and repr(value) in problem

    @pytest.mark.parametrize(
        ("name", "value", "words"),
        [
            ("checkin_window_days", -30, "at least 1"),
            ("lapse_days", "soon", "not a whole number"),
            ("lapse_days", "30.5", "not a whole number"),
            ("min_group_size", 0, "at least 1"),
            ("on_track_ratio", 1.5, "between 0 and 1"),
            ("impact_ratio_floor", -0.1, "between 0 and 1"),
            ("at_risk_ratio", "nan", "not a finite number"),
            ("refresh_seconds", True, "not a whole number"),
        ],
    )
    def test_numbers_out_of_range_or_not_numbers_are_errors(self, name, value, words):
        [problem] = problems({"ladder": {name: value}})
        assert name in problem and words in problem

    def test_at_risk_above_on_track_is_an_error(self):
        [problem] = problems({"ladder": {"on_track_ratio": 0.6, "at_risk_ratio": 0.7}})
        assert "at_risk_ratio = 0.7 is above on_track_ratio = 0.6" in problem

    def test_every_bad_value_is_listed_at_once(self):
        found = problems(
            {"ladder": {"min_group_size": 0, "lapse_days": -1, "trusted_proxy_ips": ["not-an-ip"]}},
            {"LADDER_DEMO_MODE": "nein", "LADDER_TODAY": "25/11/2026"},
        )
        for name in ("min_group_size", "lapse_days", "not-an-ip", "LADDER_DEMO_MODE", "LADDER_TODAY"):
            assert any(name in p for p in found), (name, found)
        assert len(found) == 5

    def test_a_database_url_that_is_not_text_is_named_without_repeating_it(self):
        [problem] = problems({"connections": {"goals": {"url": 5432}}})
        assert "[connections.goals]" in problem and "5432" not in problem


class TestSignInSettings:
    def test_sign_in_needs_its_keys_and_pinned_issuers(self):
        found = problems({"auth": {"redirect_uri": "x"}})
        assert any("cookie_secret" in p for p in found)
        assert any("client_id" in p for p in found)
        assert any("allowed_issuers" in p for p in found)

    def test_named_providers_and_issuers(self):
        secrets = {
            "auth": {"redirect_uri": "r", "cookie_secret": "s", "okta": {k: AUTH[k] for k in AUTH if "_" in k}},
            "ladder": {"allowed_issuers": ["https://acme.okta.com"]},
        }
        sign_in = load_config(secrets, {}).sign_in
        assert sign_in is not None
        assert sign_in.providers == ("okta",)
        assert sign_in.allowed_issuers == ("https://acme.okta.com",)

    def test_an_issuer_trusted_without_the_claim_must_be_allowed_too(self):
        entra = "https://login.microsoftonline.com/0000-tenant/v2.0"
        secrets = {"auth": AUTH, "ladder": {"allowed_issuers": ["https://accounts.google.com"],
                                            "issuers_without_email_verified": [entra]}}  # fmt: skip
        [problem] = problems(secrets)
        assert entra in problem


class TestCurrent:
    def test_read_again_when_the_environment_changes_and_broken_stays_broken(self, tmp_path, monkeypatch):
        from data import config

        path = tmp_path / "secrets.toml"
        path.write_text("[ladder]\nlapse_days = 40\n")
        monkeypatch.setattr(config, "SECRETS_FILE", path)
        monkeypatch.delenv("LADDER_LAPSE_DAYS", raising=False)
        assert config.current().settings.lapse_days == 40
        monkeypatch.setenv("LADDER_LAPSE_DAYS", "50")
        assert config.current().settings.lapse_days == 50
        path.write_text("[ladder]\nlapse_days = forty\n")
        with pytest.raises(ConfigError, match="line 2"):
            config.current()
        assert config.current_or_default() == Config()  # for import-time values only; the app stops first

    def test_a_secrets_file_streamlit_reads_but_ladder_does_not_is_an_error(self, tmp_path, monkeypatch):
        from data import config

        monkeypatch.setattr(config, "SECRETS_FILE", tmp_path / "ladder" / "secrets.toml")
        home = tmp_path / "home"
        (home / ".streamlit").mkdir(parents=True)
        (home / ".streamlit" / "secrets.toml").write_text("[ladder]\ndemo_mode = false\n")
        monkeypatch.setenv("HOME", str(home))
        with pytest.raises(ConfigError, match="Streamlit reads but Ladder does not"):
            config.current()
