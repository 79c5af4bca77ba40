"""Signing keys for the deployer and the platform relayer: from settings, a keystore, or anvil's dev keys."""

from __future__ import annotations

import json

from eth_account import Account
from eth_account.signers.local import LocalAccount

from harmoni.errors import ConfigurationError
from harmoni.settings import Settings

LOCAL_CHAIN_IDS = frozenset({31337, 1337})
# anvil's public development mnemonic: its keys hold no value and exist only on local chains.
ANVIL_DEV_MNEMONIC = "test test test test test test test test test test test junk"


def anvil_dev_account(index: int) -> LocalAccount:
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(ANVIL_DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


def deployer_account(settings: Settings, chain_id: int) -> LocalAccount:
    """HARMONI_DEPLOYER_PRIVATE_KEY, else HARMONI_DEPLOYER_KEYSTORE (+ password), else a dev key locally."""
    key = settings.deployer_private_key.get_secret_value()
    if key:
        return _from_key(key, "HARMONI_DEPLOYER_PRIVATE_KEY")
    if settings.deployer_keystore is not None:
        try:
            keystore = json.loads(settings.deployer_keystore.read_text())
            secret = Account.decrypt(keystore, settings.deployer_keystore_password.get_secret_value())
        except (OSError, ValueError) as err:
            raise ConfigurationError(f"cannot open deployer keystore {settings.deployer_keystore}: {err}") from err
        return Account.from_key(secret)
    if chain_id in LOCAL_CHAIN_IDS:
        return anvil_dev_account(0)
    raise ConfigurationError(
        f"no deployer key for chain {chain_id}: set HARMONI_DEPLOYER_PRIVATE_KEY or HARMONI_DEPLOYER_KEYSTORE")


def relayer_account(settings: Settings, chain_id: int) -> LocalAccount:
    """The platform's relayer: submits signed operations, publishes payouts, mints paid orders."""
    key = settings.relayer_private_key.get_secret_value()
    if key:
        return _from_key(key, "HARMONI_RELAYER_PRIVATE_KEY")
    if chain_id in LOCAL_CHAIN_IDS:
        return anvil_dev_account(1)
    raise ConfigurationError(f"no relayer key for chain {chain_id}: set HARMONI_RELAYER_PRIVATE_KEY")


def _from_key(key: str, variable: str) -> LocalAccount:
    try:
        return Account.from_key(key)
    except (ValueError, TypeError) as err:
        # Never echo the key itself.
        raise ConfigurationError(f"{variable} is not a valid private key") from err
