"""Accounts and what hangs off them: roles, artist profiles, refresh tokens, SIWE nonces, wallets, payee
invitations and the e-mails waiting to be sent."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base


class Role(StrEnum):
    fan = "fan"
    artist = "artist"
    auditor = "auditor"
    partner = "partner"
    admin = "admin"


class WalletKind(StrEnum):
    linked = "linked"  # the user holds the key and proved it with SIWE
    custodial = "custodial"  # the platform holds the key, encrypted at rest


_ROLES = ", ".join(f"'{r.value}'" for r in Role)
_KINDS = ", ".join(f"'{k.value}'" for k in WalletKind)


def _now_column() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class User(Base):
    """An account. Email and password are absent for accounts that only sign in with a wallet."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        CheckConstraint("claimed_email = lower(claimed_email)", name="claimed_email_lower_case"),
        CheckConstraint(f"roles <@ array[{_ROLES}]::varchar[]", name="roles_known"),
        Index("ix_users_claimed_email", "claimed_email"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    created_at: Mapped[datetime] = _now_column()
    # When the owner proved they read mail at `email` (a verification link, or an accepted payee invitation).
    # Until then the address names the account but grants nothing that belongs to the mailbox's owner.
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set by erasure (`notifications.privacy`): the row stays for the ledger rows pointing at it, its tokens stop
    # working.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # An address this account signed up with while an unverified account held it (`identity.verification`): the
    # account gets it, verified, once its owner follows the link e-mailed there; until then `email` is empty.
    claimed_email: Mapped[str | None] = mapped_column(String(320))

    @property
    def email_address(self) -> str | None:
        """The address the account answers with: its own, or the one it claims."""
        return self.email or self.claimed_email


class ArtistProfile(Base):
    __tablename__ = "artist_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(120))
    bio: Mapped[str] = mapped_column(Text, default="")
    # [{"label": "Bandcamp", "url": "https://..."}], in the order the artist chose.
    links: Mapped[list[dict]] = mapped_column(JSONB, default=list)
    created_at: Mapped[datetime] = _now_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                 onupdate=func.now())


class RefreshToken(Base):
    """One refresh token of a login; each rotation adds a child in the same family. Only its hash is kept."""

    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    family_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)  # sha-256 of the token
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("refresh_tokens.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # rotated
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SiwePurpose(StrEnum):
    login = "login"
    link = "link"


_PURPOSES = ", ".join(f"'{p.value}'" for p in SiwePurpose)


class SiweNonce(Base):
    """A single-use Sign-In With Ethereum nonce, bound to what it was asked for.

    A `link` nonce also names the account that asked for it: a message signed for one purpose (or one account)
    cannot be replayed for another.
    """

    __tablename__ = "siwe_nonces"
    __table_args__ = (
        CheckConstraint(f"purpose in ({_PURPOSES})", name="purpose"),
        CheckConstraint("(purpose = 'link') = (user_id is not null)", name="link_names_user"),
    )

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(8), server_default=SiwePurpose.login.value)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Wallet(Base):
    """An address of a user: linked (self-custody) or custodial (key encrypted with AES-256-GCM)."""

    __tablename__ = "wallets"
    __table_args__ = (
        CheckConstraint(f"kind in ({_KINDS})", name="kind"),
        CheckConstraint(
            "(kind = 'linked' and encrypted_key is null and key_id is null and nonce is null) or "
            "(kind = 'custodial' and encrypted_key is not null and key_id is not null and nonce is not null)",
            name="custody_columns"),
        # Only a custodial wallet held for a payee invitation has no owner (until the invitee accepts).
        CheckConstraint("user_id is not null or (kind = 'custodial' and invitation_id is not null)", name="owner"),
        # At most one custodial wallet per user that the user asked for (the one that signs for them);
        # wallets of accepted payee invitations come on top.
        Index("ix_wallets_custodial_user", "user_id", unique=True,
              postgresql_where=text("kind = 'custodial' and invitation_id is null")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(42), unique=True)  # EIP-55 checksummed
    kind: Mapped[str] = mapped_column(String(16))
    encrypted_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    key_id: Mapped[str | None] = mapped_column(String(32))
    nonce: Mapped[bytes | None] = mapped_column(LargeBinary(12))
    # The payee invitation the platform created this wallet for (it stays set after acceptance).
    invitation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payee_invitations.id"), unique=True)
    created_at: Mapped[datetime] = _now_column()


class PayeeInvitation(Base):
    """An e-mail address named as a payee while it had no wallet here.

    The platform holds a custodial wallet for it (the `wallets` row with this `invitation_id`, no owner yet);
    its address is what the split on chain names. Accepting with the e-mailed token makes the invitee's
    account the wallet's owner. One pending invitation per address: inviting it again reuses the wallet.
    Only the token's SHA-256 is kept; the token itself is only in the e-mail (`email_outbox`).
    """

    __tablename__ = "payee_invitations"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        Index("ix_payee_invitations_pending_email", "email", unique=True,
              postgresql_where=text("accepted_at is null")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(320))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)  # sha-256 of the newest token
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # of the newest token
    invited_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = _now_column()
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class OutboxEmail(Base):
    """An e-mail to send. The SMTP sender (`notifications.mailer`) leases due rows, sends them and sets `sent_at`
    once the server accepted; a refusal is retried with backoff (`next_attempt_at`) until `failed_at`.

    The body may carry a secret (an invitation token): this row is the e-mail itself, and nothing logs it.
    """

    __tablename__ = "email_outbox"
    __table_args__ = (Index("ix_email_outbox_unsent", "created_at", postgresql_where=text("sent_at is null")),
                      Index("ix_email_outbox_due", "next_attempt_at",
                            postgresql_where=text("sent_at is null and failed_at is null")))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _now_column()
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Sending (notifications.mailer): extra headers (List-Unsubscribe), tries so far, when the next is due, the
    # lease of the sender holding it, the last refusal, and when it was given up (or suppressed).
    headers: Mapped[dict] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), server_default=func.now())
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(500))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
