"""Who may report usage, and the rate limits of the player's endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response

from api.deps import ContextDep, CurrentUser, client_ip
from api.openapi import documents
from api.partners.deps import PartnerCaller, PartnerCallerWith
from harmoni.ratelimit import limiter_for
from identity.models import User
from partners.errors import RateLimited
from partners.models import ApiScope

PLAY_WINDOW_S = 60
IP_HOUR_S = 3600


@documents(RateLimited)
def limited_listener(request: Request, response: Response, context: ContextDep, user: CurrentUser) -> User:
    """The signed-in listener, counted against the per-account and per-IP limits (429 with Retry-After)."""
    limiter = limiter_for(context.settings.redis_url)
    settings = context.settings
    checks = [(f"play-account:{user.id}", settings.play_rate_limit_per_minute, "this account")]
    ip = client_ip(request)
    if ip is not None:
        checks.append((f"play-ip:{ip}", settings.play_ip_rate_limit_per_minute, "this IP address"))
    for key, limit, whom in checks:
        decision = limiter.hit(key, limit, PLAY_WINDOW_S)
        if not decision.allowed:
            raise RateLimited(f"{whom} may make {limit} playback requests per minute; retry in "
                              f"{decision.reset_after_s}s", retry_after_s=decision.reset_after_s, limit=limit)
        if whom == "this account":
            response.headers["X-RateLimit-Limit"] = str(limit)
            response.headers["X-RateLimit-Remaining"] = str(decision.remaining)
            response.headers["X-RateLimit-Reset"] = str(decision.reset_after_s)
    return user


def ip_over_hourly_plays(context, ip: str | None) -> bool:
    """Count a reported play against its IP's hour; True once the IP is over `play_ip_max_per_hour`."""
    if ip is None:
        return False
    limit = context.settings.play_ip_max_per_hour
    return not limiter_for(context.settings.redis_url).hit(f"plays-ip-hour:{ip}", limit, IP_HOUR_S).allowed


ListenerDep = Annotated[User, Depends(limited_listener)]
UsageReporter = Annotated[PartnerCaller, Depends(PartnerCallerWith(ApiScope.usage_write))]
