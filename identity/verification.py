"""E-mail verification: a signed, single-use, expiring link that proves the account's owner reads its mailbox.

The token is an HS256 JWT under `HARMONI_SECRET_KEY` with its own audience (so it is never an access token, and an
access token is never one), naming the account and the address it was sent to, and expiring after
`HARMONI_EMAIL_VERIFICATION_TTL_HOURS`. It works once: confirming sets `users.email_verified_at`, after which
every link of that account is refused as used. Like an invitation token it exists only in the e-mail (the
`email_outbox` row), never in a log.

Until an address is verified it grants nothing that belongs to the mailbox's owner: an e-mail payee resolves to
an account's wallet only once that account is verified (`identity.invitations`). Accepting a payee invitation
verifies too: its token was delivered to the same mailbox.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import jwt
from sqlalchemy.orm import Session

from harmoni.settings import Settings
from identity import repository
from identity.errors import EmailAlreadyVerified, EmailVerificationExpired, EmailVerificationInvalid, NoEmailAddress
from identity.models import OutboxEmail, User

log = logging.getLogger(__name__)

SUBJECT = "Confirm your e-mail address for HARMONI"
AUDIENCE = "harmoni:email-verification"
ALGORITHM = "HS256"
PATH = "/v1/auth/verify-email"


def _now() -> datetime:
    return datetime.now(UTC)


def issue_token(settings: Settings, user: User, now: datetime | None = None) -> str:
    now = now or _now()
    claims = {"sub": str(user.id), "email": user.email, "aud": AUDIENCE, "iat": int(now.timestamp()),
              "exp": int((now + timedelta(hours=settings.email_verification_ttl_hours)).timestamp()),
              "jti": uuid.uuid4().hex}
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)


def send(session: Session, settings: Settings, user: User) -> OutboxEmail:
    """Queue a verification e-mail to the account's address (refused once it is verified)."""
    if user.email is None:
        raise NoEmailAddress("this account signs in with a wallet and has no e-mail address to verify")
    if user.email_verified_at is not None:
        raise EmailAlreadyVerified(f"{user.email} is verified already")
    token = issue_token(settings, user)
    link = f"{settings.api_url.rstrip('/')}{PATH}?token={token}"
    body = (f"Someone (we hope you) created a HARMONI account with this e-mail address ({user.email}).\n\n"
            f"To confirm it is yours, open this link within {settings.email_verification_ttl_hours} hours:\n"
            f"  {link}\n\n"
            f"It works once. If you did not sign up, ignore this e-mail: the account stays unverified, and no\n"
            f"royalties named to this address are paid to it.\n")
    email = OutboxEmail(id=uuid.uuid4(), to_address=user.email, subject=SUBJECT, body=body)
    session.add(email)
    session.flush()
    log.info("e-mail verification sent", extra={"user_id": str(user.id)})
    return email


def confirm(session: Session, settings: Settings, token: str) -> User:
    """Mark the token's account verified; a second use, an expired or a tampered token is refused."""
    try:
        claims = jwt.decode(token, settings.secret_key.get_secret_value(), algorithms=[ALGORITHM], audience=AUDIENCE,
                            options={"require": ["sub", "email", "aud", "exp", "iat"]})
        user_id = uuid.UUID(claims["sub"])
    except jwt.ExpiredSignatureError as err:
        raise EmailVerificationExpired("this verification link has expired; ask for a new one with "
                                       "POST /v1/me/email-verification") from err
    except (jwt.InvalidTokenError, ValueError, TypeError) as err:
        raise EmailVerificationInvalid("this verification link is not valid", field="token") from err
    user = repository.user_by_id(session, user_id, for_update=True)
    if user is None or user.email is None or user.email != claims["email"]:
        raise EmailVerificationInvalid("this verification link is for an address the account no longer has",
                                       field="token")
    if user.email_verified_at is not None:
        raise EmailAlreadyVerified(f"{user.email} is verified already (a link works once)")
    mark_verified(user)
    session.flush()
    log.info("e-mail verified", extra={"user_id": str(user.id)})
    return user


def mark_verified(user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = _now()


def is_verified(user: User | None) -> bool:
    return user is not None and user.email is not None and user.email_verified_at is not None
