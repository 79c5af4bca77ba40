"""What closing, publishing and auditing a period need from outside the database: chain, contracts, storage."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.orm import Session, sessionmaker
from web3.contract import Contract

from chain import artifacts
from chain.client import ChainClient
from chain.deployments import Deployment
from chain.deployments import load as load_deployment
from content.storage import ObjectStore, object_store
from harmoni.db import session_factory
from harmoni.errors import ConfigurationError
from harmoni.settings import Settings

# ISO 4217 minor units of the currencies revenue may be reported in.
CURRENCY_EXPONENTS = {"USD": 2, "EUR": 2, "GBP": 2, "CAD": 2, "AUD": 2, "CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2,
                      "BRL": 2, "MXN": 2, "INR": 2, "JPY": 0, "KRW": 0}


@dataclass
class RoyaltyContext:
    settings: Settings
    sessions: sessionmaker[Session]
    client: ChainClient
    deployment: Deployment
    store: ObjectStore

    @classmethod
    def from_settings(cls, settings: Settings, sessions: sessionmaker[Session] | None = None,
                      client: ChainClient | None = None) -> RoyaltyContext:
        deployment = load_deployment(settings.chain_id, settings.data_dir)
        if deployment is None:
            raise ConfigurationError(f"no contracts are deployed for chain {settings.chain_id}: run "
                                     "`harmoni contracts deploy` (or `harmoni up`) first")
        return cls(settings=settings,
                   sessions=sessions or session_factory(settings.database_url),
                   client=client or ChainClient(settings.effective_rpc_url, settings.rpc_timeout_s),
                   deployment=deployment, store=object_store(settings))

    @cached_property
    def distributor(self) -> Contract:
        return self.client.contract(self.deployment, "PayoutDistributor")

    @cached_property
    def registry(self) -> Contract:
        return self.client.contract(self.deployment, "RightsRegistry")

    @cached_property
    def token(self) -> Contract:
        return self.client.w3.eth.contract(address=self.deployment.payout_token,
                                           abi=artifacts.load("DevStablecoin").abi)

    @cached_property
    def unit_factor(self) -> int:
        """Token units per smallest unit of the payout currency (10**4 for USD cents into 6-decimal USDC)."""
        currency = self.settings.payout_currency
        if currency not in CURRENCY_EXPONENTS:
            raise ConfigurationError(f"payout currency {currency} has no known minor unit")
        decimals = self.token.functions.decimals().call()
        if decimals < CURRENCY_EXPONENTS[currency]:
            raise ConfigurationError(f"the payout token has {decimals} decimals, fewer than {currency} needs")
        return 10 ** (decimals - CURRENCY_EXPONENTS[currency])
