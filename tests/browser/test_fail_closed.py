"""How Ladder fails closed, in real Chromium: a broken secrets.toml shows no data on any screen, and a screen
that raises shows one line with a reference, never a trace.

The broken-settings app runs from a copy of the code whose `.streamlit/secrets.toml` does not parse, exactly as
an admin's typo would leave it; nothing in the working tree is touched.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.process import stop, wait_until_healthy
from tests.browser.helpers import (
    ROOT,
    SERVER_START_TIMEOUT,
    assert_no_exception,
    free_port,
    running_app,
    wait_for_app,
)
from tests.conftest import DEMO_TODAY

SCREENS = ["", "strategy_map", "progress", "ratings", "checkins", "alignment", "my_team", "access_log", "data"]
DATA_ON_SCREEN = ", ".join(
    f"[data-testid='{testid}']"
    for testid in ("stMetric", "stDataFrame", "stTable", "stVegaLiteChart", "stIFrame", "stSidebarNav", "stSelectbox")
)
# The header name left unquoted: the typo of the issue, which once turned demo mode on.
BROKEN_SECRETS = "[ladder]\ndemo_mode = false\ntrusted_email_header = X-Forwarded-Email\n"
RAISING_SITE = '''
import components.data


def _broken(*args, **kwargs):
    raise RuntimeError("internal detail: /srv/ladder/queries/overview.py line 42")


components.data.ask = _broken
'''


@contextmanager
def app_in_copy(database_url: str, secrets: str) -> Iterator[str]:
    """Run Ladder from a copy of the code with this `.streamlit/secrets.toml`; yield its base URL."""
    with tempfile.TemporaryDirectory(prefix="ladder-copy-") as folder:
        copy = Path(folder)
        ignore = shutil.ignore_patterns("__pycache__", "*.db", "secrets.toml")
        for name in ("components", "pages", "queries", "data", ".streamlit"):
            shutil.copytree(ROOT / name, copy / name, ignore=ignore)
        shutil.copy(ROOT / "app.py", copy / "app.py")
        (copy / ".streamlit" / "secrets.toml").write_text(secrets)
        port = free_port()
        env = {**os.environ, "LADDER_DATABASE_URL": database_url, "LADDER_TODAY": DEMO_TODAY}
        command = [sys.executable, "app.py", "--server.port", str(port), "--server.fileWatcherType", "none"]
        with tempfile.NamedTemporaryFile("w+", prefix="ladder-streamlit-", suffix=".log") as log:
            process = subprocess.Popen(
                command, cwd=copy, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
            try:
                base_url = f"http://127.0.0.1:{port}"
                wait_until_healthy(base_url, process, log, SERVER_START_TIMEOUT)
                yield base_url
            finally:
                stop(process)


@pytest.fixture(scope="module")
def broken_settings_app(demo_database_url: str) -> Iterator[str]:
    try:
        with app_in_copy(demo_database_url, BROKEN_SECRETS) as base_url:
            yield base_url
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.mark.parametrize("screen", SCREENS)
def test_a_broken_secrets_file_shows_no_data_on_any_screen(broken_settings_app, page, screen):
    page.goto(f"{broken_settings_app}/{screen}?region=IN&team=1")
    wait_for_app(page)
    assert_no_exception(page)
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "Configuration error" in main
    assert re.search(r"secrets\.toml is not valid TOML: .*line 3", main), main
    assert page.locator(DATA_ON_SCREEN).count() == 0
    assert "Demo mode" not in page.inner_text("body")


@pytest.fixture(scope="module")
def raising_app(demo_database_url: str, tmp_path_factory) -> Iterator[str]:
    """Ladder whose every query raises, through a sitecustomize module loaded before the app starts."""
    site = tmp_path_factory.mktemp("raising-site")
    (site / "sitecustomize.py").write_text(RAISING_SITE)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PYTHONPATH", os.pathsep.join([str(site), str(ROOT)]))
        try:
            with running_app(demo_database_url, DEMO_TODAY) as base_url:
                yield base_url
        except RuntimeError as exc:
            pytest.fail(str(exc), pytrace=False)


def test_a_screen_that_raises_shows_a_reference_not_a_trace(raising_app, page):
    page.goto(raising_app)
    wait_for_app(page)
    assert_no_exception(page)
    main = page.locator("[data-testid='stMain']").inner_text()
    assert re.search(r"Something went wrong \(ref [0-9A-F]{4}\)", main), main
    assert "internal detail" not in page.inner_text("body")
    assert "Traceback" not in page.inner_text("body")
