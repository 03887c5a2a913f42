"""`python -m bench.load` (`make load`): Ladder under N concurrent viewers, measured on the server it starts.

1. starts Ladder (`python app.py`, headless) on a free loopback port against `--db` (else `LADDER_DATABASE_URL`,
   else the small demo in bench-results/, generated when missing); `--replicas 2` starts two on one host;
2. renders every walked screen once (the first render maps or reads the snapshot; reported apart);
3. for each N in `--sessions`, runs N viewers for `--duration` seconds (bench/load_session.py: open a screen,
   change a filter, open another screen, with `--think` seconds between, over Streamlit's own websocket
   protocol, so no browser takes the server's CPU), then closes them;
4. samples each server's RSS and PSS (/proc/<pid>/smaps_rollup) every `--sample` seconds throughout;
5. reports per N: views/s, median, p95 and max time from request to the end of the script run, errors, the
   memory at the end of the phase and its growth over the phase's second half, and the CPU the server and this
   generator used.

Loopback only, at most MAX_SESSIONS viewers and MAX_DURATION seconds per N; it stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import math
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Coroutine, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psutil

from bench.load_session import WALK_SCREENS, Interaction, Viewer, open_stream
from bench.process import ServerError, stop, wait_until_healthy

ROOT = Path(__file__).resolve().parent.parent
MAX_SESSIONS = 100
MAX_DURATION = 900.0  # seconds per N
MAX_REPLICAS = 4
START_TIMEOUT = 120.0
FIRST_RENDER_TIMEOUT = 600.0  # a first render may read the whole database
DEFAULT_DB = ROOT / "bench-results" / "load-small.db"
MB = 1024 * 1024


class LoadError(Exception):
    """A load run that cannot start: a host that is not loopback, limits exceeded, a server that never came up."""


@dataclass(frozen=True)
class Server:
    """One running Ladder replica: its process id and websocket address."""

    pid: int
    port: int
    host: str

    @property
    def stream_url(self) -> str:
        return f"ws://{_netloc(self.host, self.port)}/_stcore/stream"


@dataclass(frozen=True)
class MemorySample:
    """One reading of a replica's memory: seconds since the run began, the phase, RSS, PSS and private in bytes."""

    at: float
    phase: str
    replica: int
    rss: int
    pss: int | None
    anonymous: int | None  # memory only this process holds (not the mapped snapshot files)


@dataclass
class LoadResult:
    """Everything one run measured: the first renders, each phase's interactions and CPU, the memory samples."""

    first_renders: list[Interaction] = field(default_factory=list)
    phases: dict[int, list[Interaction]] = field(default_factory=dict)
    phase_seconds: dict[int, float] = field(default_factory=dict)
    server_cpu: dict[int, float] = field(default_factory=dict)
    generator_cpu: dict[int, float] = field(default_factory=dict)
    memory: list[MemorySample] = field(default_factory=list)


def loopback_host(host: str) -> str:
    """`host` when it names this machine's loopback interface; anything else is refused."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise LoadError(f"{host!r} is not a loopback address: the load test only runs against this machine")


def _netloc(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@contextmanager
def ladder_server(database_url: str, today: str, host: str, port: int, env: Mapping[str, str]) -> Iterator[Server]:
    """Run `python app.py` headless on host:port against `database_url`; yield it; stop it (and its group) after."""
    environ = {**os.environ, **env, "LADDER_DATABASE_URL": database_url, "LADDER_TODAY": today}
    command = [
        sys.executable,
        "app.py",
        "--server.headless",
        "true",
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
    ]
    with tempfile.NamedTemporaryFile("w+", prefix="ladder-load-", suffix=".log") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            try:
                wait_until_healthy(f"http://{_netloc(host, port)}", process, log, START_TIMEOUT)
            except ServerError as error:
                raise LoadError(str(error)) from None
            yield Server(process.pid, port, host)
        finally:
            stop(process)


def smaps_rollup(pid: int) -> dict[str, int]:
    """/proc/<pid>/smaps_rollup in bytes: Pss counts each shared page divided by the processes mapping it, Pss_File
    the share of mapped files (the stored snapshot), Anonymous the memory that is the process's own."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return {}
    fields = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == "kB":
            fields[parts[0].rstrip(":")] = int(parts[1]) * 1024
    return fields


