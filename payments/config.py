"""What the payments settings mean: which Stripe, which plans, which tax rate."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import stripe

from harmoni.errors import ConfigurationError
from harmoni.settings import Settings

LOCAL_KEY = "sk_test_harmoni_local"
LOCAL_WEBHOOK_SECRET = "whsec_harmoni_local"  # noqa: S105 -- the local server only, on 127.0.0.1
INTERVALS = ("month", "year")


def is_local(settings: Settings) -> bool:
    """No Stripe key: the local Stripe-compatible server is Stripe (the embedded default, tests)."""
    return not settings.stripe_secret_key.get_secret_value()


def api_key(settings: Settings) -> str:
    return settings.stripe_secret_key.get_secret_value() or LOCAL_KEY


def api_base(settings: Settings) -> str:
    if settings.stripe_api_base:
        return settings.stripe_api_base.rstrip("/")
    return f"http://127.0.0.1:{settings.stripe_local_port}" if is_local(settings) else stripe.DEFAULT_API_BASE


def webhook_secret(settings: Settings) -> str:
    return settings.stripe_webhook_secret.get_secret_value() or (LOCAL_WEBHOOK_SECRET if is_local(settings) else "")


def livemode(settings: Settings) -> bool:
    """Events must match the key's mode: a live key takes only live events, a test key only test ones."""
    return api_key(settings).startswith(("sk_live_", "rk_live_"))


def client(settings: Settings) -> stripe.StripeClient:
    """The official client, pointed at Stripe or the local server by its documented base-address setting."""
    return _client(api_key(settings), api_base(settings))


@lru_cache(maxsize=8)
def _client(key: str, base: str) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": base}, max_network_retries=2)


@dataclass(frozen=True)
class Plan:
    interval: str  # month or year
    currency: str  # ISO 4217, upper case
    amount: int    # smallest unit, tax included

    @property
    def key(self) -> str:
        return f"{self.interval}:{self.currency}"


def plans(settings: Settings) -> dict[str, Plan]:
    """Plans by `interval:CURRENCY`, from HARMONI_SUBSCRIPTION_PLANS."""
    found = {}
    for part in filter(None, (p.strip() for p in settings.subscription_plans.split(","))):
        try:
            interval, currency, amount = part.split(":")
            plan = Plan(interval, currency.upper(), int(amount))
        except ValueError as err:
            raise ConfigurationError(f"HARMONI_SUBSCRIPTION_PLANS: {part!r} is not interval:CURRENCY:amount") from err
        if interval not in INTERVALS or plan.amount <= 0 or len(plan.currency) != 3:
            raise ConfigurationError(f"HARMONI_SUBSCRIPTION_PLANS: {part!r} needs month or year, a 3-letter currency "
                                     "and a positive amount")
        found[plan.key] = plan
    return found


def tax_rate_bps(settings: Settings, country: str | None) -> int:
    """The tax rate (basis points, included in the price) for a buyer in `country` (HARMONI_TAX_RATES)."""
    rates = {}
    for part in filter(None, (p.strip() for p in settings.tax_rates.split(","))):
        code, _, bps = part.partition(":")
        try:
            rates[code.strip().upper()] = int(bps)
        except ValueError as err:
            raise ConfigurationError(f"HARMONI_TAX_RATES: {part!r} is not CC:basis_points") from err
    return rates.get((country or "").upper(), rates.get("*", 0))
