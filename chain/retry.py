"""Retries for idempotent RPC reads: bounded attempts, full-jitter exponential backoff, a total time budget.

Only transient failures are retried (transport errors, timeouts, HTTP 429/5xx, rate-limit answers); a
revert or an invalid request fails at once. The per-call timeout is the transport's: `ChainClient` gives
its HTTP provider `timeout`, so one attempt never hangs longer than that.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import requests
from web3.exceptions import (
    ContractLogicError,
    ProviderConnectionError,
    RequestTimedOut,
    TimeExhausted,
    TooManyRequests,
    Web3RPCError,
)

T = TypeVar("T")

# JSON-RPC error codes and phrases that providers use for "try again later".
_TRANSIENT_RPC_CODES = frozenset({429, -32005})
_TRANSIENT_RPC_PHRASES = ("rate limit", "too many requests", "timeout", "timed out", "header not found",
                          "temporarily unavailable", "try again")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay_s: float = 0.1
    max_delay_s: float = 2.0
    # Total budget across attempts and sleeps; no new attempt starts after it.
    deadline_s: float = 30.0


DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(attempts=1)


def rpc_error_message(err: BaseException) -> str:
    """The node's own message of a JSON-RPC error (web3 puts the whole error object in `str(err)`)."""
    response = getattr(err, "rpc_response", None)
    if isinstance(response, dict) and isinstance(response.get("error"), dict):
        return str(response["error"].get("message", ""))
    return str(err)


def rpc_error_code(err: BaseException) -> int | None:
    response = getattr(err, "rpc_response", None)
    if isinstance(response, dict) and isinstance(response.get("error"), dict):
        code = response["error"].get("code")
        return code if isinstance(code, int) else None
    return None


def is_transient(err: BaseException) -> bool:
    """True for failures a retry may cure; never for reverts or rejected requests."""
    if isinstance(err, ContractLogicError):
        return False
    if isinstance(err, requests.HTTPError):
        status = err.response.status_code if err.response is not None else None
        return status is None or status == 429 or status >= 500
    if isinstance(err, (requests.ConnectionError, requests.Timeout, ProviderConnectionError, TooManyRequests,
                        RequestTimedOut, TimeExhausted, ConnectionError, TimeoutError)):
        return True
    if isinstance(err, Web3RPCError):
        message = rpc_error_message(err).lower()
        return rpc_error_code(err) in _TRANSIENT_RPC_CODES or any(p in message for p in _TRANSIENT_RPC_PHRASES)
    return False


def with_retries(fn: Callable[[], T], policy: RetryPolicy = DEFAULT_RETRY, *,
                 transient: Callable[[BaseException], bool] = is_transient,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """Call `fn`; on a transient failure wait `uniform(0, min(max, base * 2**n))` and try again.

    The last failure is re-raised unchanged, so callers translate it at their boundary.
    """
    deadline = time.monotonic() + policy.deadline_s
    for attempt in itertools.count(1):
        try:
            return fn()
        except Exception as err:
            if attempt >= policy.attempts or not transient(err):
                raise
            delay = random.uniform(0, min(policy.max_delay_s, policy.base_delay_s * 2 ** (attempt - 1)))
            # A server that says when to come back (HTTP 429 Retry-After) is believed, within the cap.
            delay = max(delay, min(getattr(err, "retry_after_s", None) or 0.0, policy.max_delay_s))
            if time.monotonic() + delay >= deadline:
                raise
            sleep(delay)
    raise AssertionError("unreachable")