class MemorySampler:
    """Samples every replica's RSS and PSS on a thread until stopped; `phase` labels the samples taken."""

    def __init__(self, servers: Sequence[Server], interval: float) -> None:
        self.servers, self.interval = servers, interval
        self.samples: list[MemorySample] = []
        self.phase = "start"
        self._began = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ladder-load-memory", daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def sample(self) -> None:
        at = time.monotonic() - self._began
        for replica, server in enumerate(self.servers):
            try:
                rss = psutil.Process(server.pid).memory_info().rss
            except psutil.Error:
                continue
            rollup = smaps_rollup(server.pid)
            sample = MemorySample(at, self.phase, replica, rss, rollup.get("Pss"), rollup.get("Anonymous"))
            self.samples.append(sample)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()


def _cpu_seconds(servers: Sequence[Server]) -> float:
    total = 0.0
    for server in servers:
        try:
            times = psutil.Process(server.pid).cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _viewers(
    servers: Sequence[Server], count: int, duration: float, think: float, timeout: float, seed: int
) -> list[Interaction]:
    """`count` viewers spread over the replicas for `duration` seconds; their starts spread over one think time."""
    began = time.monotonic()
    deadline = began + duration
    viewers = [
        Viewer(n, servers[n % len(servers)].stream_url, think, deadline, began, timeout, random.Random(seed * 1000 + n))
        for n in range(count)
    ]
    spread = random.Random(seed)
    walks = [viewer.walk(first_delay=spread.uniform(0, think)) for viewer in viewers]
    results = await asyncio.gather(*walks)
    return [interaction for walk in results for interaction in walk]


def first_renders(servers: Sequence[Server], seed: int) -> list[Interaction]:
    """Every walked screen rendered once on every replica, so that phases start from warm caches."""
    interactions: list[Interaction] = []
    for server in servers:
        viewer = Viewer(0, server.stream_url, 0.0, 0.0, time.monotonic(), FIRST_RENDER_TIMEOUT, random.Random(seed))

        async def visit_all(viewer: Viewer = viewer) -> None:
            async with open_stream(viewer.stream_url, START_TIMEOUT) as stream:
                for screen in WALK_SCREENS:
                    await viewer.visit(stream, screen)

        _run_async(visit_all())
        interactions.extend(viewer.interactions)
    return interactions


T = TypeVar("T")


def _run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end on an event loop of its own, in a thread of its own, so that a caller which
    already runs an event loop (a test process that drove Playwright, say) can still call the load test."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def run_load(
    database_url: str,
    sessions: Sequence[int],
    *,
    duration: float,
    think: float,
    today: str,
    host: str = "127.0.0.1",
    port: int = 0,
    replicas: int = 1,
    sample_seconds: float = 1.0,
    timeout: float = 60.0,
    seed: int = 42,
    server_env: Mapping[str, str] | None = None,
) -> LoadResult:
    """Start the replicas, warm them, run each N in turn, and return every interaction and memory sample."""
    host = loopback_host(host)
    _check_limits(sessions, duration, replicas)
    result = LoadResult()
    with ExitStack() as stack:
        servers = [
            stack.enter_context(
                ladder_server(database_url, today, host, (port + i) if port else free_port(host), server_env or {})
            )
            for i in range(replicas)
        ]
        with MemorySampler(servers, sample_seconds) as sampler:
            sampler.phase = "first renders"
            result.first_renders = first_renders(servers, seed)
            for count in sessions:
                sampler.phase = str(count)
                server_cpu, own_cpu, began = _cpu_seconds(servers), _own_cpu_seconds(), time.monotonic()
                result.phases[count] = _run_async(_viewers(servers, count, duration, think, timeout, seed))
                result.phase_seconds[count] = time.monotonic() - began
                result.server_cpu[count] = _cpu_seconds(servers) - server_cpu
                result.generator_cpu[count] = _own_cpu_seconds() - own_cpu
            sampler.phase = "end"
        result.memory = sampler.samples
    return result


