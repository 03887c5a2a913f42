"""One simulated viewer of `make load`: Streamlit's browser protocol without a browser.

The browser client talks to the server over one websocket (`/_stcore/stream`, subprotocol `streamlit`): it sends
a `BackMsg` whose `rerun_script` carries the client state (page, query string, widget values), and the server
answers with `ForwardMsg`s (the navigation, the page's elements as deltas, the query string the script wrote)
ending with `script_finished`. A viewer here does what a person does: open a screen, change a filter in the
sidebar, open another screen, with think time between; every interaction is timed from the `BackMsg` sent to
the `script_finished` of a completed run. An exception element, an error alert (Ladder's error boundary and
every "no data" failure draw one), "page not found", a compile error, a timeout or a dropped connection counts
as an error.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

# The screens a person walks through during a review, by their URL paths (the default screen's is empty);
# the admin and My team screens are not part of it.
SCREEN_PATHS = {
    "overview": "",
    "strategy_map": "strategy_map",
    "progress": "progress",
    "ratings": "ratings",
    "checkins": "checkins",
    "alignment": "alignment",
}
WALK_SCREENS = tuple(SCREEN_PATHS)
# The sidebar filters a walk changes, by their labels (components/filters.py).
PERIOD, REGIONS, TEAM = "Period", "Regions", "Team"
RECENT_PERIODS = 6  # a person picks one of the latest periods, not one from years ago
_DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}


def open_stream(stream_url: str, timeout: float):
    """The websocket a browser tab opens; no compression, proxy or pings, so the client stays cheap."""
    return connect(
        stream_url,
        subprotocols=["streamlit"],
        max_size=None,
        compression=None,
        proxy=None,
        ping_interval=None,
        open_timeout=timeout,
    )


@dataclass(frozen=True)
class Interaction:
    """One timed request: what was asked, on which screen, when (seconds into the phase) and how long it took."""

    session: int
    kind: str  # open (a first visit), filter (a sidebar change), navigate (another screen)
    screen: str
    started: float
    seconds: float
    error: str | None = None


@dataclass
class RunResult:
    """What one script run sent back: the widgets drawn (label -> (id, options)) and the first error seen."""

    widgets: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    error: str | None = None


@dataclass
class Viewer:
    """A person's walk through Ladder over one websocket until `deadline` (time.monotonic())."""

    number: int
    stream_url: str
    think_seconds: float
    deadline: float
    phase_start: float
    timeout: float
    rng: random.Random
    interactions: list[Interaction] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page script hash
    widget_states: dict[str, WidgetState] = field(default_factory=dict)
    widgets: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    query_string: str = ""
    screen: str = ""

    async def walk(self, first_delay: float) -> list[Interaction]:
        """Open a screen, then alternate a filter change and another screen, thinking between, until the deadline.

        After a failed interaction the person reloads: a new connection (a new session) and a fresh start."""
        await asyncio.sleep(first_delay)
        while time.monotonic() < self.deadline:
            started = time.monotonic()
            try:
                async with open_stream(self.stream_url, self.timeout) as socket:
                    await self._steps(socket)
            except (OSError, WebSocketException, TimeoutError) as error:
                self._record("connect", self.screen, started, f"connection: {error!r}")
                await asyncio.sleep(self._think())
        return self.interactions

    async def _steps(self, socket) -> None:
        """The walk over one connection, until the deadline or the first failed interaction."""
        self.widget_states.clear()
        steps = (self._open, self._change_filter, self._navigate)
        step = 0
        while time.monotonic() < self.deadline:
            if not await steps[step](socket):
                return
            step = 1 if step == 2 else step + 1
            await asyncio.sleep(self._think())

    def _think(self) -> float:
        """Think time: uniform within ±50% of the mean, so that sessions do not march in step."""
        return min(self.think_seconds * self.rng.uniform(0.5, 1.5), max(self.deadline - time.monotonic(), 0.0))

    async def _open(self, socket) -> bool:
        return await self.visit(socket, self.rng.choice(WALK_SCREENS))

    async def visit(self, socket, screen: str) -> bool:
        """Open `screen` by its address, as typing its URL (or following a link without filters) does."""
        self.screen = screen
        return await self._interact(socket, "open", ClientState(page_name=SCREEN_PATHS[screen], query_string=""))

    async def _navigate(self, socket) -> bool:
        others = [screen for screen in WALK_SCREENS if screen != self.screen and SCREEN_PATHS[screen] in self.pages]
        if not others:
            return await self._open(socket)
        self.screen = self.rng.choice(others)
        path = SCREEN_PATHS[self.screen]
        # A click in the page navigation sends no query string, and the widget values the browser holds.
        state = ClientState(page_script_hash=self.pages[path], page_name=path, query_string="")
        return await self._interact(socket, "navigate", state)

    async def _change_filter(self, socket) -> bool:
        choice = self._pick_filter()
        if choice is None:
            return await self._navigate(socket)
        widget_id, state = choice
        self.widget_states[widget_id] = state
        path = SCREEN_PATHS[self.screen]
        client_state = ClientState(
            page_script_hash=self.pages.get(path, ""), page_name=path, query_string=self.query_string
        )
        return await self._interact(socket, "filter", client_state)

    def _pick_filter(self) -> tuple[str, WidgetState] | None:
        """A new value for one of the sidebar's period, regions and team filters, as the browser would send it."""
        offered = [label for label in (PERIOD, REGIONS, TEAM) if self.widgets.get(label, ("", []))[1]]
        if not offered:
            return None
        label = self.rng.choice(offered)
        widget_id, options = self.widgets[label]
        state = WidgetState(id=widget_id)
        if label == REGIONS:
            state.string_array_value.data.append(self.rng.choice(options))
        elif label == PERIOD:
            state.string_value = self.rng.choice(options[:RECENT_PERIODS])
        else:
            state.string_value = self.rng.choice(options)
        return widget_id, state

    async def _interact(self, socket, kind: str, client_state: ClientState) -> bool:
        """Send one rerun and wait for its completed run; record it; False when the connection is unusable."""
        client_state.widget_states.widgets.extend(self.widget_states.values())
        message = BackMsg()
        message.rerun_script.CopyFrom(client_state)
        started = time.monotonic()
        try:
            await socket.send(message.SerializeToString())
            result = await asyncio.wait_for(self._await_run(socket), self.timeout)
        except TimeoutError:
            self._record(kind, self.screen, started, f"no completed run within {self.timeout:.0f} s")
            return False
        except WebSocketException as error:
            self._record(kind, self.screen, started, f"connection: {error!r}")
            return False
        self._record(kind, self.screen, started, result.error)
        self.widgets = result.widgets
        return True

    def _record(self, kind: str, screen: str, started: float, error: str | None) -> None:
        seconds = time.monotonic() - started
        self.interactions.append(Interaction(self.number, kind, screen, started - self.phase_start, seconds, error))

    async def _await_run(self, socket) -> RunResult:
        """Read ForwardMsgs until a run completes (a run that ends early for a rerun is followed by another)."""
        result = RunResult()
        while True:
            message = ForwardMsg()
            message.ParseFromString(await socket.recv())
            kind = message.WhichOneof("type")
            if kind == "delta":
                _read_delta(message.delta, result)
            elif kind == "navigation":
                self.pages.update({page.url_pathname: page.page_script_hash for page in message.navigation.app_pages})
            elif kind == "page_info_changed":
                self.query_string = message.page_info_changed.query_string
            elif kind == "page_not_found":
                result.error = result.error or f"page not found: {message.page_not_found.page_name}"
            elif kind == "script_finished" and message.script_finished in _DONE:
                if message.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    result.error = result.error or "the script did not compile"
                return result


def _read_delta(delta, result: RunResult) -> None:
    """Note the filter widgets and the first error a delta carries."""
    if not delta.HasField("new_element"):
        return
    element = delta.new_element
    kind = element.WhichOneof("type")
    if kind in ("selectbox", "multiselect"):
        widget = getattr(element, kind)
        if widget.label in (PERIOD, REGIONS, TEAM):
            result.widgets[widget.label] = (widget.id, list(widget.options))
    elif kind == "exception" and result.error is None:
        result.error = f"exception {element.exception.type}: {element.exception.message[:200]}"
    elif kind == "alert" and element.alert.format == Alert.ERROR and result.error is None:
        result.error = f"error message: {element.alert.body[:200]}"
