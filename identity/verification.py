"""E-mail verification: a signed, single-use, expiring link that proves the account's owner reads its mailbox.

The token is an HS256 JWT under `HARMONI_SECRET_KEY` with its own audience (so it is never an access token, and an
access token is never one), naming the account and the address it was sent to, and expiring after
`HARMONI_EMAIL_VERIFICATION_TTL_HOURS`. It works once: confirming sets `users.email_verified_at`, after which
every link of that account is refused as used. Like an invitation token it exists only in the e-mail (the
`email_outbox` row), never in a log.

Until an address is verified it grants nothing that belongs to the mailbox's owner: an e-mail payee resolves to
an account's wallet only once that account is verified (`identity.invitations`). Accepting a payee invitation
verifies too: its token was delivered to the same mailbox.

Address claims: whoever signs up first with an address does not keep it unless they prove the mailbox. A sign-up
with an address an unverified account holds makes an account that claims it (`users.claimed_email`, its `email`
empty) and answers as any sign-up does, so it reveals nothing about the address; the link goes to the address, and
following it moves the address to the claiming account, verified, and takes it from the unverified holder. Of
several claims the first confirmed wins; an address a verified account holds cannot be claimed.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import jwt
from sqlalchemy.exc import IntegrityError
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
    claims = {"sub": str(user.id), "email": user.email_address, "aud": AUDIENCE, "iat": int(now.timestamp()),
              "exp": int((now + timedelta(hours=settings.email_verification_ttl_hours)).timestamp()),
              "jti": uuid.uuid4().hex}
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)


def send(session: Session, settings: Settings, user: User) -> OutboxEmail:
    """Queue a verification e-mail to the account's address (refused once it is verified)."""
    address = user.email_address
    if address is None:
        raise NoEmailAddress("this account signs in with a wallet and has no e-mail address to verify")
    if user.email_verified_at is not None:
        raise EmailAlreadyVerified(f"{address} is verified already")
    token = issue_token(settings, user)
    link = f"{settings.api_url.rstrip('/')}{PATH}?token={token}"
    moves = (" An earlier account that signed up with this address but never confirmed it\nloses it then."
             if user.email is None else "")
    body = (f"Someone (we hope you) created a HARMONI account with this e-mail address ({address}).\n\n"
            f"To confirm it is yours, open this link within {settings.email_verification_ttl_hours} hours:\n"
            f"  {link}\n\n"
            f"It works once.{moves} If you did not sign up, ignore this e-mail: the account stays unverified,\n"
            f"and no royalties named to this address are paid to it.\n")
    email = OutboxEmail(id=uuid.uuid4(), to_address=address, subject=SUBJECT, body=body)
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
    if user is not None and user.email is None and user.claimed_email is not None \
            and user.claimed_email == claims["email"]:
        return _claim(session, user)
    if user is None or user.email is None or user.email != claims["email"]:
        raise EmailVerificationInvalid("this verification link is for an address the account no longer has",
                                       field="token")
    if user.email_verified_at is not None:
        raise EmailAlreadyVerified(f"{user.email} is verified already (a link works once)")
    mark_verified(user)
    session.flush()
    log.info("e-mail verified", extra={"user_id": str(user.id)})
    return user


def _claim(session: Session, user: User) -> User:
    """Move the claimed address to `user`, verified, from the unverified account holding it (if any still does)."""
    address = user.claimed_email
    holder = repository.user_by_email(session, address, for_update=True)
    if holder is not None and holder.email_verified_at is not None:
        # Another claim, or the holder itself, proved the mailbox first: this link is spent.
        raise EmailAlreadyVerified(f"{address} was confirmed by another account first", field="token")
    if holder is not None:
        holder.email = None  # it never proved the address; its sign-in by e-mail goes with it
        session.flush()  # the address is unique: free it before it moves
        log.info("e-mail address claimed from an unverified account",
                 extra={"user_id": str(user.id), "from_user_id": str(holder.id)})
    user.email, user.claimed_email = address, None
    mark_verified(user)
    try:
        session.flush()
    except IntegrityError as err:  # a concurrent claim of the same address committed first
        raise EmailAlreadyVerified(f"{address} was confirmed by another account first", field="token") from err
    log.info("e-mail verified", extra={"user_id": str(user.id), "claimed": True})
    return user


def mark_verified(user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = _now()


def is_verified(user: User | None) -> bool:
    return user is not None and user.email is not None and user.email_verified_at is not None
