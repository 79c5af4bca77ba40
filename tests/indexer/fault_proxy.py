"""A JSON-RPC proxy in front of anvil that injects the failures real providers produce."""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

RANGE_LIMIT = 20  # blocks per eth_getLogs before the "provider" refuses


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A client that timed out and hung up is what the stall is for: not worth a traceback."""


class FaultProxy:
    def __init__(self, upstream: str, seed: int = 1, fault_rate: float = 0.25, stall_s: float = 1.5) -> None:
        self.upstream = upstream
        self.rng = random.Random(seed)
        self.fault_rate = fault_rate
        self.stall_s = stall_s
        self.injected: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.session = requests.Session()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                status, headers, payload = proxy.handle(json.loads(body))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _count(self, kind: str) -> None:
        with self.lock:
            self.injected[kind] += 1

    def handle(self, request) -> tuple[int, dict, bytes]:
        single = request if isinstance(request, dict) else None
        if single and single.get("method") == "eth_getLogs":
            refusal = self._range_refusal(single)
            if refusal is not None:
                return 200, {}, json.dumps(refusal).encode()
        with self.lock:
            roll = self.rng.random()
        if roll < self.fault_rate:
            kind = ("rpc_error", "http_429", "http_503", "timeout")[int(roll / self.fault_rate * 4)]
            self._count(kind)
            if kind == "rpc_error":
                error = {"jsonrpc": "2.0", "id": single.get("id") if single else None,
                         "error": {"code": -32603, "message": "internal error"}}
                return 200, {}, json.dumps(error).encode()
            if kind == "http_429":
                return 429, {"retry-after": "0"}, b'{"message":"rate limited"}'
            if kind == "http_503":
                return 503, {}, b"upstream unavailable"
            time.sleep(self.stall_s)  # longer than the client's timeout: it has given up
        answer = self.session.post(self.upstream, json=request, timeout=30)
        return answer.status_code, {}, answer.content

    def _range_refusal(self, request: dict) -> dict | None:
        params = request["params"][0]
        if "blockHash" in params:
            return None
        start, end = int(params["fromBlock"], 16), int(params["toBlock"], 16)
        if end - start + 1 <= RANGE_LIMIT:
            return None
        with self.lock:
            hint = self.rng.random() < 0.5
        self._count("range_limit_hinted" if hint else "range_limit")
        message = (f"query returned more than 10000 results. Try with this block range "
                   f"[{hex(start)}, {hex(start + RANGE_LIMIT - 1)}]." if hint else "block range is too wide")
        return {"jsonrpc": "2.0", "id": request.get("id"), "error": {"code": -32005, "message": message}}
