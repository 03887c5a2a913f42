"""Shared fixtures: a migrated database on SQLite and PostgreSQL, the demo database, and AppTest.

Fixtures every test can use:

- ``database_url``: the URL of an empty database, once per backend (ids ``sqlite`` and ``postgresql``).
  The PostgreSQL run creates a throwaway database on the server named by ``LADDER_TEST_DATABASE_URL``
  and drops it afterwards; it is skipped when that variable is unset (and fails when ``CI=true``).
- ``engine``: a SQLAlchemy engine on ``database_url`` with the Ladder schema migrated to head.
- ``demo_database_url``: a SQLite file holding the tiny demo organisation, generated once per session.
- ``app_test``: a factory ``make(page=None, query=None) -> AppTest`` that has run ``app.py`` against the
  demo database as of ``DEMO_TODAY``.
- ``app_server``, ``browser``, ``page``: see tests/browser/fixtures.py.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
# The stored snapshots of a test run live in a folder of their own, removed when the run ends; set before
# components.data reads it. App servers started by browser tests inherit it.
_CACHE_DIR = tempfile.mkdtemp(prefix="ladder-test-cache-")
os.environ["LADDER_CACHE_DIR"] = _CACHE_DIR
atexit.register(shutil.rmtree, _CACHE_DIR, True)
APP_SCRIPT = ROOT / "app.py"
# Browser fixtures are defined beside the browser tests but shared with the whole suite.
pytest_plugins = ["tests.browser.fixtures"]
DEMO_PROFILE = "tiny"
DEMO_SEED = 7
DEMO_TODAY = "2026-11-25"
APPTEST_TIMEOUT = 60
GENERATOR_TIMEOUT = 300


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def skip_or_fail(reason: str) -> None:
    """Skip on a developer's machine; in CI a missing prerequisite is a failure, never a silent skip."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true, so this is a failure rather than a skip)", pytrace=False)
    pytest.skip(reason)


# --- databases ---------------------------------------------------------------------------------


@contextmanager
def throwaway_postgres_database(server_url: str) -> Iterator[str]:
    """Create `ladder_test_<8 hex>` on the server of `server_url`, yield its URL, then drop it."""
    name = f"ladder_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            # A test that leaked a connection must not leave the database behind.
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, once on SQLite and once on a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/ladder.db"
        return
    server_url = os.environ.get("LADDER_TEST_DATABASE_URL")
    if not server_url:
        skip_or_fail("LADDER_TEST_DATABASE_URL is not set, so the PostgreSQL run of this test cannot happen")
    with throwaway_postgres_database(server_url) as url:
        yield url


@pytest.fixture
def engine(database_url: str):
    """An engine on `database_url` with the Ladder schema migrated to head."""
    from data.db import make_engine, upgrade

    engine = make_engine(database_url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


# --- the demo organisation and the app -----------------------------------------------------------


def generate_demo_database(url: str) -> None:
    """Run the demo generator in its own process, exactly as `make demo` does."""
    command = [
        sys.executable, "-m", "data.generate",
        "--profile", DEMO_PROFILE, "--seed", str(DEMO_SEED), "--today", DEMO_TODAY,
        "--quiet", "--url", url,
    ]  # fmt: skip
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=GENERATOR_TIMEOUT, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"The demo generator failed (exit {result.returncode}):\n{' '.join(command)}\n"
            f"{result.stdout[-4000:]}{result.stderr[-4000:]}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def demo_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite URL of the tiny demo organisation (seed 7, today 2026-11-25), generated once per session."""
    # Absent code (not a missing service) is the one case that skips in CI too: nothing to install fixes it.
    if not (ROOT / "data" / "generate" / "__init__.py").exists():
        pytest.skip("data/generate/ does not exist yet, so there is no demo database")
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    generate_demo_database(url)
    return url


@pytest.fixture
def app_test(demo_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """A factory `make(page=None, query=None) -> AppTest` that has already run the app once.

    `page` is a page file relative to app.py (e.g. "pages/overview.py"); the app runs on its
    default page first, then switches there and runs again, as `st.navigation` requires.
    `query` becomes the URL query parameters, e.g. {"team": "Alpha"}.
    """
    # Imported here so that unit tests do not pay for importing Streamlit.
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("LADDER_DATABASE_URL", demo_database_url)
    monkeypatch.setenv("LADDER_TODAY", DEMO_TODAY)

    def make(page: str | None = None, query: dict | None = None) -> AppTest:
        # AppTest resolves a relative script path against the calling test file, not the
        # working directory, so the entry point is always given as an absolute path.
        at = AppTest.from_file(str(APP_SCRIPT), default_timeout=APPTEST_TIMEOUT)
        if query:
            for key, value in query.items():
                at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(page).run()
        return at

    return make
