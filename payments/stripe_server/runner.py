"""Running the local Stripe-compatible server: in a thread (tests) or as `harmoni payments stripe-server`."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import uvicorn

from payments.stripe_server.app import StripeState, create_app


class LocalStripe:
    """The server on 127.0.0.1:`port` in a thread of this process; `state` is its memory (tests read events there)."""

    def __init__(self, secret_key: str, port: int, *, webhooks: list[tuple[str, str]] | None = None,
                 deliver: bool = True, path: Path | None = None) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.state = StripeState(secret_key, self.url, webhooks=webhooks, deliver=deliver, path=path)
        config = uvicorn.Config(create_app(self.state), host="127.0.0.1", port=port, log_level="warning",
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None

    def start(self, timeout_s: float = 10.0) -> LocalStripe:
        self.thread = threading.Thread(target=self.server.run, name="local-stripe", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the local Stripe server did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(5)


def serve(secret_key: str, port: int, webhooks: list[tuple[str, str]], path: Path) -> None:
    """Serve in the foreground until interrupted (the embedded default's `stripe` process)."""
    state = StripeState(secret_key, f"http://127.0.0.1:{port}", webhooks=webhooks, path=path)
    uvicorn.run(create_app(state), host="127.0.0.1", port=port, log_level="warning", lifespan="off")


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0