def _check_limits(sessions: Sequence[int], duration: float, replicas: int) -> None:
    if not sessions or any(not 1 <= n <= MAX_SESSIONS for n in sessions):
        raise LoadError(f"--sessions takes 1 to {MAX_SESSIONS} viewers per phase")
    if not 0 < duration <= MAX_DURATION:
        raise LoadError(f"--duration takes more than 0 and at most {MAX_DURATION:.0f} seconds per phase")
    if not 1 <= replicas <= MAX_REPLICAS:
        raise LoadError(f"--replicas takes 1 to {MAX_REPLICAS}")


# --- the report ------------------------------------------------------------------------------------


def nearest_rank(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least `share` of all values at or below it."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


@dataclass(frozen=True)
class PhaseSummary:
    """One N's figures: completed views per second, times of the completed ones, errors, memory and CPU."""

    sessions: int
    views: int
    views_per_second: float
    median: float
    p95: float
    slowest: float
    errors: int
    error_examples: tuple[str, ...]
    rss_end: int  # the largest replica's RSS at the end of the phase, bytes
    rss_growth: int  # the largest RSS in the phase's second half minus that in its first half, bytes
    pss_end: int | None
    server_cores: float  # CPU seconds the replicas used per second of the phase
    generator_cores: float


def summarise(result: LoadResult) -> list[PhaseSummary]:
    """Per N: views/s = completed views / phase time; median and p95 over completed views; memory; CPU per second."""
    summaries = []
    for count, interactions in result.phases.items():
        done = [i.seconds for i in interactions if i.error is None]
        errors = [i.error for i in interactions if i.error is not None]
        seconds = result.phase_seconds[count]
        samples = [s for s in result.memory if s.phase == str(count)]
        rss_end, rss_growth, pss_end = _phase_memory(samples)
        summaries.append(
            PhaseSummary(
                count,
                len(done),
                len(done) / seconds if seconds else 0.0,
                statistics.median(done) if done else float("nan"),
                nearest_rank(done, 0.95),
                max(done, default=float("nan")),
                len(errors),
                tuple(dict.fromkeys(errors))[:3],
                rss_end,
                rss_growth,
                pss_end,
                result.server_cpu[count] / seconds if seconds else 0.0,
                result.generator_cpu[count] / seconds if seconds else 0.0,
            )
        )
    return summaries


def _phase_memory(samples: Sequence[MemorySample]) -> tuple[int, int, int | None]:
    """The largest replica's RSS at the end, its growth from the first to the second half, and its PSS at the end."""
    if not samples:
        return 0, 0, None
    middle = (samples[0].at + samples[-1].at) / 2
    last_at = samples[-1].at
    last = max((s for s in samples if s.at == last_at), key=lambda s: s.rss)
    first_half = max((s.rss for s in samples if s.at <= middle), default=0)
    second_half = max((s.rss for s in samples if s.at > middle), default=first_half)
    return last.rss, second_half - first_half, last.pss


def _mb(value: int | None) -> str:
    return "-" if value is None else f"{value / MB:,.0f}"


def _seconds(value: float) -> str:
    return "-" if value != value else f"{value:.2f} s"


def report(result: LoadResult, replicas: int, think: float, duration: float) -> str:
    """The run as text: first renders, one line per N, and the memory over time."""
    lines = [f"Ladder load test: {replicas} replica(s), think time {think:g} s, {duration:g} s per N"]
    for i in result.first_renders:
        lines.append(f"  first render {i.screen:<13} {_seconds(i.seconds):>9}" + (f"  ! {i.error}" if i.error else ""))
    lines.append("")
    lines.append(
        f"  {'N':>3} {'views':>6} {'views/s':>8} {'median':>8} {'p95':>8} {'max':>8} {'errors':>6} "
        f"{'RSS end':>9} {'RSS growth':>10} {'PSS end':>9} {'server CPU':>10} {'load CPU':>8}"
    )
    for s in summarise(result):
        pss = "-" if s.pss_end is None else f"{s.pss_end / MB:,.0f} MB"
        lines.append(
            f"  {s.sessions:>3} {s.views:>6} {s.views_per_second:>8.2f} {_seconds(s.median):>8} {_seconds(s.p95):>8} "
            f"{_seconds(s.slowest):>8} {s.errors:>6} {s.rss_end / MB:>6,.0f} MB {s.rss_growth / MB:>7,.0f} MB "
            f"{pss:>9} {s.server_cores:>6.2f} cores {s.generator_cores:>4.2f} cores"
        )
        lines.extend(f"      ! {example}" for example in s.error_examples)
    lines.append("")
    lines.append("  per screen, every phase together (screen, views, median, p95, max, errors):")
    lines.extend(f"    {line}" for line in _per_screen(result))
    lines.append("")
    lines.append("  memory over time (s, phase, per replica RSS/PSS/anonymous):")
    lines.extend(f"    {line}" for line in _memory_series(result.memory))
    return "\n".join(lines)


def _per_screen(result: LoadResult) -> list[str]:
    """Each walked screen's completed views, their median, p95 and max, and its errors, over every phase."""
    walked = [i for interactions in result.phases.values() for i in interactions]
    lines = []
    for screen in WALK_SCREENS:
        done = [i.seconds for i in walked if i.screen == screen and i.error is None]
        errors = sum(1 for i in walked if i.screen == screen and i.error is not None)
        median = statistics.median(done) if done else float("nan")
        lines.append(
            f"{screen:<13} {len(done):>5} {_seconds(median):>8} {_seconds(nearest_rank(done, 0.95)):>8} "
            f"{_seconds(max(done, default=float('nan'))):>8} {errors:>5}"
        )
    return lines


def _memory_series(samples: Sequence[MemorySample], every: float = 10.0) -> list[str]:
    """About one line per `every` seconds, each with every replica's RSS/PSS in MB."""
    lines, next_at = [], 0.0
    for at in sorted({s.at for s in samples}):
        if at < next_at and at != samples[-1].at:
            continue
        next_at = at + every
        readings = [s for s in samples if s.at == at]
        memory = "  ".join(f"#{s.replica} {_mb(s.rss)}/{_mb(s.pss)}/{_mb(s.anonymous)} MB" for s in readings)
        lines.append(f"{at:6.0f}  {readings[0].phase:<13} {memory}")
    return lines


# --- the command line ------------------------------------------------------------------------------


def _default_database(today: str) -> str:
    """The small demo organisation in bench-results/, generated the first time."""
    if not DEFAULT_DB.exists():
        DEFAULT_DB.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DEFAULT_DB}"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "data.generate",
                "--profile",
                "small",
                "--seed",
                "42",
                "--today",
                today,
                "--url",
                url,
                "--quiet",
            ],
            cwd=ROOT,
            check=True,
        )
    return f"sqlite:///{DEFAULT_DB}"


