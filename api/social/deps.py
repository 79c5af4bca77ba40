"""Who may write to the social layer: a signed-in, unsuspended account within its write limits (per account and
per client IP)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.deps import ContextDep, CurrentUser, SessionDep, client_ip
from harmoni.errors import RateLimited
from harmoni.ratelimit import limiter_for
from identity.models import User
from social import posts
from social.errors import AccountSuspended


def _limit(context, key: str, limit: int, what: str) -> None:
    decision = limiter_for(context.settings.redis_url).hit(key, limit, 60.0)
    if not decision.allowed:
        raise RateLimited(f"more than {limit} {what} a minute: wait {decision.reset_after_s} s",
                          retry_after_s=decision.reset_after_s, limit=limit)


def social_writer(request: Request, session: SessionDep, context: ContextDep, user: CurrentUser) -> User:
    settings = context.settings
    _limit(context, f"social-write-account:{user.id}", settings.social_write_rate_limit_per_minute, "social writes")
    ip = client_ip(request)
    if ip is not None:
        _limit(context, f"social-write-ip:{ip}", settings.social_write_ip_rate_limit_per_minute,
               "social writes from your address")
    if posts.is_suspended(session, user.id):
        raise AccountSuspended("this account is suspended: it can read but not write")
    return user


def message_writer(context: ContextDep, user: Annotated[User, Depends(social_writer)]) -> User:
    _limit(context, f"social-message:{user.id}", context.settings.social_message_rate_limit_per_minute,
           "direct messages")
    return user


SocialWriter = Annotated[User, Depends(social_writer)]
MessageWriter = Annotated[User, Depends(message_writer)]
