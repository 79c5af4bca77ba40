"""One webhook POST to a pinned address, with a total deadline and a bounded read of the answer.

The connection goes to the address the SSRF guard checked (`Target.address`), never to a second DNS answer;
the Host header, TLS SNI and the certificate check use the URL's host name. A watchdog shuts the socket at
the deadline, so an endpoint that trickles bytes cannot hold an attempt longer than that, and only the first
`max_bytes` of the answer are read before the connection is closed.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from partners.webhooks import Target


@dataclass(frozen=True)
class Answer:
    status_code: int | None  # None: no HTTP answer (refused, timed out, broken)
    excerpt: bytes
    error: str | None


class ConnectError(OSError):
    """No connection to the endpoint's address (refused, unreachable)."""


class _Deadline:
    """Shuts the connection's socket when the deadline passes; whatever blocks on it then fails at once."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(self.at - time.monotonic(), 0.001)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            if self.expired:
                raise TimeoutError("the deadline passed while connecting")

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                with contextlib.suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _connection(target: Target, deadline: _Deadline) -> http.client.HTTPConnection:
    def connect_pinned(conn: http.client.HTTPConnection) -> socket.socket:
        try:
            sock = socket.create_connection((target.address, target.port), timeout=deadline.remaining())
        except OSError as err:
            raise ConnectError(f"{target.address} port {target.port}: {err}") from err
        deadline.watch(sock)
        return sock

    if target.scheme == "https":
        context = ssl.create_default_context()

        class PinnedHTTPS(http.client.HTTPSConnection):
            def connect(self) -> None:
                self.sock = context.wrap_socket(connect_pinned(self), server_hostname=self.host)

        return PinnedHTTPS(target.host, target.port, timeout=deadline.remaining(), context=context)

    class PinnedHTTP(http.client.HTTPConnection):
        def connect(self) -> None:
            self.sock = connect_pinned(self)

    return PinnedHTTP(target.host, target.port, timeout=deadline.remaining())


def post(target: Target, path: str, body: bytes, headers: dict[str, str], *, deadline_s: float,
         max_bytes: int) -> Answer:
    """POST `body` to `target`; connect, send and read all within `deadline_s`. Never raises for network trouble."""
    deadline = _Deadline(deadline_s)
    conn = _connection(target, deadline)
    try:
        conn.request("POST", path or "/", body=body, headers={**headers, "Connection": "close"})
        response = conn.getresponse()
        excerpt = response.read(max_bytes)
        status = response.status
    except (OSError, http.client.HTTPException, ValueError) as err:
        if deadline.expired:
            return Answer(None, b"", f"Timeout: no complete answer within {deadline_s:g}s")
        return Answer(None, b"", f"{type(err).__name__}: {err}"[:500])
    finally:
        deadline.cancel()
        conn.close()
    if deadline.expired:  # the answer trickled in past the deadline: cut off, not taken
        return Answer(None, b"", f"Timeout: no complete answer within {deadline_s:g}s")
    return Answer(status, excerpt, None)
