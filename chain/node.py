"""A managed anvil node whose chain state persists in the data directory."""

from __future__ import annotations

import gzip
import json
import logging
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from chain.toolchain import native_tool
from harmoni.errors import ConfigurationError
from harmoni.processes import die_with_parent

log = logging.getLogger(__name__)


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
    """anvil on 127.0.0.1:<port>, state loaded from and dumped to `state_path`.

    With `mined_by_caller`, anvil never mines by itself (`--no-mining`): the caller mines with `mine()` and writes
    the state with `persist()` before it mines the next block, so the file on disk always holds every block but the
    newest (which nothing treats as final). Otherwise anvil dumps its state every few seconds and on exit.
    """

    def __init__(self, port: int, chain_id: int, state_path: Path | None, log_path: Path | None = None,
                 block_time: float | None = None, extra_args: tuple[str, ...] = (),
                 mined_by_caller: bool = False) -> None:
        self.port = port
        self.chain_id = chain_id
        self.state_path = state_path
        self.log_path = log_path
        self.block_time = block_time
        self.extra_args = extra_args
        self.mined_by_caller = mined_by_caller
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        cmd = [str(native_tool("anvil")), "--host", "127.0.0.1", "--port", str(self.port),
               "--chain-id", str(self.chain_id), "--silent"]
        if self.mined_by_caller:
            cmd += ["--no-mining"]
            if self.state_path is not None and self.state_path.exists():
                cmd += ["--load-state", str(self.state_path)]
        else:
            if self.state_path is not None:
                # Dumped on exit and every few seconds, so a hard kill loses at most that window.
                cmd += ["--state", str(self.state_path), "--state-interval", "5"]
            if self.block_time:
                cmd += ["--block-time", str(self.block_time)]
        return [*cmd, *self.extra_args]

    def mine(self) -> None:
        rpc_call(self.url, "evm_mine")

    def pending_transactions(self) -> int:
        return int(rpc_call(self.url, "txpool_status")["pending"], 16)

    def persist(self) -> int:
        """Write the whole chain state to `state_path` durably (temp file, fsync, rename); returns its size."""
        assert self.state_path is not None
        dump = rpc_call(self.url, "anvil_dumpState", timeout=60.0)
        document = gzip.decompress(bytes.fromhex(dump.removeprefix("0x")))  # --load-state reads plain JSON
        temporary = self.state_path.with_suffix(".tmp")
        with open(temporary, "wb") as out:
            out.write(document)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.state_path)
        directory = os.open(self.state_path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return len(document)

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
        """SIGTERM lets anvil dump its state before it exits (we write it ourselves when we mine)."""
        if self.process is None or self.process.poll() is not None:
            return
        if self.mined_by_caller and self.state_path is not None:
            try:
                self.persist()
            except (OSError, RuntimeError) as err:
                log.warning("could not write the chain state at stop", extra={"error": str(err)})
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class ChainClock(threading.Thread):
    """Mines the managed node like a real chain and makes each block durable before the next one exists.

    A block every `block_time` seconds while there are transactions to mine or a block with transactions is not
    yet final (the `finalized` tag trails the head by two blocks); otherwise one every `idle_blocks` block times,
    so an idle chain, whose whole state is written at every block, grows slowly.
    """

    def __init__(self, node: AnvilNode, block_time: float, idle_blocks: int = 5) -> None:
        super().__init__(name="chain-clock", daemon=True)
        self.node = node
        self.block_time = block_time
        self.idle_blocks = idle_blocks
        self.stopping = threading.Event()
        self.persisted_blocks = 0
        self.persist_seconds = 0.0

    def run(self) -> None:
        blocks_since_work = self.idle_blocks
        idle_ticks = 0
        while not self.stopping.wait(self.block_time):
            try:
                pending = self.node.pending_transactions()
                idle_ticks += 1
                if pending == 0 and blocks_since_work >= 2 and idle_ticks < self.idle_blocks:
                    continue
                self.node.mine()
                started = time.perf_counter()
                self.node.persist()
                self.persist_seconds += time.perf_counter() - started
                self.persisted_blocks += 1
                blocks_since_work = 0 if pending else blocks_since_work + 1
                idle_ticks = 0
            except (OSError, RuntimeError) as err:  # the node is restarting or gone: the supervisor decides
                log.warning("chain clock could not mine", extra={"error": str(err)})

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)
