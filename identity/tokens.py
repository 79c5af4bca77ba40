"""Access tokens (short-lived HS256 JWTs) and refresh tokens (opaque, stored only as a sha-256 hash)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from identity.errors import InvalidToken

ACCESS_TOKEN_TTL = timedelta(minutes=15)
REFRESH_TOKEN_TTL = timedelta(days=30)
ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ["sub", "roles", "exp", "iat", "jti"]


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    roles: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime
    token_id: str


def issue_access_token(user_id: uuid.UUID, roles: list[str], secret: str, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    claims = {"sub": str(user_id), "roles": sorted(roles), "iat": int(now.timestamp()),
              "exp": int((now + ACCESS_TOKEN_TTL).timestamp()), "jti": uuid.uuid4().hex}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_access_token(token: str, secret: str) -> AccessClaims:
    """The token's claims, or InvalidToken (bad signature, expired, malformed, wrong algorithm)."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": _REQUIRED_CLAIMS})
        return AccessClaims(user_id=uuid.UUID(claims["sub"]), roles=tuple(claims["roles"]),
                            issued_at=datetime.fromtimestamp(claims["iat"], UTC),
                            expires_at=datetime.fromtimestamp(claims["exp"], UTC), token_id=claims["jti"])
    except jwt.ExpiredSignatureError as err:
        raise InvalidToken("the access token has expired") from err
    except (jwt.InvalidTokenError, ValueError, TypeError) as err:
        raise InvalidToken("the access token is not valid") from err


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def refresh_token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
