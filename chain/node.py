"""A managed anvil node whose chain state persists in the data directory."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from chain.toolchain import native_tool
from harmoni.errors import ConfigurationError
from harmoni.processes import die_with_parent


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def rpc_call(url: str, method: str, params: list | None = None, timeout: float = 2.0):
    """One raw JSON-RPC call (used before a web3 client exists, e.g. while a node boots)."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(url, body, {"content-type": "application/json"})  # noqa: S310 -- http(s) RPC URL
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        answer = json.load(response)
    if "error" in answer:
        raise RuntimeError(answer["error"])
    return answer["result"]


class AnvilNode:
    """anvil on 127.0.0.1:<port>, state loaded from and dumped to `state_path`."""

    def __init__(self, port: int, chain_id: int, state_path: Path | None, log_path: Path | None = None,
                 block_time: float | None = None, extra_args: tuple[str, ...] = ()) -> None:
        self.port = port
        self.chain_id = chain_id
        self.state_path = state_path
        self.log_path = log_path
        self.block_time = block_time
        self.extra_args = extra_args
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        cmd = [str(native_tool("anvil")), "--host", "127.0.0.1", "--port", str(self.port),
               "--chain-id", str(self.chain_id), "--silent"]
        if self.state_path is not None:
            # Dumped on exit and every few seconds, so a hard kill loses at most that window.
            cmd += ["--state", str(self.state_path), "--state-interval", "5"]
        if self.block_time:
            cmd += ["--block-time", str(self.block_time)]
        return [*cmd, *self.extra_args]

    def start(self, timeout: float = 15.0) -> None:
        if port_in_use("127.0.0.1", self.port):
            raise ConfigurationError(f"port {self.port} is in use: cannot start anvil (set HARMONI_ANVIL_PORT)")
        if self.state_path is not None:
            self.state_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                        preexec_fn=die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ConfigurationError(f"anvil exited with code {self.process.returncode} at start")
            try:
                rpc_call(self.url, "eth_chainId")
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        self.stop()
        raise ConfigurationError(f"anvil did not answer on {self.url} within {timeout:.0f}s")

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM lets anvil dump its state before it exits."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