def _counts(value: str) -> list[int]:
    return [int(part) for part in value.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database URL (default: LADDER_DATABASE_URL, else the small demo)")
    parser.add_argument("--sessions", type=_counts, default=[5, 10, 20], help="viewers per phase, e.g. 5,10,20")
    parser.add_argument("--duration", type=float, default=90.0, help=f"seconds per phase (at most {MAX_DURATION:g})")
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between a viewer's interactions")
    parser.add_argument("--replicas", type=int, default=1, help="Ladder processes on this host (sessions alternate)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to serve on")
    parser.add_argument("--port", type=int, default=0, help="first port (default: any free port)")
    parser.add_argument("--today", default=os.environ.get("LADDER_TODAY", "2026-11-25"))
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds an interaction may take")
    parser.add_argument("--sample", type=float, default=1.0, help="seconds between memory samples")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path, help="also write every interaction and memory sample here")
    args = parser.parse_args(argv)

    url = args.db or os.environ.get("LADDER_DATABASE_URL") or _default_database(args.today)
    try:
        result = run_load(
            url,
            args.sessions,
            duration=args.duration,
            think=args.think,
            today=args.today,
            host=args.host,
            port=args.port,
            replicas=args.replicas,
            sample_seconds=args.sample,
            timeout=args.timeout,
            seed=args.seed,
        )
    except LoadError as error:
        print(f"load: {error}", file=sys.stderr)
        return 2
    print(report(result, args.replicas, args.think, args.duration))
    if args.json:
        args.json.write_text(json.dumps(asdict(result), indent=1, default=str))
    errors = sum(s.errors for s in summarise(result)) + sum(i.error is not None for i in result.first_renders)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
