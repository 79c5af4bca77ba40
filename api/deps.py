"""Reusable request dependencies: the request owns the transaction (one session, one commit)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from api.mirror import MirrorCache
from api.openapi import documents
from chain.client import ChainClient
from content.streaming import PlayableCache
from harmoni.settings import Settings
from identity import service as identity
from identity.errors import Forbidden, InvalidToken, Unauthenticated
from identity.models import Role, User
from identity.throttle import SignInThrottle
from indexer.status import BoundedReadiness


@dataclass
class AppContext:
    """What the app holds for its lifetime, built once in `create_app`."""

    settings: Settings
    sessions: sessionmaker[Session]
    chain: ChainClient
    mirror_cache: MirrorCache = field(default_factory=MirrorCache)
    playables: PlayableCache = field(default_factory=PlayableCache)  # stream lookups, for a second
    readiness: BoundedReadiness = field(default_factory=lambda: BoundedReadiness(1.0))
    throttle: SignInThrottle | None = None  # sign-in and sign-up limits (built from the settings)

    def __post_init__(self) -> None:
        self.throttle = self.throttle or SignInThrottle(self.settings)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request: Request) -> str | None:
    """The client's address: the TCP peer, unless the peer is one of `HARMONI_TRUSTED_PROXIES`.

    Then X-Forwarded-For is read from the right (each proxy appends the peer it saw), past trusted proxies, to
    the first address that is not one: what is left of it the client wrote itself and proves nothing. (uvicorn's
    own proxy-header handling is off: by default it trusts 127.0.0.1, which any local process can be.)
    """
    peer = _address(request.client.host if request.client else "")
    proxies = get_context(request).settings.trusted_proxy_networks
    if peer is None or not any(peer in network for network in proxies):
        return str(peer) if peer is not None else None
    client = peer
    hops = [hop for value in request.headers.getlist("x-forwarded-for") for hop in value.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        client = address
        if not any(address in network for network in proxies):
            break
    return str(client)


_UNKNOWN_COUNTRIES = frozenset({"XX", "T1", "ZZ"})  # what proxies write for unknown or Tor clients


def proxy_country(request: Request) -> str | None:
    """The client's country (ISO 3166-1 alpha-2) as the proxy in front of us names it in the header that
    `HARMONI_PLAY_COUNTRY_HEADER` names (e.g. `CF-IPCountry`); only from a trusted proxy, never from a client."""
    settings = get_context(request).settings
    if not settings.play_country_header:
        return None
    peer = _address(request.client.host if request.client else "")
    if peer is None or not any(peer in network for network in settings.trusted_proxy_networks):
        return None
    value = (request.headers.get(settings.play_country_header) or "").strip().upper()
    if len(value) != 2 or not value.isascii() or not value.isalpha() or value in _UNKNOWN_COUNTRIES:
        return None
    return value


def get_context(request: Request) -> AppContext:
    return request.app.state.context


def get_session(request: Request) -> Iterator[Session]:
    """Commit once the endpoint has returned, before the response is sent.

    An error rolls everything back, unless it says `keeps_writes` (a refusal that is itself a state change,
    such as revoking a refresh-token family on reuse): then the writes are committed and the error still raised.
    """
    session = get_context(request).sessions()
    try:
        yield session
        session.commit()
    except BaseException as err:
        if getattr(err, "keeps_writes", False):
            session.commit()
        else:
            session.rollback()
        raise
    finally:
        session.close()


async def _context(request: Request) -> AppContext:
    # async: a plain `def` dependency costs every request a trip through the thread pool, even for this.
    return get_context(request)


ContextDep = Annotated[AppContext, Depends(_context)]
# scope="function": the commit happens before the response goes out, so a client never sees an answer
# whose writes then fail to commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="An access token from /v1/auth/login, /signup or /refresh")


@documents(InvalidToken, credentials="optional")
def get_optional_user(session: SessionDep, context: ContextDep,
                      credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> User | None:
    """The bearer token's user, None without a token; a token that is present but invalid is a 401."""
    if credentials is None:
        return None
    return identity.user_for_access_token(session, context.settings, credentials.credentials)


@documents(Unauthenticated, credentials="required")
def get_current_user(user: Annotated[User | None, Depends(get_optional_user)]) -> User:
    if user is None:
        raise Unauthenticated("this endpoint needs a bearer access token")
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]
CurrentUser = Annotated[User, Depends(get_current_user)]


def require_roles(*roles: Role) -> Any:
    """A dependency admitting users holding at least one of `roles` (403 otherwise, 401 without a token).

    Use as `user: Annotated[User, require_roles(Role.artist)]` or in a router's `dependencies=[...]`.
    """
    wanted = frozenset(r.value for r in roles)

    @documents(Forbidden, credentials="required")
    def check(user: CurrentUser) -> User:
        if wanted.isdisjoint(user.roles):
            raise Forbidden(f"this needs the role {' or '.join(sorted(wanted))}")
        return user

    return Depends(check)
