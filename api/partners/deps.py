"""Partner API keys on requests: checked (hash, not revoked, scope) and counted against the key's rate limit.

A key comes as `Authorization: Bearer hk_live_…` or `X-API-Key: hk_live_…`. A bearer token without the key
prefix is an access token, left to the user dependencies of `api/deps.py`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.deps import AppContext, ContextDep
from api.errors import problem_responses
from harmoni.ratelimit import limiter_for
from identity import service as identity
from identity.errors import Forbidden, InvalidToken, Unauthenticated
from partners import service
from partners.errors import InvalidApiKey, RateLimited, ScopeMissing
from partners.models import ApiScope

RATE_WINDOW_S = 60
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="A partner API key (hk_live_…)")
_bearer = HTTPBearer(auto_error=False, description="A partner API key (hk_live_…) or an access token")


async def _api_key(request: Request, _declared: Annotated[str | None, Depends(_api_key_header)]) -> str | None:
    # The raw header: FastAPI's APIKeyHeader reads an empty `X-API-Key` as none, so an empty key would fall back to
    # the bearer token's account. A key header that came is checked, empty or not. (`_declared` documents it.)
    return request.headers.get("x-api-key")


ApiKeyHeaderDep = Annotated[str | None, Depends(_api_key)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def presented_key(x_api_key: str | None, bearer: HTTPAuthorizationCredentials | None) -> str | None:
    if x_api_key is not None:
        return x_api_key.strip()
    if bearer is not None and bearer.credentials.startswith(service.KEY_PREFIX):
        return bearer.credentials
    return None


def admit(context: AppContext, response: Response, key: str, scopes: tuple[ApiScope, ...]) -> service.AuthenticatedKey:
    """Authenticate `key`, count the request against its limit, then check its scopes (401, 429, 403)."""
    with context.sessions.begin() as session:  # its own short transaction: the request's stays untouched
        found = service.authenticate(session, key)
    limit = context.settings.partner_rate_limit_per_minute
    limiter = limiter_for(context.settings.redis_url)
    decision = limiter.hit(f"partner-key:{found.id}", limit, RATE_WINDOW_S)
    if not decision.allowed:
        raise RateLimited(f"this API key may make {limit} requests per minute; retry in {decision.reset_after_s}s",
                          retry_after_s=decision.reset_after_s, limit=limit)
    # All keys of one account together, too: more keys are not more requests.
    account_limit = context.settings.partner_account_rate_limit_per_minute
    account = limiter.hit(f"partner-account:{found.user_id}", account_limit, RATE_WINDOW_S)
    if not account.allowed:
        raise RateLimited(f"the API keys of this account may make {account_limit} requests per minute together; "
                          f"retry in {account.reset_after_s}s", retry_after_s=account.reset_after_s,
                          limit=account_limit)
    response.headers["X-RateLimit-Limit"] = str(limit)
    response.headers["X-RateLimit-Remaining"] = str(decision.remaining)
    response.headers["X-RateLimit-Reset"] = str(decision.reset_after_s)
    missing = sorted(s.value for s in scopes if s.value not in found.scopes)
    if missing:
        raise ScopeMissing(f"this API key lacks the scope {', '.join(missing)}", missing_scopes=missing)
    return found


class PartnerKey:
    """Dependency: the request's partner key holding `scopes`; with `optional`, None when no key came.

    `key: Annotated[AuthenticatedKey, Depends(PartnerKey(ApiScope.assets_read))]`
    """

    def __init__(self, *scopes: ApiScope, optional: bool = False) -> None:
        self.scopes = scopes
        self.optional = optional
        self.problems = (InvalidApiKey, ScopeMissing, RateLimited) + (() if optional else (Unauthenticated,))
        self.credentials = "optional" if optional else "required"

    async def __call__(self, context: ContextDep, response: Response, x_api_key: ApiKeyHeaderDep,
                       bearer: BearerDep) -> service.AuthenticatedKey | None:
        # async, so a request without a key (most public reads, often answered from cache) stays on the event
        # loop; checking and counting a key (database, Redis) goes to the thread pool.
        key = presented_key(x_api_key, bearer)
        if key is None:
            if self.optional:
                return None
            raise Unauthenticated("this endpoint needs a partner API key (Authorization: Bearer hk_live_… "
                                  "or X-API-Key)")
        return await run_in_threadpool(admit, context, response, key, self.scopes)


# For public reads that partners also make: anonymous stays allowed; a key that comes must be valid,
# hold `assets:read`, and is counted against its limit. Use in a router's `dependencies=[...]`, with
# `responses=PUBLIC_OR_PARTNER_KEY_PROBLEMS` to document what a key may be refused with.
PublicOrPartnerKey: Any = Depends(PartnerKey(ApiScope.assets_read, optional=True))
PUBLIC_OR_PARTNER_KEY_PROBLEMS = problem_responses(InvalidApiKey, ScopeMissing, Forbidden, RateLimited)


@dataclass(frozen=True)
class PartnerCaller:
    """Whose partner resources a request manages: by a key (`key_id`) or signed in (`key_id` None)."""

    user_id: uuid.UUID
    key_id: uuid.UUID | None


class PartnerCallerWith:
    """Dependency: a key holding `scope`, or a signed-in partner or admin (the resources are the account's)."""

    problems = (Unauthenticated, InvalidToken, InvalidApiKey, ScopeMissing, Forbidden, RateLimited)
    credentials = "required"

    def __init__(self, scope: ApiScope) -> None:
        self.scope = scope

    def __call__(self, context: ContextDep, response: Response, x_api_key: ApiKeyHeaderDep,
                 bearer: BearerDep) -> PartnerCaller:
        key = presented_key(x_api_key, bearer)
        if key is not None:
            found = admit(context, response, key, (self.scope,))
            return PartnerCaller(user_id=found.user_id, key_id=found.id)
        if bearer is None:
            raise Unauthenticated(f"this endpoint needs a partner API key with {self.scope.value} "
                                  "or a bearer access token")
        with context.sessions() as session:
            user = identity.user_for_access_token(session, context.settings, bearer.credentials)
            user_id, roles = user.id, set(user.roles)
        if service.PARTNER_ROLES.isdisjoint(roles):
            raise Forbidden("this needs the role admin or partner")
        return PartnerCaller(user_id=user_id, key_id=None)


WebhookManager = Annotated[PartnerCaller, Depends(PartnerCallerWith(ApiScope.webhooks_manage))]
