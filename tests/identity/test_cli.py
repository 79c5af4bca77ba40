"""`harmoni wallets rotate-key` and `harmoni users grant-role` against the test database (cleaned up after)."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from harmoni.cli import main
from harmoni.db import get_engine
from harmoni.settings import get_settings
from identity import custody
from identity.custody import Keyring
from identity.models import User, Wallet

OLD, NEW = "old-wallet-encryption-key-0123456789", "new-wallet-encryption-key-9876543210"


@pytest.fixture
def committed(harmoni_env, database_url):
    """A session on the real database; the users it made are deleted afterwards (wallets cascade)."""
    made: list[uuid.UUID] = []
    session = Session(get_engine(database_url))
    yield session, made
    session.rollback()
    session.execute(delete(User).where(User.id.in_(made)))
    session.commit()
    session.close()


def _artist_with_wallet(session, made, keyring, email=None):
    user = User(id=uuid.uuid4(), email=email, password_hash=None, roles=["artist"])
    made.append(user.id)
    session.add(user)
    session.flush()
    wallet = custody.new_custodial_wallet(user.id, keyring)
    session.add(wallet)
    session.commit()
    return user, wallet


def test_rotate_key_re_encrypts_every_custodial_key(committed, harmoni_env, capsys):
    session, made = committed
    _, first = _artist_with_wallet(session, made, Keyring(OLD))
    _, second = _artist_with_wallet(session, made, Keyring(OLD))
    harmoni_env.setenv("HARMONI_WALLET_ENCRYPTION_KEY", NEW)
    get_settings.cache_clear()

    assert main(["wallets", "rotate-key"]) == 2  # the old key is not configured: nothing changes
    error = capsys.readouterr().err
    assert "HARMONI_WALLET_ENCRYPTION_PREVIOUS_KEYS" in error and OLD not in error and NEW not in error

    harmoni_env.setenv("HARMONI_WALLET_ENCRYPTION_PREVIOUS_KEYS", OLD)
    get_settings.cache_clear()
    assert main(["wallets", "rotate-key"]) == 0
    out = capsys.readouterr().out
    assert f"re-encrypted 2 custodial wallet keys under key id {Keyring.key_id(NEW)}" in out and NEW not in out
    session.expire_all()
    rows = session.scalars(select(Wallet).where(Wallet.id.in_([first.id, second.id]))).all()
    assert {row.key_id for row in rows} == {Keyring.key_id(NEW)}
    for row in rows:
        assert custody.unseal(row, Keyring(NEW)).address == row.address


def test_grant_role_makes_the_first_admin(committed, capsys):
    session, made = committed
    email = f"boss-{uuid.uuid4().hex[:6]}@example.com"
    user, _ = _artist_with_wallet(session, made, Keyring(OLD), email=email)
    user.email_verified_at = datetime.now(UTC)
    session.commit()
    assert main(["users", "grant-role", "--email", email.upper(), "--role", "admin"]) == 0
    assert "artist, admin" in capsys.readouterr().out
    session.expire_all()
    assert session.get(User, user.id).roles == ["artist", "admin"]
    assert main(["users", "grant-role", "--email", "nobody@example.com", "--role", "admin"]) == 2
    assert "no account" in capsys.readouterr().err


def test_grant_role_refuses_an_unverified_address_unless_told(committed, capsys):
    """Anyone can sign up as boss@…: the operator granting admin to that address may not reach its owner."""
    session, made = committed
    email = f"boss-{uuid.uuid4().hex[:6]}@example.com"
    user, _ = _artist_with_wallet(session, made, Keyring(OLD), email=email)
    assert main(["users", "grant-role", "--email", email, "--role", "admin"]) == 2
    assert "not been verified" in capsys.readouterr().err
    session.expire_all()
    assert session.get(User, user.id).roles == ["artist"]
    assert main(["users", "grant-role", "--email", email, "--role", "admin", "--allow-unverified"]) == 0
    session.expire_all()
    assert session.get(User, user.id).roles == ["artist", "admin"]
