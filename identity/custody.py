"""Custodial wallets: private keys encrypted at rest with AES-256-GCM, under keys that can rotate.

Each encryption key is derived from a configured secret with HKDF-SHA256; its key id is derived the
same way (with another label), so rows name the key they were sealed with and no secret is stored.
The wallet's address is the associated data: a ciphertext copied onto another row does not decrypt.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eth_account import Account
from eth_account.signers.local import LocalAccount
from sqlalchemy import select
from sqlalchemy.orm import Session

from harmoni.settings import Settings, get_settings
from identity.errors import CustodialWalletNotFound, CustodyKeyMissing
from identity.models import Wallet, WalletKind

NONCE_BYTES = 12


def _derive(secret: str, label: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=b"harmoni.custody.v1", info=label).derive(
        secret.encode())


@dataclass(frozen=True)
class SealedKey:
    ciphertext: bytes
    nonce: bytes
    key_id: str


class Keyring:
    """The current encryption key and the previous ones still accepted for decryption."""

    def __init__(self, current: str, previous: list[str] | tuple[str, ...] = ()) -> None:
        self._ciphers: dict[str, AESGCM] = {}
        self.current_id = self._add(current)
        for secret in previous:
            self._add(secret)

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring:
        previous = settings.wallet_encryption_previous_keys.get_secret_value()
        return cls(settings.wallet_encryption_key.get_secret_value(),
                   [s.strip() for s in previous.split(",") if s.strip()])

    @staticmethod
    def key_id(secret: str) -> str:
        return _derive(secret, b"key id", 8).hex()

    def _add(self, secret: str) -> str:
        key_id = self.key_id(secret)
        self._ciphers.setdefault(key_id, AESGCM(_derive(secret, b"wallet key encryption", 32)))
        return key_id

    def seal(self, private_key: bytes, address: str) -> SealedKey:
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = self._ciphers[self.current_id].encrypt(nonce, private_key, _associated_data(address))
        return SealedKey(ciphertext=ciphertext, nonce=nonce, key_id=self.current_id)

    def open(self, sealed: SealedKey, address: str) -> bytes:
        cipher = self._ciphers.get(sealed.key_id)
        if cipher is None:
            raise CustodyKeyMissing(f"the key of wallet {address} is encrypted under key id {sealed.key_id}, which "
                                    "is neither HARMONI_WALLET_ENCRYPTION_KEY nor in "
                                    "HARMONI_WALLET_ENCRYPTION_PREVIOUS_KEYS")
        try:
            return cipher.decrypt(sealed.nonce, sealed.ciphertext, _associated_data(address))
        except InvalidTag as err:
            raise CustodyKeyMissing(f"the key of wallet {address} does not decrypt under key id {sealed.key_id}") \
                from err


def _associated_data(address: str) -> bytes:
    return f"harmoni.wallet:{address}".encode()


def _sealed(wallet: Wallet) -> SealedKey:
    return SealedKey(ciphertext=bytes(wallet.encrypted_key), nonce=bytes(wallet.nonce), key_id=wallet.key_id)


def new_custodial_wallet(user_id: uuid.UUID | None, keyring: Keyring) -> Wallet:
    """A fresh key, sealed under the current key; the plaintext key is not kept (no user: a payee invitation's)."""
    account: LocalAccount = Account.create()
    sealed = keyring.seal(bytes(account.key), account.address)
    return Wallet(user_id=user_id, address=account.address, kind=WalletKind.custodial.value,
                  encrypted_key=sealed.ciphertext, key_id=sealed.key_id, nonce=sealed.nonce)


def unseal(wallet: Wallet, keyring: Keyring) -> LocalAccount:
    account = Account.from_key(keyring.open(_sealed(wallet), wallet.address))
    if account.address != wallet.address:
        raise CustodyKeyMissing(f"the key of wallet {wallet.address} decrypts to another address")
    return account


def signer_for(session: Session, user_id: uuid.UUID, keyring: Keyring | None = None) -> LocalAccount:
    """The account that signs on behalf of `user_id`'s custodial wallet (EIP-712 messages for the relayer).

    The wallet the user asked for; without one, the wallet of a payee invitation they accepted.
    """
    keyring = keyring or Keyring.from_settings(get_settings())
    wallet = session.scalars(select(Wallet).where(
        Wallet.user_id == user_id, Wallet.kind == WalletKind.custodial.value,
    ).order_by(Wallet.invitation_id.is_not(None), Wallet.created_at).limit(1)).one_or_none()
    if wallet is None:
        raise CustodialWalletNotFound(
            "you have no custodial wallet to sign with: create one with POST /v1/me/wallets/custodial, or link "
            "your own with Sign-In With Ethereum (POST /v1/auth/siwe/nonce, then /v1/auth/siwe/verify with "
            "purpose \"link\") and use the .../prepare endpoints", how_to_fix="POST /v1/me/wallets/custodial")
    return unseal(wallet, keyring)


def rotate_keys(session: Session, keyring: Keyring) -> int:
    """Re-encrypt every custodial key not yet under the current key; returns how many were re-encrypted."""
    wallets = session.scalars(select(Wallet).where(
        Wallet.kind == WalletKind.custodial.value, Wallet.key_id != keyring.current_id,
    ).order_by(Wallet.id).with_for_update()).all()
    for wallet in wallets:
        sealed = keyring.seal(keyring.open(_sealed(wallet), wallet.address), wallet.address)
        wallet.encrypted_key, wallet.nonce, wallet.key_id = sealed.ciphertext, sealed.nonce, sealed.key_id
    session.flush()
    return len(wallets)
