"""Ladder's configuration, read in one place: `.streamlit/secrets.toml`, the `LADDER_*` environment, defaults.

`load_config(secrets, environ)` builds one frozen `Config` from a secrets table (a dict or a TOML file) and an
environment mapping, checks every value and raises `ConfigError` listing every problem at once. A secrets file
that exists but cannot be parsed is an error, never an empty file: defaults are for settings nobody gave, not
for settings nobody could read. `current()` is the configuration of this process, read again only when the
file or the environment changes. Nothing here imports Streamlit.
"""

from __future__ import annotations

import ipaddress
import os
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = ROOT / ".streamlit" / "secrets.toml"
DEFAULT_URL = f"sqlite:///{ROOT / 'data' / 'ladder.db'}"
ENV_PREFIX = "LADDER_"
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
_AUTH_KEYS = ("redirect_uri", "cookie_secret")
_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


@dataclass(frozen=True)
class Settings:
    """Thresholds that are policy, not code: status bands, cadence, privacy."""

    on_track_ratio: float = 0.9  # progress / expected at or above this: on track
    at_risk_ratio: float = 0.7  # at or above this (and below on track): at risk; below: behind
    checkin_window_days: int = 30
    lapse_days: int = 30
    min_group_size: int = 5
    impact_ratio_floor: float = 0.8  # a group's rate below this share of the highest group's fails the four-fifths rule
    thin_support: int = 2  # an objective with fewer contributing goals than this has thin support
    refresh_seconds: int = 600
    connect_timeout_seconds: float = 5.0  # every database connection gives up after this long
    statement_timeout_seconds: float = 60.0  # every database statement is stopped after this long
    access_log_retention_days: int = 400  # page views older than this are removed from the access log
    query_slots: int = 2  # queries one process computes at once; the others wait for a turn


# The smallest value each number may take, and for ratios the largest.
_SETTING_LIMITS: dict[str, tuple[float, float | None]] = {
    "on_track_ratio": (0.0, 1.0),
    "at_risk_ratio": (0.0, 1.0),
    "impact_ratio_floor": (0.0, 1.0),
    "checkin_window_days": (1, None),
    "lapse_days": (1, None),
    "min_group_size": (1, None),
    "thin_support": (0, None),
    "refresh_seconds": (1, None),
    "connect_timeout_seconds": (0.1, None),
    "statement_timeout_seconds": (0.1, None),
    "access_log_retention_days": (1, None),
    "query_slots": (1, None),
}


@dataclass(frozen=True)
class SignIn:
    """OpenID Connect sign-in: the providers under `[auth]` and the issuers Ladder trusts."""

    providers: tuple[str, ...]  # () is the one unnamed provider
    allowed_issuers: tuple[str, ...]  # the `iss` claims accepted at all
    issuers_without_email_verified: tuple[str, ...]  # issuers that never send `email_verified` (Entra ID)


@dataclass(frozen=True)
class Config:
    """Everything Ladder reads from its settings, checked: where the data are, who may look, and the thresholds."""

    database_url: str = DEFAULT_URL
    settings: Settings = field(default_factory=Settings)
    cache_dir: str | None = None  # None: the default folder; "off": nowhere
    demo_mode: bool = True
    trusted_email_header: str | None = None
    trusted_proxy_ips: tuple[str, ...] = ()  # addresses or networks; () means any
    sign_in: SignIn | None = None
    admin_emails: frozenset[str] = frozenset()  # lower-case addresses shown configuration and database details
    today: date | None = None  # a pinned calendar for demos and tests


# Every key `[ladder]` may hold, with how its value is read; anything else is a typo and an error.
_LADDER_KEYS = {
    **{f.name: f.type for f in fields(Settings)},
    "cache_dir": "path",
    "demo_mode": "bool",
    "trusted_email_header": "text",
    "trusted_proxy_ips": "ips",
    "allowed_issuers": "list",
    "issuers_without_email_verified": "list",
    "admin_emails": "list",
    "today": "date",
}


