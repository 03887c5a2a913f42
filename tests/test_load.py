"""The load test (`make load`, bench/load.py) against a real Ladder server on the tiny demo organisation.

Each run starts its own server on a free loopback port, so these tests take a few seconds of wall time.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.Delta_pb2 import Delta

from bench.load import LoadError, loopback_host, nearest_rank, run_load, summarise
from bench.load_session import WALK_SCREENS, RunResult, _read_delta
from tests.conftest import DEMO_TODAY, ROOT

BROKEN_SCREEN = "strategy_map"


class TestTwoViewers:
    def test_measures_interactions_memory_and_no_errors(self, demo_database_url: str) -> None:
        """Two viewers for 6 s with 0.5 s think time each do several timed interactions, all without error."""
        result = run_load(demo_database_url, [2], duration=6.0, think=0.5, today=DEMO_TODAY, sample_seconds=0.5)

        assert [i.screen for i in result.first_renders] == list(WALK_SCREENS)
        assert [i.error for i in result.first_renders] == [None] * len(WALK_SCREENS)
        walked = result.phases[2]
        assert [i.error for i in walked if i.error] == []
        assert {i.session for i in walked} == {0, 1}
        assert {"open", "filter"} <= {i.kind for i in walked}
        assert all(i.seconds > 0 for i in walked)

        (summary,) = summarise(result)
        assert summary.errors == 0
        assert summary.views == len(walked)
        assert summary.views_per_second == pytest.approx(len(walked) / result.phase_seconds[2])
        assert 0 < summary.median <= summary.p95 <= summary.slowest
        phase_samples = [s for s in result.memory if s.phase == "2"]
        assert phase_samples and all(s.rss > 0 for s in phase_samples)
        assert summary.rss_end > 0 and summary.pss_end is not None and 0 < summary.pss_end <= summary.rss_end


class TestErrorsAreCounted:
    def test_a_query_that_raises_in_the_server_is_an_error(self, demo_database_url: str, tmp_path: Path) -> None:
        """The server imports a sitecustomize that breaks the Strategy map's query: that screen, and only that
        one, comes back with Ladder's error message, and the load test records it as an error."""
        (tmp_path / "sitecustomize.py").write_text(
            textwrap.dedent(f"""
                import sys
                sys.path.insert(0, {str(ROOT)!r})
                import queries.strategy_map

                def broken(*args, **kwargs):
                    raise RuntimeError("a query that fails")

                queries.strategy_map.strategy_map = broken
            """)
        )
        result = run_load(
            demo_database_url, [1], duration=1.0, think=0.5, today=DEMO_TODAY, server_env={"PYTHONPATH": str(tmp_path)}
        )

        errors = {i.screen: i.error for i in result.first_renders}
        assert errors[BROKEN_SCREEN] is not None and "Something went wrong" in errors[BROKEN_SCREEN]
        assert [screen for screen, error in errors.items() if error] == [BROKEN_SCREEN]

    def test_an_exception_element_is_an_error(self) -> None:
        delta = Delta()
        delta.new_element.exception.type = "RuntimeError"
        delta.new_element.exception.message = "boom"
        result = RunResult()
        _read_delta(delta, result)
        assert result.error == "exception RuntimeError: boom"

    def test_an_error_alert_is_an_error_and_a_warning_is_not(self) -> None:
        warning, error = Delta(), Delta()
        warning.new_element.alert.format = Alert.WARNING
        warning.new_element.alert.body = "a notice"
        error.new_element.alert.format = Alert.ERROR
        error.new_element.alert.body = "Something went wrong (ref 7F3A)."
        result = RunResult()
        _read_delta(warning, result)
        assert result.error is None
        _read_delta(error, result)
        assert result.error == "error message: Something went wrong (ref 7F3A)."


class TestBounds:
    @pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::"])
    def test_only_loopback_hosts(self, host: str) -> None:
        with pytest.raises(LoadError, match="not a loopback address"):
            loopback_host(host)

    @pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1"])
    def test_loopback_hosts_are_kept(self, host: str) -> None:
        assert loopback_host(host) == host

    @pytest.mark.parametrize(
        ("sessions", "duration", "match"),
        [([0], 5.0, "--sessions"), ([101], 5.0, "--sessions"), ([], 5.0, "--sessions"), ([2], 0.0, "--duration"),
         ([2], 901.0, "--duration")],
    )  # fmt: skip
    def test_counts_and_time_are_bounded_before_anything_starts(self, sessions, duration, match) -> None:
        with pytest.raises(LoadError, match=match):
            run_load("sqlite:///nowhere.db", sessions, duration=duration, think=1.0, today=DEMO_TODAY)

    def test_p95_is_the_nearest_rank(self) -> None:
        """20 values 1..20: the 95th percentile is the 19th value (ceil(0.95 * 20) = 19); 21 values: the 20th."""
        assert nearest_rank(list(range(20, 0, -1)), 0.95) == 19
        assert nearest_rank(list(range(1, 22)), 0.95) == 20
