"""A TCP proxy in front of the database for fault tests: relay, refuse or hang, switched at will.

- `relay`: bytes go both ways, as if the proxy were not there;
- `refuse`: nothing listens on the port, so a connection is refused at once; open connections are cut;
- `hang`: connections are accepted and nothing is relayed either way, so clients wait for an answer that
  never comes (open connections freeze too), like a database host that stopped answering.

It listens on 127.0.0.1 only, holds at most `max_connections` connections (more are closed at once) and stops
by itself after `lifetime_seconds`, so a test that forgets it cannot leave a relay running.
"""

from __future__ import annotations

import select
import socket
import threading
import time

RELAY, REFUSE, HANG = "relay", "refuse", "hang"


class FaultProxy:
    def __init__(
        self, upstream: tuple[str, int], *, max_connections: int = 64, lifetime_seconds: float = 900
    ) -> None:
        self.upstream = upstream
        self.max_connections = max_connections
        self.deadline = time.monotonic() + lifetime_seconds
        self.mode = RELAY
        self.accepted = 0
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket | None]] = []
        self._stopped = threading.Event()
        self._listener: socket.socket | None = None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._listen()
        threading.Thread(target=self._accept_forever, name="fault-proxy", daemon=True).start()

    # --- switching ------------------------------------------------------------------------------------------

    def set_mode(self, mode: str) -> None:
        """Switch to relay, refuse or hang; refusing closes the port and cuts every open connection."""
        assert mode in (RELAY, REFUSE, HANG), mode
        with self._lock:
            self.mode = mode
            if mode == REFUSE:
                self._close_listener()
                self._cut_all()
            elif self._listener is None:
                self._listen()

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            self._close_listener()
            self._cut_all()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    # --- inside ---------------------------------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.1)
        self._listener = listener

    def _close_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _cut_all(self) -> None:
        for pair in self._pairs:
            for sock in pair:
                if sock is not None:
                    try:
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                        sock.close()
                    except OSError:
                        pass
        self._pairs.clear()

    def _accept_forever(self) -> None:
        while not self._stopped.is_set():
            if time.monotonic() > self.deadline:
                self.stop()
                return
            listener = self._listener
            if listener is None:
                time.sleep(0.05)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self.accepted += 1
                if len(self._pairs) >= self.max_connections:
                    client.close()
                    continue
                upstream = None
                if self.mode == RELAY:
                    try:
                        upstream = socket.create_connection(self.upstream, timeout=5)
                    except OSError:
                        client.close()
                        continue
                self._pairs.append((client, upstream))
            if upstream is not None:
                threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        """Relay both ways while the mode is relay; freeze (read nothing) while it is hang."""
        peers = {client: upstream, upstream: client}
        try:
            while not self._stopped.is_set():
                if self.mode != RELAY:
                    time.sleep(0.05)
                    continue
                readable, _, _ = select.select(list(peers), [], [], 0.1)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    peers[source].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for sock in (client, upstream):
                try:
                    sock.close()
                except OSError:
                    pass
            with self._lock:
                self._pairs = [p for p in self._pairs if p[0] is not client]