class ConfigError(Exception):
    """The settings cannot be trusted; `problems` says every one of them in words for the admin."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


class _Reader:
    """Reads one value at a time from the environment or the `[ladder]` table, collecting every problem."""

    def __init__(self, ladder: Mapping[str, Any], environ: Mapping[str, str], where: str) -> None:
        self.ladder, self.environ, self.where = ladder, environ, where
        self.problems: list[str] = []

    def raw(self, name: str) -> tuple[Any, str] | None:
        """The given value and where it came from; the environment wins; empty means not given."""
        value = self.environ.get(ENV_PREFIX + name.upper())
        if value is not None and value.strip() != "":
            return value.strip(), ENV_PREFIX + name.upper()
        value = self.ladder.get(name)
        if value is None or (isinstance(value, str) and value.strip() == ""):
            return None
        return (value.strip() if isinstance(value, str) else value), f"`{name}` under [ladder] in {self.where}"

    def read(self, name: str, kind: str, default: Any) -> Any:
        given = self.raw(name)
        if given is None:
            return default
        value, source = given
        try:
            return _PARSERS[kind](value)
        except ValueError as problem:
            self.problems.append(f"{source}: {problem}")
            return default


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"{value!r} is not a yes-or-no value (use true/false, 1/0, yes/no or on/off)")


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{value!r} is not a whole number")
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a whole number") from None


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{value!r} is not a number")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{value!r} is not a finite number")
    return number


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value


def _listed(value: Any) -> tuple[str, ...]:
    """A TOML array of strings, or one string of comma-separated items (as the environment gives it)."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise ValueError(f"{value!r} is not a list of text values")
    return tuple(item.strip() for item in items if item.strip())


def _networks(value: Any) -> tuple[str, ...]:
    addresses = _listed(value)
    for address in addresses:
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            raise ValueError(f"{address!r} is not an IP address or network") from None
    return addresses


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


_PARSERS = {
    "bool": _boolean, "int": _integer, "float": _number, "text": _text, "path": _text,
    "list": _listed, "ips": _networks, "date": _day,
}  # fmt: skip


def read_secrets_file(path: Path) -> dict:
    """The TOML table in `path` ({} when there is no file); raises ConfigError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"{path} cannot be read: {error}"]) from error
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib says where: "Invalid value (at line 3, column 13)".
        problem = f"{path} is not valid TOML: {error}. No setting in it is used until it is fixed."
        raise ConfigError([problem]) from error


def load_config(secrets: Mapping[str, Any] | Path = SECRETS_FILE, environ: Mapping[str, str] | None = None) -> Config:
    """The checked configuration from a secrets table (or the TOML file holding it) and an environment."""
    where = str(secrets) if isinstance(secrets, Path) else "secrets"
    table = read_secrets_file(secrets) if isinstance(secrets, Path) else dict(secrets)
    environ = os.environ if environ is None else environ
    ladder = table.get("ladder", {})
    problems: list[str] = []
    if not isinstance(ladder, Mapping):
        problems.append(f"[ladder] in {where} must be a table of settings")
        ladder = {}
    problems += [
        f"`{name}` under [ladder] in {where} is not a setting Ladder knows (a typo?)"
        for name in sorted(set(ladder) - set(_LADDER_KEYS))
    ]
    reader = _Reader(ladder, environ, where)
    settings = _settings(reader)
    config = Config(
        database_url=_database_url(table, environ, where, problems),
        settings=settings,
        cache_dir=reader.read("cache_dir", "path", None),
        demo_mode=reader.read("demo_mode", "bool", True),
        trusted_email_header=reader.read("trusted_email_header", "text", None),
        trusted_proxy_ips=reader.read("trusted_proxy_ips", "ips", ()),
        sign_in=_sign_in(table, reader, where, problems),
        admin_emails=frozenset(email.lower() for email in reader.read("admin_emails", "list", ())),
        today=reader.read("today", "date", None),
    )
    problems += reader.problems
    if problems:
        raise ConfigError(problems)
    return config


def _settings(reader: _Reader) -> Settings:
    """The thresholds, each a number within its limits, and at risk never above on track."""
    values: dict[str, Any] = {}
    for item in fields(Settings):
        value = reader.read(item.name, item.type, getattr(Settings, item.name))
        low, high = _SETTING_LIMITS[item.name]
        if value < low or (high is not None and value > high):
            span = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
            reader.problems.append(f"{item.name} = {value:g} is out of range: it must be {span}")
        values[item.name] = value
    if values["at_risk_ratio"] > values["on_track_ratio"]:
        reader.problems.append(
            f"at_risk_ratio = {values['at_risk_ratio']:g} is above on_track_ratio = {values['on_track_ratio']:g}: "
            "the at-risk band must start at or below the on-track band"
        )
    return Settings(**values)


def _database_url(table: Mapping[str, Any], environ: Mapping[str, str], where: str, problems: list[str]) -> str:
    """`LADDER_DATABASE_URL`, else `url` under [connections.goals], else the SQLite file in data/."""
    if (environ.get("LADDER_DATABASE_URL") or "").strip():
        return environ["LADDER_DATABASE_URL"].strip()
    goals = table.get("connections", {}).get("goals", {}) if isinstance(table.get("connections"), Mapping) else {}
    url = goals.get("url") if isinstance(goals, Mapping) else None
    if url is None or url == "":
        return DEFAULT_URL
    if not isinstance(url, str):
        # The value itself is not repeated: a URL may hold a password.
        problems.append(f"`url` under [connections.goals] in {where} must be text (a database URL)")
        return DEFAULT_URL
    return url.strip()


def _sign_in(table: Mapping[str, Any], reader: _Reader, where: str, problems: list[str]) -> SignIn | None:
    """The `[auth]` table checked for what Streamlit's sign-in needs, and the issuers Ladder trusts."""
    auth = table.get("auth")
    allowed = reader.read("allowed_issuers", "list", ())
    without_claim = reader.read("issuers_without_email_verified", "list", ())
    if auth is None:
        return None
    if not isinstance(auth, Mapping):
        problems.append(f"[auth] in {where} must be a table")
        return None
    providers = tuple(sorted(name for name, value in auth.items() if isinstance(value, Mapping)))
    problems += [f"[auth] in {where} has no `{key}`" for key in _AUTH_KEYS if not auth.get(key)]
    for provider in providers or (None,):
        settings = auth if provider is None else auth[provider]
        name = "[auth]" if provider is None else f"[auth.{provider}]"
        problems += [f"{name} in {where} has no `{key}`" for key in _PROVIDER_KEYS if not settings.get(key)]
    if not allowed:
        problems.append(
            f"[auth] is set but `allowed_issuers` under [ladder] in {where} is not: name the identity provider's "
            "issuer (the `iss` claim, e.g. \"https://accounts.google.com\") so that no other provider is trusted"
        )
    problems += [
        f"`issuers_without_email_verified` names {issuer!r}, which is not in `allowed_issuers`"
        for issuer in without_claim
        if issuer not in allowed
    ]
    return SignIn(providers=providers, allowed_issuers=allowed, issuers_without_email_verified=without_claim)


