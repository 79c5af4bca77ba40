"""Throttling of password sign-in and sign-up: per account and per client IP, in Redis when configured.

- Per account (the e-mail typed, known or not, so a refusal says nothing about which accounts exist): after
  `HARMONI_LOGIN_FREE_FAILURES` wrong passwords, each further one locks the address for 1, 2, 4… seconds, at most
  `HARMONI_LOGIN_BACKOFF_MAX_S`; a right password clears it. Failures are forgotten an hour after the last one.
- Per client IP: `HARMONI_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE` attempts (right or wrong), and
  `HARMONI_SIGNUPS_PER_IP_PER_HOUR` sign-ups (sybil accounts would multiply the per-account play limits).

A throttled attempt is refused with 429 and `Retry-After` before any password is hashed, so it costs no argon2.
"""

from __future__ import annotations

import hashlib
import logging

from harmoni.errors import RateLimited
from harmoni.ratelimit import (
    Backoff,
    BackoffPolicy,
    InProcessRateLimiter,
    RateLimiter,
    RedisRateLimiter,
    backoff_for,
)
from harmoni.settings import Settings

log = logging.getLogger(__name__)


def _account_key(email: str) -> str:
    # Hashed: the address itself need not sit in Redis.
    return "login-account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


class SignInThrottle:
    def __init__(self, settings: Settings, limiter: RateLimiter | None = None, backoff: Backoff | None = None) -> None:
        self.settings = settings
        url = settings.redis_url
        self.limiter = limiter or (RedisRateLimiter(url) if url else InProcessRateLimiter())
        self.backoff = backoff or backoff_for(url)
        self.policy = BackoffPolicy(free=settings.login_free_failures, base_s=1.0,
                                    max_s=settings.login_backoff_max_s)

    def before_login(self, email: str, ip: str | None) -> None:
        if ip is not None:
            limit = self.settings.login_attempts_per_ip_per_minute
            decision = self.limiter.hit(f"login-ip:{ip}", limit, 60)
            if not decision.allowed:
                raise RateLimited(f"this IP address may try {limit} sign-ins per minute; retry in "
                                  f"{decision.reset_after_s}s", retry_after_s=decision.reset_after_s, limit=limit)
        locked = self.backoff.locked_for(_account_key(email))
        if locked:
            raise RateLimited(f"too many wrong passwords for this account; retry in {locked}s",
                              retry_after_s=locked, limit=self.policy.free)

    def login_failed(self, email: str, ip: str | None) -> None:
        locked = self.backoff.failed(_account_key(email), self.policy)
        if locked:
            log.warning("sign-in backoff", extra={"locked_s": locked, "ip": ip})

    def login_succeeded(self, email: str) -> None:
        self.backoff.succeeded(_account_key(email))

    def before_sign_up(self, ip: str | None) -> None:
        if ip is None:
            return
        limit = self.settings.signups_per_ip_per_hour
        decision = self.limiter.hit(f"signup-ip:{ip}", limit, 3600)
        if not decision.allowed:
            raise RateLimited(f"this IP address may create {limit} accounts per hour; retry in "
                              f"{decision.reset_after_s}s", retry_after_s=decision.reset_after_s, limit=limit)
