"""Links in real Chromium: crafted parameters on every screen, the team picker over a deep organisation, and
filters that survive a server restart."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest

from tests.browser.helpers import (
    APP_CONNECTED,
    assert_no_exception,
    free_port,
    open_app,
    running_app,
    wait_for_app,
)
from tests.conftest import DEMO_TODAY
from tests.org_shapes import BOOT_LABEL, DEEP_PEOPLE, DEEP_UNITS, TODAY, write_org

SCREENS = ["", "strategy_map", "progress", "ratings", "checkins", "alignment", "my_team", "access_log", "data"]
CRAFTED = {
    "superscripts and a 1,000-item region list": "team=%C2%B2&root=%C2%B2&depth=%C2%B3&region="
    + ",".join(["IN"] * 1000),
    "40-digit ids and a date out of range": "team={0}&root={0}&depth={0}&as_of=1900-01-01".format("7" * 40),
}


def alerts(page) -> str:
    return " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())


@pytest.mark.parametrize("screen", SCREENS, ids=[s or "overview" for s in SCREENS])
@pytest.mark.parametrize("query", list(CRAFTED.values()), ids=list(CRAFTED))
def test_a_crafted_link_shows_a_notice_and_no_exception_on_every_screen(app_server, page, screen, query):
    open_app(page, app_server, screen, query)
    assert_no_exception(page)
    assert "Something went wrong" not in alerts(page)
    assert "No team has the id" in alerts(page)
    if screen == "strategy_map":
        assert "is not a goal id" in alerts(page) and "is not a whole number" in alerts(page)


def _period_and_scope(page) -> str:
    return page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()


def test_filters_survive_a_server_restart(demo_database_url, page):
    """The page stays open while the server restarts; a click in the navigation then sends no query string, and
    the filters must still be the ones the URL held (2026-Q2, India), not the defaults (2026-Q4, all regions)."""
    port = free_port()
    with running_app(demo_database_url, DEMO_TODAY, port) as base_url:
        open_app(page, base_url, query="period=2026-Q2&region=IN")
        assert _period_and_scope(page).startswith("2026-Q2 · India")
    with running_app(demo_database_url, DEMO_TODAY, port):
        page.wait_for_selector(APP_CONNECTED, timeout=60000)
        page.locator("[data-testid='stSidebarNav'] a", has_text="Progress").click()
        page.wait_for_url("**/progress**")
        wait_for_app(page)
        assert_no_exception(page)
        assert _period_and_scope(page).startswith("2026-Q2 · India")
        assert "period=2026-Q2" in page.url and "region=IN" in page.url

        # A click on a filter sends the query string along: the URL names the period, and it is kept.
        page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
        page.get_by_role("option").first.click()
        page.keyboard.press("Escape")
        wait_for_app(page)
        assert _period_and_scope(page).startswith("2026-Q2 · ")
        assert "period=2026-Q2" in page.url


@pytest.fixture(scope="module")
def deep_app(tmp_path_factory) -> Iterator[str]:
    url = write_org(f"sqlite:///{tmp_path_factory.mktemp('deep') / 'deep.db'}", DEEP_UNITS, DEEP_PEOPLE)
    with running_app(url, TODAY) as base_url:
        yield base_url


def test_the_team_picker_finds_a_unit_eight_levels_down_by_name(deep_app, page):
    """Boot (12), eight levels down: Bea covered, Bo never -> check-in coverage 1/2 = 50% (tests/org_shapes.py)."""
    open_app(page, deep_app, "checkins")
    picker = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="Team")
    picker.click()
    page.keyboard.type("Boot")
    options = page.get_by_role("option").all_inner_texts()
    assert options == [BOOT_LABEL]
    page.get_by_role("option", name=BOOT_LABEL).click()
    wait_for_app(page)
    assert_no_exception(page)
    assert "team=12" in page.url
    coverage = page.locator("[data-testid='stMetric']").filter(has_text="Check-in coverage")
    assert coverage.locator("[data-testid='stMetricValue']").inner_text() == "50%"


class CuttableProxy:
    """A TCP relay in front of the app whose connections can be cut, and new ones refused, like a network that
    goes away for a while."""

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self.target_port = target_port
        self.refusing = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Drop every open connection and refuse new ones until `restore`."""
        self.refusing = True
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def restore(self) -> None:
        self.refusing = False

    def close(self) -> None:
        self.cut()
        self._server.close()


SESSION_TTL_SECONDS = 2  # stands in for Streamlit's 120 s: a disconnect longer than this ends the session


def test_filters_survive_a_disconnect_longer_than_the_session_lifetime(demo_database_url, page, monkeypatch):
    """The network goes away for longer than the session lives; a click in the navigation afterwards runs in a new
    session and must keep 2026-Q2 and India, not fall back to 2026-Q4 and all regions."""
    monkeypatch.setenv("STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL", str(SESSION_TTL_SECONDS))
    with running_app(demo_database_url, DEMO_TODAY) as base_url:
        proxy = CuttableProxy(int(base_url.rsplit(":", 1)[1]))
        try:
            open_app(page, f"http://127.0.0.1:{proxy.port}", query="period=2026-Q2&region=IN")
            assert _period_and_scope(page).startswith("2026-Q2 · India")
            proxy.cut()
            page.wait_for_selector("[data-testid='stApp']:not([data-test-connection-state='CONNECTED'])")
            page.wait_for_timeout((SESSION_TTL_SECONDS + 3) * 1000)
            proxy.restore()
            page.wait_for_selector(APP_CONNECTED, timeout=60000)
            page.locator("[data-testid='stSidebarNav'] a", has_text="Progress").click()
            page.wait_for_url("**/progress**")
            wait_for_app(page)
            assert_no_exception(page)
            assert _period_and_scope(page).startswith("2026-Q2 · India")
            assert "period=2026-Q2" in page.url
        finally:
            proxy.close()
