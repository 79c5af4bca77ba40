"""Partner API keys (issue, list, revoke, authenticate) and webhook endpoints (register, list, delete, log).

Services flush but never commit: the request owns the transaction.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import string
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from harmoni.errors import Conflict
from identity.errors import Forbidden
from identity.models import Role, User
from partners import repository
from partners.errors import ApiKeyLimitReached, ApiKeyNotFound, InvalidApiKey, WebhookEndpointNotFound
from partners.models import ApiScope, PartnerApiKey, WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint
from partners.webhooks import check_url, new_signing_secret

log = logging.getLogger(__name__)

KEY_PREFIX = "hk_live_"
_KEY_ALPHABET = string.ascii_letters + string.digits
_KEY_RANDOM_CHARS = 40  # ~238 bits
DISPLAY_PREFIX_CHARS = len(KEY_PREFIX) + 8
PARTNER_ROLES = frozenset({Role.partner.value, Role.admin.value})
# `last_used_at` is a hint, not an audit log: write it at most this often per key.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_ENDPOINTS_PER_ACCOUNT = 20
# Live (unrevoked) keys per account: each key had its own rate limit, so unlimited keys meant an unlimited rate.
MAX_LIVE_KEYS_PER_ACCOUNT = 10


@dataclass(frozen=True)
class IssuedKey:
    """A new key and the only copy of its secret."""

    row: PartnerApiKey
    key: str


@dataclass(frozen=True)
class AuthenticatedKey:
    """The key a request came with (plain values: it outlives the session that checked it)."""

    id: uuid.UUID
    user_id: uuid.UUID
    prefix: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class RegisteredEndpoint:
    row: WebhookEndpoint
    secret: str


def _now() -> datetime:
    return datetime.now(UTC)


def key_hash(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def issue_key(session: Session, user_id: uuid.UUID, name: str, scopes: list[ApiScope]) -> IssuedKey:
    # The account's row is locked, so two concurrent issues cannot both pass the count.
    session.execute(select(User.id).where(User.id == user_id).with_for_update())
    if repository.count_live_keys_of(session, user_id) >= MAX_LIVE_KEYS_PER_ACCOUNT:
        raise ApiKeyLimitReached(f"an account may have at most {MAX_LIVE_KEYS_PER_ACCOUNT} live API keys; revoke "
                                 "one first (DELETE /v1/partner/keys/{key_id})", limit=MAX_LIVE_KEYS_PER_ACCOUNT)
    key = KEY_PREFIX + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(_KEY_RANDOM_CHARS))
    row = PartnerApiKey(id=uuid.uuid4(), user_id=user_id, name=name, prefix=key[:DISPLAY_PREFIX_CHARS],
                        secret_hash=key_hash(key), scopes=sorted({s.value for s in scopes}))
    session.add(row)
    session.flush()
    log.info("partner key issued", extra={"key_id": str(row.id), "user_id": str(user_id), "scopes": row.scopes})
    return IssuedKey(row=row, key=key)


def keys(session: Session, user_id: uuid.UUID) -> list[PartnerApiKey]:
    return repository.keys_of(session, user_id)


def revoke_key(session: Session, user_id: uuid.UUID, key_id: uuid.UUID) -> PartnerApiKey:
    """Revoke one of the user's keys (again: a no-op); another account's key is 'not found'."""
    row = repository.key_of(session, user_id, key_id)
    if row is None:
        raise ApiKeyNotFound(f"no API key {key_id} on this account")
    if row.revoked_at is None:
        row.revoked_at = _now()
        session.flush()
        log.info("partner key revoked", extra={"key_id": str(key_id), "user_id": str(user_id)})
    return row


def authenticate(session: Session, key: str, now: datetime | None = None) -> AuthenticatedKey:
    """The live key `key` stands for; 401 when unknown or revoked, 403 when its account lost the partner role."""
    now = now or _now()
    found = repository.key_with_owner_roles(session, key_hash(key)) if key.startswith(KEY_PREFIX) else None
    if found is None or found[0].revoked_at is not None:
        raise InvalidApiKey("the API key is unknown or revoked")
    row, owner_roles = found
    if PARTNER_ROLES.isdisjoint(owner_roles):
        raise Forbidden("the API key's account no longer has the partner role")
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
        session.flush()
    return AuthenticatedKey(id=row.id, user_id=row.user_id, prefix=row.prefix, scopes=frozenset(row.scopes))


# Webhook endpoints


def register_endpoint(session: Session, user_id: uuid.UUID, url: str, events: list[str], *,
                      public_only: bool) -> RegisteredEndpoint:
    if repository.count_endpoints_of(session, user_id) >= MAX_ENDPOINTS_PER_ACCOUNT:
        raise Conflict(f"an account may have at most {MAX_ENDPOINTS_PER_ACCOUNT} webhook endpoints")
    secret = new_signing_secret()
    row = WebhookEndpoint(id=uuid.uuid4(), user_id=user_id, url=check_url(url, public_only=public_only),
                          events=sorted(set(events)), signing_secret=secret)
    session.add(row)
    session.flush()
    log.info("webhook endpoint registered", extra={"endpoint_id": str(row.id), "user_id": str(user_id)})
    return RegisteredEndpoint(row=row, secret=secret)


def endpoints(session: Session, user_id: uuid.UUID) -> list[WebhookEndpoint]:
    return repository.endpoints_of(session, user_id)


def _endpoint(session: Session, user_id: uuid.UUID, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    row = repository.endpoint_of(session, user_id, endpoint_id)
    if row is None:
        raise WebhookEndpointNotFound(f"no webhook endpoint {endpoint_id} on this account")
    return row


def delete_endpoint(session: Session, user_id: uuid.UUID, endpoint_id: uuid.UUID) -> None:
    """Delete the endpoint with its deliveries and their log; nothing more is sent to it."""
    session.delete(_endpoint(session, user_id, endpoint_id))
    session.flush()


def delivery_log(session: Session, user_id: uuid.UUID, endpoint_id: uuid.UUID,
                 limit: int) -> list[tuple[WebhookDelivery, list[WebhookDeliveryAttempt]]]:
    return repository.deliveries_of(session, _endpoint(session, user_id, endpoint_id).id, limit)
