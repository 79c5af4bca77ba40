"""The local Stripe-compatible server on 127.0.0.1, the official client pointed at it, helpers to pay and deliver."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import stripe
from sqlalchemy.orm import Session, sessionmaker

from harmoni.settings import Settings
from ledger.royalties import periods
from payments import config, inbox, service
from payments.stripe_server import LocalStripe
from payments.tasks import apply_inbox
from tests.conftest import free_port

UNIT = 10**4  # token units per cent (6-decimal stablecoin, USD)


@pytest.fixture(scope="session")
def local_stripe():
    server = LocalStripe(config.LOCAL_KEY, free_port(), deliver=False).start()
    yield server
    server.stop()


@pytest.fixture
def pay_settings(local_stripe, database_url, tmp_path) -> Settings:
    return Settings(_env_file=None, env="test", database_url=database_url, data_dir=tmp_path / "var",
                    stripe_api_base=local_stripe.url, tax_rates="DE:1900,FR:2000,*:0",
                    stripe_webhook_max_attempts=3)


@dataclass
class Shop:
    """The local Stripe, our handlers, and the test's database."""

    stripe: LocalStripe
    p: service.Payments
    sessions: sessionmaker[Session]

    @property
    def client(self) -> stripe.StripeClient:
        return self.p.client

    def pay(self, checkout_url: str, card: str = "4242 4242 4242 4242", country: str = "DE") -> httpx.Response:
        """What the fan does on the hosted checkout page."""
        answer = httpx.post(checkout_url, data={"card_number": card, "country": country, "email": "fan@example.com"})
        if "Complete authentication" in answer.text:
            answer = httpx.post(checkout_url, data={"card_number": card, "country": country,
                                                    "authentication": "complete"})
        return answer

    def local(self, path: str, **form) -> dict:
        answer = httpx.post(f"{self.stripe.url}/_local/{path}", data=form)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def events_since(self, mark: int) -> list[dict]:
        return self.stripe.state.events_in_order()[mark:]

    def mark(self) -> int:
        return len(self.stripe.state.data["events"])

    def deliver(self, events: list[dict]) -> int:
        """Store events in the inbox (as the webhook route does) and apply them as the worker does."""
        with self.sessions.begin() as session:
            for event in events:
                inbox.store(session, json.loads(json.dumps(event)))
        return apply_inbox(self.sessions, self.p)


@pytest.fixture
def shop(local_stripe, pay_settings, sessions) -> Shop:
    return Shop(local_stripe, service.Payments(pay_settings, config.client(pay_settings), UNIT), sessions)


def open_period_around(sessions, *, days_before: int = 1, days_after: int = 20):
    now = datetime.now(UTC).replace(microsecond=0)
    with sessions.begin() as session:
        return periods.open_period(session, now + timedelta(days=days_after), now - timedelta(days=days_before)
                                   ).period_id
