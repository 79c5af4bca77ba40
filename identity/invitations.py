"""Payees named by e-mail: the wallet a split pays them at, and the invitation that hands it over.

A split goes on chain when the asset is registered, so every payee needs an address then. For an e-mail:

1. a pending invitation for it: its wallet (one wallet per invited address, whoever invites it);
2. else an account with that e-mail, **verified**, and a wallet: that wallet (its own custodial wallet, else the
   custodial wallet of an invitation it accepted, else its oldest linked wallet). An unverified address proves
   nothing: anyone can sign up with someone else's e-mail, so such an account is treated as a stranger;
3. else a new invitation: a custodial wallet the platform holds with no owner (key sealed like every
   custodial key), and an e-mail in the outbox carrying a single-use token.

The invitee signs up or signs in with that e-mail address and accepts with the token
(`POST /v1/invitations/accept`); the wallet becomes theirs. Only the token's SHA-256 is stored; the token is
in the outbox row (the e-mail to send) and nowhere else, never in a log. An expired token is replaced by a
new e-mail when the address is invited again, or when its invitee presents it.

Services flush but never commit: the request owns the transaction, so a refused request leaves no invitation.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from harmoni.settings import Settings
from identity import custody, repository, verification
from identity.errors import InvitationExpired, InvitationNotFound, InvitationNotYours, InvitationUsed
from identity.models import OutboxEmail, PayeeInvitation, User, Wallet, WalletKind
from notifications import events as notification_events

log = logging.getLogger(__name__)

SUBJECT = "You are a payee on HARMONI"


def _now() -> datetime:
    return datetime.now(UTC)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def payee_wallets(session: Session, settings: Settings, emails: list[str],
                  invited_by: uuid.UUID) -> dict[str, str]:
    """The address each (lower-cased) e-mail is paid at; invites the ones that have none."""
    # In one order, so two requests naming the same addresses cannot wait for each other's locks.
    return {email: _payee_wallet(session, settings, email, invited_by) for email in sorted(set(emails))}


def payout_wallet(session: Session, user_id: uuid.UUID) -> Wallet | None:
    """The wallet an account is paid at when named by e-mail: its own custodial wallet, else the one of an
    invitation it accepted, else its oldest linked wallet."""
    return min(repository.wallets_of(session, user_id),
               key=lambda w: (w.kind != WalletKind.custodial.value, w.invitation_id is not None), default=None)


def _payee_wallet(session: Session, settings: Settings, email: str, invited_by: uuid.UUID) -> str:
    # Two requests naming the same new address would each invite it: the second waits, then reuses.
    session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"harmoni.invitation:{email}", 0))))
    invitation = repository.pending_invitation(session, email)
    if invitation is not None:
        if invitation.expires_at <= _now():
            _send(session, settings, invitation)
        return repository.invitation_wallet(session, invitation.id).address
    user = repository.user_by_email(session, email)
    wallet = payout_wallet(session, user.id) if verification.is_verified(user) else None
    if wallet is not None:
        return wallet.address
    return _invite(session, settings, email, invited_by).address


def _invite(session: Session, settings: Settings, email: str, invited_by: uuid.UUID) -> Wallet:
    invitation = PayeeInvitation(id=uuid.uuid4(), email=email, invited_by=invited_by)
    token = _new_token(settings, invitation)
    session.add(invitation)
    session.flush()
    wallet = custody.new_custodial_wallet(None, custody.Keyring.from_settings(settings))
    wallet.id, wallet.invitation_id = uuid.uuid4(), invitation.id
    session.add(wallet)
    session.flush()
    _queue_email(session, settings, invitation, wallet.address, token)
    notification_events.invitation_sent(session, invitation_id=invitation.id, email=email, invited_by=invited_by,
                                        wallet_address=wallet.address)
    log.info("payee invited", extra={"invitation_id": str(invitation.id), "address": wallet.address,
                                     "invited_by": str(invited_by)})
    return wallet


def _new_token(settings: Settings, invitation: PayeeInvitation) -> str:
    """A fresh token for the invitation; the previous one stops working."""
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.expires_at = _now() + timedelta(hours=settings.invitation_ttl_hours)
    return token


def _send(session: Session, settings: Settings, invitation: PayeeInvitation) -> None:
    """A new token for an invitation whose token expired, in a new e-mail."""
    token = _new_token(settings, invitation)
    address = repository.invitation_wallet(session, invitation.id).address
    _queue_email(session, settings, invitation, address, token)
    log.info("payee invitation sent again", extra={"invitation_id": str(invitation.id)})


def _queue_email(session: Session, settings: Settings, invitation: PayeeInvitation, address: str,
                 token: str) -> None:
    api = settings.api_url.rstrip("/")
    body = (f"You have been named as a payee of a work or recording on HARMONI.\n\n"
            f"Your royalties are paid to the wallet {address}, which HARMONI holds for you until you accept it.\n\n"
            f"To accept: sign up or sign in at {api} with this e-mail address ({invitation.email}), then\n"
            f"  POST {api}/v1/invitations/accept\n"
            f"  {{\"token\": \"{token}\"}}\n\n"
            f"The token works once, until {invitation.expires_at:%Y-%m-%d %H:%M} UTC. Do not share it.\n")
    session.add(OutboxEmail(id=uuid.uuid4(), to_address=invitation.email, subject=SUBJECT, body=body))
    session.flush()


def accept(session: Session, settings: Settings, user: User, token: str) -> tuple[PayeeInvitation, Wallet]:
    """Make `user` the owner of the invitation's wallet: the token proves the mailbox (so the account's address
    counts as verified from now on), the account must have the invited address."""
    invitation = repository.invitation_by_token_hash(session, token_hash(token))
    if invitation is None:
        raise InvitationNotFound("no invitation has this token (only the newest e-mail's token works)")
    if invitation.accepted_at is not None:
        raise InvitationUsed("this invitation was already accepted")
    if user.email != invitation.email:
        raise InvitationNotYours("this invitation was sent to another e-mail address: sign in with the address "
                                 "that received it")
    if invitation.expires_at <= _now():
        _send(session, settings, invitation)
        raise InvitationExpired("this invitation's token has expired; a new one was e-mailed to the same address")
    wallet = repository.invitation_wallet(session, invitation.id)
    wallet.user_id = user.id
    verification.mark_verified(user)  # the token was delivered to this very address
    invitation.accepted_at, invitation.accepted_by = _now(), user.id
    session.flush()
    log.info("payee invitation accepted", extra={"invitation_id": str(invitation.id), "user_id": str(user.id),
                                                 "address": wallet.address})
    return invitation, wallet
