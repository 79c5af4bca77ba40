import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from web3.exceptions import ContractCustomError

from chain.client import ChainClient
from chain.errors import RpcError
from chain.retry import RetryPolicy, is_transient, with_retries

FAST = RetryPolicy(attempts=4, base_delay_s=0.001, max_delay_s=0.01, deadline_s=5)


def test_transient_failures_are_retried_until_success():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise requests.ConnectionError("connection reset")
        return "ok"

    sleeps: list[float] = []
    assert with_retries(flaky, FAST, sleep=sleeps.append) == "ok"
    assert len(calls) == 3 and len(sleeps) == 2
    assert all(0 <= s <= 0.01 for s in sleeps)


def test_reverts_and_bounded_attempts_are_not_retried_forever():
    calls = []

    def reverts():
        calls.append(1)
        raise ContractCustomError("0xdeadbeef", data="0xdeadbeef")

    with pytest.raises(ContractCustomError):
        with_retries(reverts, FAST)
    assert len(calls) == 1 and not is_transient(ContractCustomError("0x"))

    def always_down():
        calls.append(1)
        raise requests.Timeout("read timed out")

    calls.clear()
    with pytest.raises(requests.Timeout):
        with_retries(always_down, FAST, sleep=lambda _: None)
    assert len(calls) == FAST.attempts


@pytest.fixture
def flaky_node():
    """A real HTTP JSON-RPC endpoint that answers 503 for the first `failures` requests."""
    state = {"hits": 0, "failures": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            state["hits"] += 1
            if state["hits"] <= state["failures"]:
                self.send_response(503)
                self.end_headers()
                return
            answer = json.dumps({"jsonrpc": "2.0", "id": body["id"], "result": "0x89"}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", state
    server.shutdown()


def test_client_reads_retry_http_failures_once_per_attempt(flaky_node):
    url, state = flaky_node
    state["failures"] = 2
    assert ChainClient(url, retry=FAST).chain_id() == 137
    assert state["hits"] == 3

    state.update(hits=0, failures=100)
    with pytest.raises(RpcError, match="HTTPError"):
        ChainClient(url, retry=FAST).chain_id()
    assert state["hits"] == FAST.attempts  # our retries only: web3's own retry loop is off
