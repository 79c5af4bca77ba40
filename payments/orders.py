"""Card purchases of edition tokens: the order and its Stripe Checkout Session, fulfilment from the webhook only.

An order's UUID is the on-chain `orderId` of `HarmoniEditions.mintFor` (16 bytes left-padded to 32), so the chain
says whether it was fulfilled. The payment event (`checkout.session.completed` or `payment_intent.succeeded`,
whichever comes first; both re-fetch the session) takes the order's row lock and, in one transaction: marks it
paid, journals it, and either makes it `mint-pending` (the row is its one mint job, `payments.mint`) or, when the
edition sold out or its sale closed meanwhile, refunds it in full at Stripe (`sold-out-refunded`). Payments for one
edition are serialised, and tokens paid for but not minted yet count as taken, so two fans never pay for the last
token both.

The journal (token units; only the payout currency's sales, like subscriptions):
- paid (gross G, tax T, net N = G-T): Dr card_clearing G          Cr tax_payable T, cash N
- the processor's fee F:              Dr processor_fees F         Cr card_clearing F
- revenue of the open period:         Dr cash N                   Cr revenue:direct_sales N (`record_revenue`, for
                                      the edition's asset: paid through the period's Merkle root by its split)
- sold out, refunded:                 Dr tax_payable T, cash N    Cr card_clearing G (a revenue entry already
                                      recorded in a still open period is voided first, which reverses its entry)
`cash` thus holds, as a credit, card money that is neither revenue of a period yet nor refunded (a sale paid while
no period is open waits there until one opens).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session
from web3 import Web3
from web3.contract import Contract

from chain.client import ChainClient
from chain.deployments import Deployment
from chain.deployments import load as load_deployment
from harmoni.errors import Conflict, HarmoniError, NotFound, ServiceUnavailable
from identity import repository as identity_repository
from identity.models import User, WalletKind
from identity.service import create_custodial_wallet, owned_wallet
from ledger.editions import sales
from ledger.editions import service as editions
from ledger.royalties import journal, periods
from ledger.royalties.journal import Account
from ledger.royalties.models import PeriodStatus, RevenueEntry, RevenueSource, RoyaltyPeriod
from payments import config
from payments.errors import PrerequisiteMissing
from payments.models import MINTABLE, CardOrder, OrderState
from payments.service import Payments, _stripe_call, ensure_customer

MAX_QUANTITY = 10
MESSAGES = {
    OrderState.payment_pending: "Waiting for your payment: finish it on the checkout page. Nothing is charged until "
                                "then.",
    OrderState.payment_failed: "Your payment did not go through ({failure}). You can try again on the same checkout "
                               "page; nothing was charged.",
    OrderState.sold_out_refunded: "The edition sold out or its sale closed before your payment arrived ({failure}): "
                                  "you were refunded in full.",
    OrderState.mint_pending: "Paid. Your token is being minted to {wallet}.",
    OrderState.mint_failed: "Paid. Minting did not succeed yet ({failure}); we retry automatically.",
    OrderState.minted: "Your token is in {wallet} (transaction {tx_hash}).",
}


class NoCardPrice(Conflict):
    slug = "no-card-price"
    title = "Not sold by card"


class OrderNotFound(NotFound):
    slug = "order-not-found"
    title = "Order not found"


@dataclass(frozen=True)
class CardShop:
    """What card orders need: payments (settings, Stripe, units) and the chain with the edition contract."""

    p: Payments
    chain: ChainClient
    deployment: Deployment

    @classmethod
    def of(cls, p: Payments, chain: ChainClient | None = None) -> CardShop:
        settings = p.settings
        deployment = load_deployment(settings.chain_id, settings.data_dir)
        if deployment is None or "HarmoniEditions" not in deployment.contracts:
            raise ServiceUnavailable("the contracts are not deployed on this chain yet", failing=["chain"])
        return cls(p, chain or ChainClient(settings.effective_rpc_url, settings.rpc_timeout_s), deployment)

    @property
    def chain_id(self) -> int:
        return self.deployment.chain_id

    @property
    def editions(self) -> Contract:
        return self.chain.contract(self.deployment, "HarmoniEditions")


def message(order: CardOrder) -> str:
    return MESSAGES[OrderState(order.state)].format(wallet=order.wallet, tx_hash=order.tx_hash,
                                                    failure=order.failure or order.last_error or "no reason given")


def _lock(session: Session, key: str) -> None:
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def _check_room(shop: CardShop, session: Session, edition_id: int, wallet: str, quantity: int,
                exclude: uuid.UUID | None = None) -> None:
    """Refuse (SaleNotActive, SoldOut, WalletCapReached) unless `quantity` more tokens can go to `wallet`, counting
    paid card orders whose mint has not happened yet as taken."""
    query = select(CardOrder).where(CardOrder.chain_id == shop.chain_id, CardOrder.edition_id == edition_id,
                                    CardOrder.state.in_(MINTABLE))
    if exclude is not None:
        query = query.where(CardOrder.id != exclude)
    contract = shop.editions
    waiting = [o for o in session.scalars(query) if not contract.functions.orderFulfilled(o.order_id).call()]
    editions.check_mintable(contract, edition_id, wallet, quantity, shop.chain.head().timestamp,
                            reserved=sum(o.quantity for o in waiting),
                            reserved_for_wallet=sum(o.quantity for o in waiting if o.wallet.lower() == wallet.lower()))


def _receiving_wallet(session: Session, user: User, wallet: str | None) -> tuple[str | None, str]:
    """The wallet asked for (one of the fan's), else the first linked one, else the custodial one; (None,
    custodial) when the fan has none yet (one is created once the order is accepted)."""
    if wallet is not None:
        address = owned_wallet(session, user.id, wallet, field="wallet")
        found = identity_repository.wallet_by_address(session, address)
        return address, found.kind
    mine = identity_repository.wallets_of(session, user.id)
    for kind in (WalletKind.linked.value, WalletKind.custodial.value):
        for w in mine:
            if w.kind == kind:
                return w.address, kind
    return None, WalletKind.custodial.value


def start_checkout(shop: CardShop, session: Session, user: User, edition_id: int, quantity: int,
                   wallet: str | None) -> CardOrder:
    """A `payment-pending` order and its Stripe Checkout Session, after every refusal the chain would make."""
    view = editions.edition_view(session, shop.chain_id, edition_id)
    listing = view.listing
    if listing is None or listing.fiat_price_cents is None:
        raise NoCardPrice(f"edition {edition_id} has no card price: buy it with crypto (POST "
                          f"/v1/editions/{edition_id}/purchase/prepare)", field="edition_id", edition_id=edition_id)
    address, kind = _receiving_wallet(session, user, wallet)
    _lock(session, f"card-edition:{shop.chain_id}:{edition_id}")
    _check_room(shop, session, edition_id, address or editions.NATIVE, quantity)
    if address is None:
        address = create_custodial_wallet(session, shop.p.settings, user).address
    order = CardOrder(id=uuid.uuid4(), user_id=user.id, chain_id=shop.chain_id, edition_id=edition_id,
                      asset_id=view.edition.asset_id, quantity=quantity, wallet=Web3.to_checksum_address(address),
                      wallet_kind=kind, currency=listing.fiat_currency, amount=listing.fiat_price_cents * quantity,
                      tax=0, tax_rate_bps=0, fee=0, state=OrderState.payment_pending.value, mint_attempts=0)
    session.add(order)
    session.flush()
    client = shop.p.client
    back = f"{shop.p.settings.api_url}/orders/{order.id}"
    meta = {"order_id": str(order.id), "user_id": str(user.id)}
    checkout = _stripe_call(client.v1.checkout.sessions.create, params={
        "mode": "payment", "customer": ensure_customer(session, client, user), "client_reference_id": str(user.id),
        "success_url": f"{back}?checkout=success", "cancel_url": f"{back}?checkout=cancelled", "metadata": meta,
        "payment_intent_data": {"metadata": meta},
        "line_items": [{"quantity": quantity, "price_data": {
            "currency": listing.fiat_currency.lower(), "unit_amount": listing.fiat_price_cents,
            "product_data": {"name": f"HARMONI edition {edition_id}"}}}]},
        options={"idempotency_key": f"card-checkout:{order.id}"})
    order.checkout_session_id, order.checkout_url = checkout["id"], checkout["url"]
    session.flush()
    return order


# --- the webhook --------------------------------------------------------------------------------------------------

def handle(shop_of, session: Session, event: dict) -> bool:
    """Apply a Stripe event about a card order; False when it is about something else (subscriptions, invoices).
    `shop_of()` gives the CardShop (built only when an order needs the chain)."""
    kind, obj = event["type"], event["data"]["object"]
    if kind.startswith("checkout.session.") and obj.get("mode") == "payment":
        order = _order(session, (obj.get("metadata") or {}).get("order_id"), event)
        if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
            fulfil(shop_of(), session, order)
        elif kind in ("checkout.session.expired", "checkout.session.async_payment_failed"):
            _fail(order, "the checkout expired" if kind.endswith("expired") else "the bank refused the payment")
        return True
    if kind.startswith("payment_intent.") and (obj.get("metadata") or {}).get("order_id"):
        order = _order(session, obj["metadata"]["order_id"], event)
        if kind == "payment_intent.succeeded":
            fulfil(shop_of(), session, order)
        elif kind == "payment_intent.payment_failed":
            error = obj.get("last_payment_error") or {}
            _fail(order, error.get("message") or "the card was declined")
        return True
    if kind.startswith("refund.") or kind == "charge.refunded":
        # Refunds of card orders are made (and journaled) by `refund_order`: their events only confirm them.
        return session.scalar(select(CardOrder.id).where(CardOrder.payment_intent_id == obj.get("payment_intent"))
                              ) is not None
    return False


def _order(session: Session, order_id: str | None, event: dict) -> CardOrder:
    try:
        found = session.get(CardOrder, uuid.UUID(order_id or ""), with_for_update=True)
    except ValueError:
        found = None
    if found is None:
        raise PrerequisiteMissing(f"{event['type']} {event['id']}: no card order {order_id!r} recorded")
    return found


def _fail(order: CardOrder, why: str) -> None:
    if order.state == OrderState.payment_pending:
        order.state, order.failure, order.updated_at = OrderState.payment_failed.value, why, datetime.now(UTC)


def fulfil(shop: CardShop, session: Session, order: CardOrder) -> None:
    """The payment arrived (as Stripe says now): record it, journal it, queue the mint or refund (once)."""
    if order.state not in (OrderState.payment_pending, OrderState.payment_failed):
        return  # applied already (a duplicate or the other payment event)
    p = shop.p
    checkout = p.client.v1.checkout.sessions.retrieve(order.checkout_session_id).to_dict()
    if checkout.get("payment_status") != "paid" or not checkout.get("payment_intent"):
        raise PrerequisiteMissing(f"checkout {order.checkout_session_id} is not paid yet")
    intent = p.client.v1.payment_intents.retrieve(checkout["payment_intent"], params={
        "expand": ["latest_charge.balance_transaction"]}).to_dict()
    charge = intent["latest_charge"]
    card_country = ((charge.get("payment_method_details") or {}).get("card") or {}).get("country")
    billing_country = ((charge.get("billing_details") or {}).get("address") or {}).get("country")
    country = billing_country or card_country
    rate = config.tax_rate_bps(p.settings, country)
    gross = int(intent["amount"])
    now = datetime.now(UTC)
    order.payment_intent_id, order.amount, order.fee = intent["id"], gross, int(charge["balance_transaction"]["fee"])
    order.tax, order.tax_rate_bps, order.buyer_country = gross * rate // (10_000 + rate), rate, country
    order.evidence = {"billing_country": billing_country, "card_country": card_country, "ip_country": None}
    order.paid_at = order.updated_at = now
    _journal(p, session, order, "paid")
    _lock(session, f"card-edition:{shop.chain_id}:{order.edition_id}")
    try:
        _check_room(shop, session, order.edition_id, order.wallet, order.quantity, exclude=order.id)
    except (editions.SoldOut, editions.SaleNotActive, editions.WalletCapReached) as refused:
        refund_order(shop, session, order, refused.detail)
        return
    order.state, order.mint_next_at = OrderState.mint_pending.value, now
    record_revenue(p, session, order)
    session.flush()
    from harmoni import jobs

    if not jobs.is_eager():  # without Redis, `harmoni up`'s periodic payments job runs the mints
        from payments.tasks import mint_card_orders

        jobs.enqueue_after_commit(session, mint_card_orders)


def _journaled(p: Payments, order: CardOrder) -> bool:
    return order.currency == p.settings.payout_currency


def _journal(p: Payments, session: Session, order: CardOrder, what: str) -> None:
    if not _journaled(p, order):
        return
    u, gross, tax = p.unit_factor, order.amount, order.tax
    if what == "paid":
        journal.post(session, kind="payment", key=f"card-order:{order.id}", memo=f"card order {order.id} paid",
                     postings=[journal.debit(Account.card_clearing, gross * u),
                               journal.credit(Account.tax_payable, tax * u),
                               journal.credit(Account.cash, (gross - tax) * u)])
        journal.post(session, kind="payment", key=f"card-order-fee:{order.id}",
                     memo=f"processor fee of card order {order.id}",
                     postings=[journal.debit(Account.processor_fees, order.fee * u),
                               journal.credit(Account.card_clearing, order.fee * u)])
    else:
        journal.post(session, kind="payment", key=f"card-order-refund:{order.id}",
                     memo=f"card order {order.id} refunded in full",
                     postings=[journal.debit(Account.tax_payable, tax * u),
                               journal.debit(Account.cash, (gross - tax) * u),
                               journal.credit(Account.card_clearing, gross * u)])


def record_revenue(p: Payments, session: Session, order: CardOrder) -> bool:
    """The sale as `direct_sales` revenue of the open period (once); False while no period is open."""
    if order.revenue_entry_id is not None or not _journaled(p, order) or order.amount == order.tax:
        return False
    period = sales.open_period_at(session, datetime.now(UTC))
    if period is None:
        return False
    entry, _ = periods.record_revenue(
        session, period.period_id, source=RevenueSource.direct_sales.value, amount=order.amount - order.tax,
        currency=order.currency, reference=f"card-order:{order.id}", asset_id=order.asset_id,
        chain_id=order.chain_id, payout_currency=p.settings.payout_currency, unit_factor=p.unit_factor)
    order.revenue_entry_id = entry.id
    return True


def record_pending_revenue(p: Payments, session: Session) -> int:
    """Sales paid while no period was open, into the one open now."""
    waiting = session.scalars(select(CardOrder).where(
        CardOrder.revenue_entry_id.is_(None), CardOrder.paid_at.is_not(None),
        CardOrder.state != OrderState.sold_out_refunded.value,
        CardOrder.currency == p.settings.payout_currency).with_for_update(skip_locked=True))
    return sum(record_revenue(p, session, order) for order in waiting)


class RefundBlocked(HarmoniError):
    """The sale is already in a period that no longer takes changes: an admin decides (carry-forward)."""


def refund_order(shop: CardShop, session: Session, order: CardOrder, why: str) -> None:
    """Refund a paid order in full at Stripe (idempotent per order), reverse its journal: `sold-out-refunded`."""
    if order.revenue_entry_id is not None:
        entry = session.get(RevenueEntry, order.revenue_entry_id)
        period = session.get(RoyaltyPeriod, entry.period_id)
        if period.status != PeriodStatus.open:
            raise RefundBlocked(f"card order {order.id}: its sale is revenue of period {period.period_id}, which is "
                                f"{period.status}")
        periods.void_revenue(session, entry.period_id, entry.id, reason=f"card order refunded: {why}"[:300],
                             unit_factor=shop.p.unit_factor)
    refund = _stripe_call(shop.p.client.v1.refunds.create, params={
        "payment_intent": order.payment_intent_id, "reason": "requested_by_customer",
        "metadata": {"order_id": str(order.id), "note": why[:400]}},
        options={"idempotency_key": f"card-refund:{order.id}"})
    _journal(shop.p, session, order, "refund")
    order.state, order.failure, order.refund_id = OrderState.sold_out_refunded.value, why, refund["id"]
    order.mint_next_at, order.updated_at = None, datetime.now(UTC)
    session.flush()


# --- what the fan reads ------------------------------------------------------------------------------------------

def orders_of(session: Session, user_id: uuid.UUID, limit: int = 100) -> list[CardOrder]:
    return list(session.scalars(select(CardOrder).where(CardOrder.user_id == user_id)
                                .order_by(CardOrder.created_at.desc(), CardOrder.id).limit(limit)))


def order_of(session: Session, user_id: uuid.UUID, order_id: uuid.UUID) -> CardOrder:
    order = session.get(CardOrder, order_id)
    if order is None or order.user_id != user_id:
        raise OrderNotFound(f"you have no order {order_id}", field="order_id")
    return order
