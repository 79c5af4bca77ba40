"""Fixed-window request counters (per API key, account, IP…): in Redis when configured, else in this process.

A window opens with a key's first request and lasts `window_s`; the count and the window's expiry are
set in one Lua script, so replicas sharing Redis share one count and never leave a counter without
expiry. Without Redis (the embedded default) each API process counts on its own, with the same rules.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import redis

log = logging.getLogger(__name__)

KEY_PREFIX = "harmoni:ratelimit:"

# KEYS[1] counter; ARGV[1] window in ms. Returns {count, ms until the window closes}.
_HIT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_after_s: int  # seconds until the window closes (the `Retry-After` when refused)


def _decision(count: int, limit: int, reset_after_ms: float) -> RateDecision:
    return RateDecision(allowed=count <= limit, limit=limit, remaining=max(limit - count, 0),
                        reset_after_s=max(math.ceil(reset_after_ms / 1000), 1))


class RateLimiter(Protocol):
    def hit(self, key: str, limit: int, window_s: float = 60.0) -> RateDecision:
        """Count one request for `key` and say whether it is within `limit` per window."""
        ...


class RedisRateLimiter:
    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self._script = self._client.register_script(_HIT)
        self._warned_at = 0.0

    def hit(self, key: str, limit: int, window_s: float = 60.0) -> RateDecision:
        try:
            count, ttl_ms = self._script(keys=[KEY_PREFIX + key], args=[int(window_s * 1000)])
        except redis.RedisError as err:
            # Fail open: a Redis outage must not take the partner API down with it.
            if time.monotonic() - self._warned_at > 60:
                log.warning("rate limiting skipped: Redis unavailable", extra={"error": str(err)})
                self._warned_at = time.monotonic()
            return RateDecision(allowed=True, limit=limit, remaining=limit, reset_after_s=math.ceil(window_s))
        return _decision(int(count), limit, float(ttl_ms))


class InProcessRateLimiter:
    """The same windows in a dict, for one process (thread-safe); expired windows are dropped as we go."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[int, float]] = {}  # key -> (count, closes_at)
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def hit(self, key: str, limit: int, window_s: float = 60.0) -> RateDecision:
        now = self._clock()
        with self._lock:
            if now >= self._next_sweep:
                self._windows = {k: w for k, w in self._windows.items() if w[1] > now}
                self._next_sweep = now + window_s
            count, closes_at = self._windows.get(key, (0, now + window_s))
            if closes_at <= now:
                count, closes_at = 0, now + window_s
            self._windows[key] = (count + 1, closes_at)
        return _decision(count + 1, limit, (closes_at - now) * 1000)


@lru_cache(maxsize=4)
def limiter_for(redis_url: str) -> RateLimiter:
    """One limiter per process and Redis URL; the in-process one when the URL is empty."""
    return RedisRateLimiter(redis_url) if redis_url else InProcessRateLimiter()


# Backoff after repeated failures (wrong passwords): the first `free` failures cost nothing; each one after
# locks the key for base·2^(n-free-1) seconds, at most `max`. Failures are forgotten `memory_s` after the last
# one, or at once on success.

# KEYS[1] failures, KEYS[2] lock; ARGV free, base ms, max ms, memory ms. Returns {failures, lock ms}.
_FAIL = """
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local free = tonumber(ARGV[1])
if n <= free then return {n, 0} end
local lock = math.floor(math.min(tonumber(ARGV[2]) * 2 ^ (n - free - 1), tonumber(ARGV[3])))
redis.call('SET', KEYS[2], '1', 'PX', lock)
return {n, lock}
"""


@dataclass(frozen=True)
class BackoffPolicy:
    free: int = 5
    base_s: float = 1.0
    max_s: float = 900.0
    memory_s: float = 3600.0

    def lock_s(self, failures: int) -> float:
        return 0.0 if failures <= self.free else min(self.base_s * 2 ** min(failures - self.free - 1, 64), self.max_s)


class Backoff(Protocol):
    def locked_for(self, key: str) -> int:
        """Whole seconds `key` stays locked (0: not locked)."""
        ...

    def failed(self, key: str, policy: BackoffPolicy) -> int:
        """Count a failure; the seconds the key is now locked for."""
        ...

    def succeeded(self, key: str) -> None:
        ...


class RedisBackoff:
    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self._script = self._client.register_script(_FAIL)
        self._warned_at = 0.0

    def _warn(self, err: Exception) -> None:
        if time.monotonic() - self._warned_at > 60:
            log.warning("backoff skipped: Redis unavailable", extra={"error": str(err)})
            self._warned_at = time.monotonic()

    def locked_for(self, key: str) -> int:
        try:
            ttl_ms = self._client.pttl(f"{KEY_PREFIX}lock:{key}")
        except redis.RedisError as err:  # fail open, like the limiter
            self._warn(err)
            return 0
        return math.ceil(ttl_ms / 1000) if ttl_ms > 0 else 0

    def failed(self, key: str, policy: BackoffPolicy) -> int:
        try:
            _, lock_ms = self._script(keys=[f"{KEY_PREFIX}fail:{key}", f"{KEY_PREFIX}lock:{key}"],
                                      args=[policy.free, int(policy.base_s * 1000), int(policy.max_s * 1000),
                                            int(policy.memory_s * 1000)])
        except redis.RedisError as err:
            self._warn(err)
            return 0
        return math.ceil(int(lock_ms) / 1000)

    def succeeded(self, key: str) -> None:
        try:
            self._client.delete(f"{KEY_PREFIX}fail:{key}", f"{KEY_PREFIX}lock:{key}")
        except redis.RedisError as err:
            self._warn(err)


class InProcessBackoff:
    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._keys: dict[str, tuple[int, float, float]] = {}  # key -> (failures, forget_at, locked_until)
        self._lock = threading.Lock()

    def locked_for(self, key: str) -> int:
        now = self._clock()
        with self._lock:
            _, _, locked_until = self._keys.get(key, (0, 0.0, 0.0))
        return math.ceil(locked_until - now) if locked_until > now else 0

    def failed(self, key: str, policy: BackoffPolicy) -> int:
        now = self._clock()
        with self._lock:
            self._keys = {k: v for k, v in self._keys.items() if v[1] > now or v[2] > now}
            failures, _, locked_until = self._keys.get(key, (0, 0.0, 0.0))
            lock_s = policy.lock_s(failures + 1)
            self._keys[key] = (failures + 1, now + policy.memory_s, max(locked_until, now + lock_s))
        return math.ceil(lock_s)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)


def backoff_for(redis_url: str) -> Backoff:
    """A backoff on the shared Redis when configured, else one for this process (a new one each call)."""
    return RedisBackoff(redis_url) if redis_url else InProcessBackoff()