def _environment_key(environ: Mapping[str, str]) -> tuple:
    return tuple(sorted((name, value) for name, value in environ.items() if name.startswith(ENV_PREFIX)))


def _file_key(path: Path) -> tuple | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size, status.st_ino)


_lock = threading.Lock()
_memo: dict[str, Any] = {}


def unread_secrets_files() -> list[Path]:
    """Secrets files Streamlit also reads (in the home folder, in the working directory) that Ladder does not."""
    candidates = {Path.home() / ".streamlit" / "secrets.toml", Path.cwd() / ".streamlit" / "secrets.toml"}
    return sorted(path for path in candidates if path.exists() and path.resolve() != SECRETS_FILE.resolve())


def _read_current() -> Config | ConfigError:
    problems = [
        f"{path} holds secrets that Streamlit reads but Ladder does not: move them into {SECRETS_FILE}"
        for path in unread_secrets_files()
    ]
    try:
        loaded = load_config(SECRETS_FILE, os.environ)
    except ConfigError as error:
        problems = list(error.problems) + problems
    return ConfigError(problems) if problems else loaded


def current() -> Config:
    """This process's configuration (raises ConfigError): read once, and again only when a file or env changes."""
    if "override" in _memo:
        return _memo["override"]
    files = (SECRETS_FILE, *unread_secrets_files())
    key = (tuple((str(path), _file_key(path)) for path in files), _environment_key(os.environ))
    with _lock:
        if _memo.get("key") != key:
            _memo["outcome"] = _read_current()
            _memo["key"] = key
        outcome = _memo["outcome"]
    if isinstance(outcome, ConfigError):
        raise outcome
    return outcome


def current_or_default() -> Config:
    """The configuration, or the defaults when it is broken: only for values fixed when a module is imported,
    which the app compares with `current()` before showing anything (components/shell.py)."""
    try:
        return current()
    except ConfigError:
        return Config()


def use(config: Config | None) -> None:
    """Make `config` this process's configuration (tests, tools that build one); None returns to the files."""
    if config is None:
        _memo.pop("override", None)
    else:
        _memo["override"] = config
