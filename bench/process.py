"""Starting and stopping a Ladder server process: shared by the load test and the browser tests."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO


class ServerError(RuntimeError):
    """The server exited, or did not become healthy in time; the message ends with the tail of its log."""


def log_tail(log: IO[str], chars: int = 4000) -> str:
    """The last `chars` characters the server wrote to its log file."""
    log.flush()
    return Path(log.name).read_text(errors="replace")[-chars:]


def wait_until_healthy(base_url: str, process: subprocess.Popen, log: IO[str], timeout: float) -> None:
    """Poll Streamlit's `/_stcore/health` until it answers "ok"; raise ServerError if the process exits or time runs
    out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"Ladder exited with {process.returncode} before it was healthy:\n{log_tail(log)}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise ServerError(f"Ladder was not healthy at {base_url} within {timeout:.0f} s:\n{log_tail(log)}")


def stop(process: subprocess.Popen) -> None:
    """Stop the server's process group politely, then for good: on a loaded machine even a killed server can take a
    while to hand its memory back."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=120)
    except ProcessLookupError:
        pass
