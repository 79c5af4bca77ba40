"""Accounts for tests, written straight to the database (one argon2 hash for all of them, made once)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from harmoni.settings import Settings
from identity import passwords, siwe, tokens
from identity.models import User

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = passwords.hash_password(PASSWORD)


@dataclass(frozen=True)
class SignedInUser:
    id: uuid.UUID
    email: str | None
    access_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def make_user(sessions: sessionmaker[Session], settings: Settings, *roles: str,
              email: str | None = None, email_verified: bool = False) -> SignedInUser:
    """A committed user with these roles (password PASSWORD) and a valid access token; its e-mail address is
    unverified unless `email_verified`."""
    email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
    user_id = uuid.uuid4()
    with sessions.begin() as session:
        session.add(User(id=user_id, email=email, password_hash=_PASSWORD_HASH, roles=list(roles),
                         email_verified_at=datetime.now(UTC) if email_verified else None))
    token = tokens.issue_access_token(user_id, list(roles), settings.secret_key.get_secret_value())
    return SignedInUser(id=user_id, email=email, access_token=token)


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


def siwe_message(account: LocalAccount, nonce: str, *, domain: str = "127.0.0.1:8000", chain_id: int = 31337,
                 issued_at: datetime | None = None, **fields) -> siwe.SiweMessage:
    return siwe.SiweMessage(domain=domain, address=account.address, uri=f"http://{domain}", chain_id=chain_id,
                            nonce=nonce, issued_at=issued_at or datetime.now(UTC),
                            statement="Sign in to HARMONI", scheme="http", **fields)


def sign(account: LocalAccount, text: str) -> str:
    return "0x" + bytes(account.sign_message(encode_defunct(text=text)).signature).hex()


def new_account() -> LocalAccount:
    return Account.create()


def verification_link_token(session: Session, email: str) -> str:
    """The token of the newest verification e-mail to `email` (the link a user would open)."""
    from identity.models import OutboxEmail
    from identity.verification import SUBJECT

    bodies = session.scalars(select(OutboxEmail.body).where(OutboxEmail.to_address == email,
                                                            OutboxEmail.subject == SUBJECT)
                             .order_by(OutboxEmail.created_at)).all()
    return re.search(r"verify-email\?token=(\S+)", bodies[-1]).group(1)
