"""The caching seam (components/data.py) computes at most `query_slots` queries at once; the others wait for a turn,
and a result already memoised waits for none."""

from __future__ import annotations

import threading
import time

import pytest

from queries.model import Viewer
from tests.tiny_org import tiny_filters, tiny_snapshot

HR = Viewer("hr@acme.test", "hr")


@pytest.fixture
def seam(monkeypatch):
    import components.data as data

    snapshot = tiny_snapshot()
    monkeypatch.setattr(data, "viewer_snapshot", lambda viewer: snapshot)
    data._results.clear()
    yield data
    data._results.clear()


def test_at_most_query_slots_queries_are_computed_at_once(seam):
    assert seam.SETTINGS.query_slots == 2  # the default
    lock, inside, most, release = threading.Lock(), [0], [0], threading.Event()

    def held(snapshot, filters, viewer, n: int) -> int:
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        release.wait(10)
        with lock:
            inside[0] -= 1
        return n

    answers: list[int] = []
    threads = [threading.Thread(target=lambda n=n: answers.append(seam.ask(held, tiny_filters(), HR, n=n)))
               for n in range(4)]  # fmt: skip
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while inside[0] < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # the other two are waiting for a turn by now
    assert inside[0] == 2
    release.set()
    for thread in threads:
        thread.join(10)
    assert most[0] == 2 and sorted(answers) == [0, 1, 2, 3]


def test_a_memoised_result_needs_no_turn(seam, monkeypatch):
    calls: list[int] = []

    def counted(snapshot, filters, viewer) -> str:
        calls.append(1)
        return "figures"

    assert seam.ask(counted, tiny_filters(), HR) == "figures"
    monkeypatch.setattr(seam, "_turns", threading.BoundedSemaphore(1))
    seam._turns.acquire()  # every turn taken
    try:
        assert seam.ask(counted, tiny_filters(), HR) == "figures"
    finally:
        seam._turns.release()
    assert calls == [1]
