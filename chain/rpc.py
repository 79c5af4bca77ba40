"""A lean JSON-RPC transport for the hot paths (log fetching, block headers).

web3.py's formatting middleware costs more than the network on a local node, so the indexer speaks
JSON-RPC directly. Provider failures become our errors here; idempotent reads are retried with
`chain.retry` (jittered exponential backoff), except range-limit answers, which the caller resolves.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import requests
from prometheus_client import Counter

from chain.errors import RpcError
from chain.retry import RetryPolicy, with_retries

# Phrases providers use when an eth_getLogs range is too large or returns too many results.
_RANGE_LIMIT_HINTS = ("range", "too many", "more than", "limit exceeded", "exceed", "response size", "too large")
_SUGGESTED_RANGE = re.compile(r"\[\s*(0x[0-9a-fA-F]+)\s*,\s*(0x[0-9a-fA-F]+)\s*\]")


class RpcTimeout(RpcError):
    slug = "rpc-timeout"
    title = "Chain RPC timed out"


class RpcRateLimited(RpcError):
    slug = "rpc-rate-limited"
    title = "Chain RPC rate limited"

    def __init__(self, detail: str, retry_after_s: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class LogRangeTooLarge(RpcError):
    """eth_getLogs refused the range; `suggested_to` is the provider's suggested last block, if any."""

    slug = "log-range-too-large"
    title = "Log range too large"

    def __init__(self, detail: str, suggested_to: int | None = None) -> None:
        super().__init__(detail)
        self.suggested_to = suggested_to


class RpcErrorResponse(RpcError):
    """The node answered with a JSON-RPC error object."""

    def __init__(self, detail: str, code: int | None = None) -> None:
        super().__init__(detail)
        self.code = code


def _classify(error: dict, method: str) -> RpcError:
    message = str(error.get("message", error))
    code = error.get("code")
    if method == "eth_getLogs":
        text = f"{message} {error.get('data', '')}".lower()
        if any(hint in text for hint in _RANGE_LIMIT_HINTS):
            match = _SUGGESTED_RANGE.search(f"{message} {error.get('data', '')}")
            return LogRangeTooLarge(message, int(match.group(2), 16) if match else None)
    if code == 429 or "rate limit" in message.lower():
        return RpcRateLimited(message)
    return RpcErrorResponse(f"{method}: {message}", code)


RPC_REQUESTS = Counter("harmoni_rpc_requests_total", "JSON-RPC requests sent", ["method"])
RPC_ERRORS = Counter("harmoni_rpc_errors_total", "JSON-RPC requests that failed", ["method", "kind"])


def _transient(err: BaseException) -> bool:
    return isinstance(err, (RpcTimeout, RpcRateLimited, RpcErrorResponse))


INDEXER_RETRY = RetryPolicy(attempts=6, base_delay_s=0.1, max_delay_s=5.0, deadline_s=60.0)


class JsonRpc:
    def __init__(self, url: str, timeout_s: float = 10.0, policy: RetryPolicy = INDEXER_RETRY) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.policy = policy
        self.session = requests.Session()
        self.calls = 0
        self.errors = 0
        self._ids = itertools.count(1)

    def call(self, method: str, params: list[Any]) -> Any:
        """One call, retried on transient failures (range errors are the caller's to handle)."""
        return with_retries(lambda: self._once(method, params), self.policy, transient=_transient)

    def _post(self, payload: Any) -> Any:
        try:
            response = self.session.post(self.url, json=payload, timeout=self.timeout_s)
        except requests.Timeout as err:
            raise RpcTimeout(f"RPC timed out after {self.timeout_s}s") from err
        except requests.RequestException as err:
            raise RpcErrorResponse(f"RPC transport failed: {type(err).__name__}") from err
        if response.status_code == 429:
            retry_after = response.headers.get("retry-after")
            raise RpcRateLimited("HTTP 429", float(retry_after) if retry_after and retry_after.isdigit() else None)
        if response.status_code >= 500:
            raise RpcErrorResponse(f"HTTP {response.status_code}", response.status_code)
        try:
            return response.json()
        except ValueError as err:
            raise RpcErrorResponse(f"HTTP {response.status_code}: not JSON") from err

    def _once(self, method: str, params: list[Any]) -> Any:
        self.calls += 1
        RPC_REQUESTS.labels(method).inc()
        try:
            answer = self._post({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params})
            if not isinstance(answer, dict):
                raise RpcErrorResponse(f"{method}: malformed response")
            if answer.get("error"):
                raise _classify(answer["error"], method)
        except RpcError as err:
            self.errors += 1
            RPC_ERRORS.labels(method, err.slug).inc()
            raise
        return answer.get("result")
