"""On anvil, with the local Stripe: a fan buys an edition by card, the signed webhook pays the order and the mint
job delivers exactly one token per paid order (checked on chain), whatever duplicates, shuffles and SIGKILLs."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import stripe
from eth_utils import keccak
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from api.app import create_app
from chain.wallets import anvil_dev_account
from harmoni.db import get_engine
from harmoni.settings import Settings, get_settings
from identity.models import Wallet
from ledger.royalties import journal
from ledger.royalties.models import RevenueEntry
from ledger.royalties.periods import open_period
from payments import config, mint, orders, service
from payments.models import CardOrder, StripeCustomer, StripeEvent
from payments.tasks import apply_inbox
from scripts.workload import Workload
from tests.api.conftest import index_chain
from tests.identity.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
ARTIST, FAN, RIVAL = (anvil_dev_account(i).address for i in (2, 5, 6))
UNIT = 10**4


class Store:
    """The live app on a database of its own, anvil, the local Stripe; a fan, an artist and their editions."""

    def __init__(self, api, chain, local_stripe, url: str, env: dict) -> None:
        self.api, self.chain, self.stripe, self.env = api, chain, local_stripe, env
        self.sessions = sessionmaker(bind=get_engine(url), expire_on_commit=False)
        self.work = Workload(chain.client.rpc_url, chain.deployment, seed=7)
        settings = api.app.state.context.settings
        self.p = service.Payments(settings, config.client(settings), UNIT)
        self.shop = orders.CardShop.of(self.p, chain.client)
        self.artist = make_user(self.sessions, settings, "artist")
        self.editions = chain.client.contract(chain.deployment, "HarmoniEditions")
        with self.sessions.begin() as session:
            session.add(Wallet(user_id=self.artist.id, address=ARTIST, kind="linked"))

    def fan(self, address: str | None = None) -> dict:
        user = make_user(self.sessions, self.api.app.state.context.settings, "fan")
        if address:
            with self.sessions.begin() as session:
                session.add(Wallet(user_id=user.id, address=address, kind="linked"))
        return user.headers

    def edition(self, isrc: str, *, supply: int = 5, cap: int = 0, fiat: int | None = 500) -> int:
        registry = self.chain.client.contract(self.chain.deployment, "RightsRegistry")
        asset_id = registry.functions.assetCount().call() + 1
        self.work.send([self.work.tx(ARTIST, "RightsRegistry", "registerRecording", [
            ARTIST, isrc.encode(), keccak(text=isrc), [], f"ipfs://{isrc}", [ARTIST], [1_000_000]])])
        index_chain(self.api, self.chain)
        body = {"asset_id": asset_id, "title": "Blue Hour", "price": 5_000_000, "max_supply": supply,
                "per_wallet_cap": cap, "fiat_price": {"amount_cents": fiat, "currency": "USD"} if fiat else None}
        prepared = self.api.post("/v1/editions/prepare", params={"controller": ARTIST}, json=body,
                                 headers=self.artist.headers)
        assert prepared.status_code == 201, prepared.json()
        edition_id = self.editions.functions.editionCount().call() + 1
        tx = prepared.json()["transaction"]
        self.work.send([{"from": ARTIST, "to": tx["to"], "data": tx["data"], "value": "0x0", "gas": hex(600_000)}])
        index_chain(self.api, self.chain)
        return edition_id

    def checkout(self, edition_id: int, headers: dict, **body):
        return self.api.post(f"/v1/editions/{edition_id}/checkout", json=body, headers=headers)

    def pay(self, checkout_url: str, card: str = "4242 4242 4242 4242") -> None:
        httpx.post(checkout_url, data={"card_number": card, "country": "DE", "email": "fan@example.com"})

    def mark(self) -> int:
        return len(self.stripe.state.data["events"])

    def post(self, events: list[dict]) -> None:
        for event in events:
            body = json.dumps(event)
            header = stripe.WebhookSignature.generate_signature_header(body, config.LOCAL_WEBHOOK_SECRET)
            answer = self.api.post("/v1/webhooks/stripe", content=body, headers={"Stripe-Signature": header})
            assert answer.status_code == 200, answer.text

    def events_since(self, mark: int) -> list[dict]:
        return self.stripe.state.events_in_order()[mark:]

    def apply(self) -> int:
        return apply_inbox(self.sessions, self.p, shop_of=lambda: self.shop)

    def mint(self) -> int:
        return mint.mint_due(self.shop, self.sessions)

    def order(self, order_id: str, headers: dict) -> dict:
        answer = self.api.get(f"/v1/me/orders/{order_id}", headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def minted_logs(self, order_hex: str) -> list:
        return self.editions.events.EditionMinted().get_logs(
            argument_filters={"orderId": bytes.fromhex(order_hex[2:])}, from_block=self.chain.deployment.start_block)

    def count(self, model) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def store(fresh_db, chain, local_stripe, tmp_path, monkeypatch) -> Store:
    url = fresh_db()
    env = {"HARMONI_ENV": "test", "HARMONI_DATABASE_URL": url, "HARMONI_RPC_URL": chain.client.rpc_url,
           "HARMONI_DATA_DIR": str(chain.data_dir), "HARMONI_STORAGE_PATH": str(tmp_path / "objects"),
           "HARMONI_STRIPE_API_BASE": local_stripe.url}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("HARMONI_REDIS_URL", raising=False)
    get_settings.cache_clear()
    app = create_app(Settings(_env_file=None))
    with TestClient(app) as client:
        client.database_url = url
        yield Store(client, chain, local_stripe, url, env)
    get_settings.cache_clear()


def _open_period(store: Store) -> int:
    now = datetime.fromtimestamp(store.chain.client.head().timestamp, UTC)
    with store.sessions.begin() as session:
        return open_period(session, now + timedelta(days=20), now - timedelta(days=1)).period_id


def test_a_fan_without_a_wallet_buys_by_card_and_the_token_lands_in_a_custodial_wallet(store):
    period = _open_period(store)
    edition = store.edition("USHRM2612001")
    fan = store.fan()
    mark = store.mark()
    started = store.checkout(edition, fan)
    assert started.status_code == 201, started.json()
    order = started.json()["order"]
    assert (order["state"], order["wallet_kind"], order["amount"]) == ("payment-pending", "custodial", 500)
    assert order["onchain_order_id"] == "0x" + "00" * 16 + uuid.UUID(order["id"]).hex
    assert store.order(order["id"], fan)["state"] == "payment-pending"  # the success page alone changes nothing

    store.pay(started.json()["checkout_url"], card="4000 0000 0000 0002")  # declined first
    store.post(store.events_since(mark))
    store.apply()
    failed = store.order(order["id"], fan)
    assert failed["state"] == "payment-failed" and "declined" in failed["message"]

    store.pay(started.json()["checkout_url"])
    events = store.events_since(mark)
    assert {"checkout.session.completed", "payment_intent.succeeded"} <= {e["type"] for e in events}
    store.post(events)
    store.apply()
    paid = store.order(order["id"], fan)
    assert paid["state"] == "mint-pending" and paid["paid_at"] and paid["tx_hash"] is None
    assert store.mint() == 1
    done = store.order(order["id"], fan)
    assert done["state"] == "minted" and done["tx_hash"].startswith("0x") and done["wallet"] in done["message"]
    assert store.editions.functions.balanceOf(order["wallet"], edition).call() == 1
    assert len(store.minted_logs(order["onchain_order_id"])) == 1
    assert [o["id"] for o in store.api.get("/v1/me/orders", headers=fan).json()] == [order["id"]]

    with store.sessions() as session:
        revenue = session.scalars(select(RevenueEntry).where(RevenueEntry.reference == f"card-order:{order['id']}")
                                  ).one()
        balances = journal.balances(session)
    assert (revenue.period_id, revenue.source, int(revenue.amount), revenue.settled_fee) == (
        period, "direct_sales", 500, None)  # paid through the period's root, not by the vault
    assert sum(balances.values()) == 0
    assert balances[journal.Account.card_clearing] == (500 - 44) * UNIT  # 2.9% + 30 cents kept by the processor
    assert balances[journal.Account.revenue_direct_sales] == -500 * UNIT
    assert balances.get(journal.Account.cash, 0) == 0


def test_duplicated_and_shuffled_deliveries_mint_exactly_one_token_per_order(store):
    _open_period(store)
    edition = store.edition("USHRM2612002")
    fan = store.fan(FAN)
    mark = store.mark()
    bought = []
    for _ in range(3):
        started = store.checkout(edition, fan)
        assert started.status_code == 201, started.json()
        assert started.json()["order"]["wallet"] == FAN and started.json()["order"]["wallet_kind"] == "linked"
        store.pay(started.json()["checkout_url"])
        bought.append(started.json()["order"])
    events = store.events_since(mark)
    delivered = events * 3
    random.Random(4).shuffle(delivered)
    store.post(delivered)
    store.apply()
    store.post(events)  # once more after they were applied
    store.apply()
    assert store.mint() == 3
    assert store.mint() == 0
    assert store.editions.functions.balanceOf(FAN, edition).call() == 3
    for order in bought:
        assert len(store.minted_logs(order["onchain_order_id"])) == 1
        assert store.order(order["id"], fan)["state"] == "minted"
    with store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RevenueEntry)
                              .where(RevenueEntry.reference.like("card-order:%"))) == 3
        assert session.scalar(select(func.count()).select_from(StripeEvent)
                              .where(StripeEvent.dead_at.is_not(None))) == 0


def _cli(store: Store, failpoint: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, **store.env, "HARMONI_FAILPOINTS": failpoint}
    env.pop("HARMONI_REDIS_URL", None)
    return subprocess.run([sys.executable, "-m", "harmoni.cli", "payments", "mint"], env=env, capture_output=True,
                          text=True, timeout=120)


def test_a_worker_killed_between_paid_and_minted_and_at_every_step_of_the_mint_mints_once(store):
    _open_period(store)
    edition = store.edition("USHRM2612003")
    fan = store.fan()
    mark = store.mark()
    started = store.checkout(edition, fan).json()
    store.pay(started["checkout_url"])
    store.post(store.events_since(mark))
    order = started["order"]
    states = []
    for point in ("card-mint:before", "card-mint:taken", "card-mint:signed", "card-mint:mined"):
        killed = _cli(store, point)
        assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
        states.append(store.order(order["id"], fan)["state"])
    assert states == ["mint-pending"] * 4  # paid at the first run; the mint never recorded before the end
    assert store.editions.functions.balanceOf(order["wallet"], edition).call() == 1  # mined before the last kill
    done = _cli(store)
    assert done.returncode == 0, done.stdout + done.stderr
    final = store.order(order["id"], fan)
    [log] = store.minted_logs(order["onchain_order_id"])
    assert final["state"] == "minted" and final["tx_hash"] == log["transactionHash"].to_0x_hex()
    assert store.editions.functions.balanceOf(order["wallet"], edition).call() == 1
    assert _cli(store).returncode == 0 and len(store.minted_logs(order["onchain_order_id"])) == 1


def test_sold_out_between_checkout_and_payment_refunds_the_order_and_the_journal_balances(store):
    _open_period(store)
    edition = store.edition("USHRM2612004", supply=1)
    first, second = store.fan(), store.fan()
    mark = store.mark()
    a = store.checkout(edition, first).json()
    b = store.checkout(edition, second).json()  # both may start: nothing is paid yet
    store.pay(a["checkout_url"])
    store.pay(b["checkout_url"])
    store.post(store.events_since(mark))
    store.apply()
    store.post(store.events_since(mark))  # the refund's own events too
    store.apply()
    store.mint()
    states = {store.order(a["order"]["id"], first)["state"], store.order(b["order"]["id"], second)["state"]}
    assert states == {"minted", "sold-out-refunded"}
    loser, headers = (a, first) if store.order(a["order"]["id"], first)["state"] != "minted" else (b, second)
    refunded = store.order(loser["order"]["id"], headers)
    assert "refunded in full" in refunded["message"] and refunded["tx_hash"] is None
    refunds = [r for r in store.stripe.state.data["refunds"].values()
               if r["metadata"].get("order_id") == loser["order"]["id"]]
    assert [r["amount"] for r in refunds] == [500]
    wallets = (a["order"]["wallet"], b["order"]["wallet"])
    assert [store.editions.functions.balanceOf(w, edition).call() for w in wallets].count(1) == 1
    assert store.editions.functions.getEdition(edition).call()[7] == 1  # minted: one token in all
    with store.sessions() as session:
        balances = journal.balances(session)
        assert session.scalar(select(func.count()).select_from(RevenueEntry)
                              .where(RevenueEntry.reference.like("card-order:%"))) == 1
        assert session.scalar(select(func.count()).select_from(StripeEvent)
                              .where(StripeEvent.dead_at.is_not(None), StripeEvent.handled_at.is_(None))) == 0
    assert sum(balances.values()) == 0
    assert balances.get(journal.Account.cash, 0) == 0 and balances.get(journal.Account.tax_payable, 0) == 0
    assert balances[journal.Account.revenue_direct_sales] == -500 * UNIT  # the winner's sale only


def test_every_refusal_is_a_problem_and_writes_nothing(store):
    no_price = store.edition("USHRM2612005", fiat=None)
    capped = store.edition("USHRM2612006", cap=1)
    fan = store.fan(RIVAL)
    cases = [
        (store.checkout(no_price, fan), 409, "no-card-price"),
        (store.checkout(capped, fan, quantity=2), 409, "wallet-cap-reached"),
        (store.checkout(capped, fan, quantity=11), 422, None),
        (store.checkout(capped, fan, wallet=FAN), 403, "wallet-not-yours"),
        (store.checkout(9_999, fan), 404, "edition-not-found"),
        (store.api.post(f"/v1/editions/{capped}/checkout", json={}), 401, None),
    ]
    for answer, status, slug in cases:
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        if slug:
            assert answer.json()["type"].endswith(f"/{slug}"), answer.json()
    walletless = store.fan()
    refused = store.checkout(capped, walletless, quantity=2)
    assert refused.status_code == 409 and refused.json()["type"].endswith("/wallet-cap-reached"), refused.json()
    assert store.count(CardOrder) == 0
    assert (store.count(Wallet), store.count(StripeCustomer)) == (2, 0)  # the artist's and RIVAL's only
    assert store.api.get(f"/v1/me/orders/{uuid.uuid4()}", headers=fan).status_code == 404
    # A paid order not minted yet counts against the cap: a second checkout for the same wallet is refused.
    mark = store.mark()
    first = store.checkout(capped, fan).json()
    store.pay(first["checkout_url"])
    store.post(store.events_since(mark))
    store.apply()
    again = store.checkout(capped, fan)
    assert again.status_code == 409 and again.json()["type"].endswith("/wallet-cap-reached"), again.json()
    assert store.count(CardOrder) == 1


def test_a_token_minted_on_chain_after_the_payment_refunds_at_mint_time_and_voids_the_revenue(store):
    period = _open_period(store)
    edition = store.edition("USHRM2612007", supply=1)
    fan = store.fan()
    mark = store.mark()
    started = store.checkout(edition, fan).json()
    store.pay(started["checkout_url"])
    store.post(store.events_since(mark))
    store.apply()
    order = store.order(started["order"]["id"], fan)
    assert order["state"] == "mint-pending"
    # Someone buys the last token with crypto before the mint job runs.
    work, price = store.work, 5_000_000
    work.send([work.tx(work.admin, "DevStablecoin", "mint", [RIVAL, price]),
               work.tx(RIVAL, "DevStablecoin", "approve", [store.editions.address, price]),
               work.tx(RIVAL, "HarmoniEditions", "mint", [edition, 1])])
    assert store.mint() == 1
    refunded = store.order(order["id"], fan)
    assert refunded["state"] == "sold-out-refunded" and "SoldOut" in refunded["message"], refunded
    assert store.editions.functions.balanceOf(order["wallet"], edition).call() == 0
    assert store.minted_logs(order["onchain_order_id"]) == []
    with store.sessions() as session:
        revenue = session.scalars(select(RevenueEntry).where(RevenueEntry.reference == f"card-order:{order['id']}")
                                  ).one()
        balances = journal.balances(session)
    assert revenue.period_id == period and revenue.voided_at is not None
    assert sum(balances.values()) == 0
    assert all(balances.get(a, 0) == 0 for a in (journal.Account.cash, journal.Account.tax_payable,
                                                 journal.Account.revenue_direct_sales))
    assert store.mint() == 0  # nothing left to do
