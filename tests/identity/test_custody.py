"""Custodial keys: sealed with AES-256-GCM under a key id, readable through rotations, never stored in clear."""

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from harmoni.settings import Settings
from identity import custody, service
from identity.custody import Keyring
from identity.errors import CustodialWalletNotFound, CustodyKeyMissing, WalletExists
from identity.models import User, Wallet

OLD, NEW = "old-wallet-encryption-key-0123456789", "new-wallet-encryption-key-9876543210"


@pytest.fixture
def user(db_session) -> User:
    user = User(id=uuid.uuid4(), email=None, password_hash=None, roles=["artist"])
    db_session.add(user)
    db_session.flush()
    return user


def _wallet(db_session, user, keyring) -> Wallet:
    wallet = custody.new_custodial_wallet(user.id, keyring)
    db_session.add(wallet)
    db_session.flush()
    return wallet


def test_key_ids_name_keys_without_revealing_them():
    assert Keyring.key_id(OLD) == Keyring(OLD).current_id == Keyring(OLD, [NEW]).current_id
    assert Keyring.key_id(OLD) != Keyring.key_id(NEW) and len(Keyring.key_id(OLD)) == 16
    assert OLD.encode().hex()[:16] != Keyring.key_id(OLD)


def test_a_sealed_key_opens_only_for_its_address_and_key():
    sealed = Keyring(OLD).seal(b"\x11" * 32, "0xAbc")
    assert len(sealed.nonce) == 12 and b"\x11" * 32 not in sealed.ciphertext
    assert Keyring(OLD).open(sealed, "0xAbc") == b"\x11" * 32
    assert Keyring(OLD).seal(b"\x11" * 32, "0xAbc").ciphertext != sealed.ciphertext  # fresh nonce each time
    with pytest.raises(CustodyKeyMissing, match="does not decrypt"):
        Keyring(OLD).open(sealed, "0xDef")  # the address is associated data
    with pytest.raises(CustodyKeyMissing, match="HARMONI_WALLET_ENCRYPTION_PREVIOUS_KEYS") as info:
        Keyring(NEW).open(sealed, "0xAbc")
    assert OLD not in str(info.value) and NEW not in str(info.value)


def test_custodial_wallet_decrypts_to_its_address_and_the_database_holds_no_plaintext(db_session, user):
    settings = Settings(_env_file=None, wallet_encryption_key=OLD)
    wallet = service.create_custodial_wallet(db_session, settings, user)
    signer = custody.signer_for(db_session, user.id, Keyring.from_settings(settings))
    assert signer.address == wallet.address and wallet.key_id == Keyring.key_id(OLD)
    row = db_session.execute(text("select row_to_json(w)::text, encrypted_key from wallets w")).one()
    assert bytes(signer.key).hex() not in row[0].lower() and bytes(signer.key) not in bytes(row[1])
    with pytest.raises(WalletExists):
        service.create_custodial_wallet(db_session, settings, user)


def test_signer_for_a_user_without_custodial_wallet_is_not_found(db_session, user):
    with pytest.raises(CustodialWalletNotFound):
        custody.signer_for(db_session, user.id, Keyring(OLD))


def test_rotation_re_encrypts_and_old_ciphertexts_need_the_previous_keys(db_session, user):
    wallet = _wallet(db_session, user, Keyring(OLD))
    before = bytes(wallet.encrypted_key)
    with pytest.raises(CustodyKeyMissing):
        custody.signer_for(db_session, user.id, Keyring(NEW))
    rotating = Keyring(NEW, [OLD])
    assert custody.signer_for(db_session, user.id, rotating).address == wallet.address

    assert custody.rotate_keys(db_session, rotating) == 1
    db_session.expire_all()
    stored = db_session.get(Wallet, wallet.id)
    assert stored.key_id == Keyring.key_id(NEW) and bytes(stored.encrypted_key) != before
    assert custody.signer_for(db_session, user.id, Keyring(NEW)).address == wallet.address
    with pytest.raises(CustodyKeyMissing):
        custody.signer_for(db_session, user.id, Keyring(OLD))
    assert custody.rotate_keys(db_session, rotating) == 0


def test_previous_keys_come_from_a_comma_separated_setting():
    settings = Settings(_env_file=None, wallet_encryption_key=NEW,
                        wallet_encryption_previous_keys=f" {OLD} , another-old-key-0123456789,")
    sealed = Keyring(OLD).seal(b"k" * 32, "0xA")
    assert Keyring.from_settings(settings).open(sealed, "0xA") == b"k" * 32
    assert Keyring.from_settings(settings).current_id == Keyring.key_id(NEW)


def test_the_database_refuses_half_custodial_rows(db_session, user):
    db_session.add(Wallet(user_id=user.id, address="0x" + "1" * 40, kind="custodial"))
    with pytest.raises(IntegrityError, match="ck_wallets_custody_columns"):
        db_session.flush()
