"""Queries of the identity tables."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from identity.models import ArtistProfile, PayeeInvitation, RefreshToken, SiweNonce, User, Wallet


def user_by_id(session: Session, user_id: uuid.UUID, *, for_update: bool = False) -> User | None:
    statement = select(User).where(User.id == user_id)
    return session.scalars(statement.with_for_update() if for_update else statement).one_or_none()


def user_by_email(session: Session, email: str, *, for_update: bool = False) -> User | None:
    statement = select(User).where(User.email == email)
    return session.scalars(statement.with_for_update() if for_update else statement).one_or_none()


def refresh_token_by_hash(session: Session, token_hash: bytes) -> RefreshToken | None:
    """Locked, so two refreshes with the same token are decided one after the other."""
    return session.scalars(
        select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()).one_or_none()


def revoke_family(session: Session, family_id: uuid.UUID, now: datetime) -> int:
    result = session.execute(
        update(RefreshToken).where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session="fetch"))
    return result.rowcount


def consume_nonce(session: Session, nonce: str, now: datetime, purpose: str = "login",
                  user_id: uuid.UUID | None = None) -> bool:
    """Mark the nonce used if it exists, is unused, unexpired, and was issued for this purpose (and, to link, this
    account); one statement, so two callers cannot both win."""
    owner = SiweNonce.user_id.is_(None) if user_id is None else SiweNonce.user_id == user_id
    consumed = session.execute(
        update(SiweNonce).where(SiweNonce.nonce == nonce, SiweNonce.used_at.is_(None), SiweNonce.expires_at > now,
                                SiweNonce.purpose == purpose, owner)
        .values(used_at=now).returning(SiweNonce.nonce)).scalar_one_or_none()
    return consumed is not None


def nonce(session: Session, value: str) -> SiweNonce | None:
    return session.get(SiweNonce, value)


def wallet_by_address(session: Session, address: str) -> Wallet | None:
    return session.scalars(select(Wallet).where(Wallet.address == address)).one_or_none()


def wallets_of(session: Session, user_id: uuid.UUID) -> list[Wallet]:
    return list(session.scalars(select(Wallet).where(Wallet.user_id == user_id).order_by(Wallet.created_at,
                                                                                           Wallet.address)))


def count_wallets_of(session: Session, user_id: uuid.UUID) -> int:
    return session.scalar(select(func.count()).select_from(Wallet).where(Wallet.user_id == user_id)) or 0


def artist_profile(session: Session, user_id: uuid.UUID) -> ArtistProfile | None:
    return session.get(ArtistProfile, user_id)


def pending_invitation(session: Session, email: str) -> PayeeInvitation | None:
    return session.scalars(select(PayeeInvitation).where(
        PayeeInvitation.email == email, PayeeInvitation.accepted_at.is_(None)).with_for_update()).one_or_none()


def invitation_by_token_hash(session: Session, token_hash: bytes) -> PayeeInvitation | None:
    """Locked, so two acceptances of one token are decided one after the other."""
    return session.scalars(select(PayeeInvitation).where(PayeeInvitation.token_hash == token_hash)
                           .with_for_update()).one_or_none()


def invitation_wallet(session: Session, invitation_id: uuid.UUID) -> Wallet:
    return session.scalars(select(Wallet).where(Wallet.invitation_id == invitation_id).with_for_update()).one()
