"""Subscriptions, invoices, refunds and disputes: what a Stripe event does here, and what a fan or admin asks for.

Every handler re-fetches its object from Stripe and writes what Stripe says now, so duplicates and any arrival
order end in the same state. Money follows the journal (amounts in token units, `unit_factor` per minor unit):

- invoice paid (gross G, tax T):  Dr card_clearing G         Cr tax_payable T, deferred_subscription_revenue G-T
- processor fee F:                Dr processor_fees F        Cr card_clearing F
- recognised into a period:       Dr deferred_subscription_revenue   Cr revenue:subscriptions (a `royalty_revenue`
                                  entry of the period: the statement's subscription pool)
- refund / lost dispute R:        Dr tax_payable (T·R/G), deferred (what is still deferred), subscription_refunds
                                  (the rest, already in a period)    Cr card_clearing R
- dispute won:                    the reverse of its withdrawal, the net part back to subscription_refunds

Recognition is pro rata by service time: through the end of an open period P, an invoice for [s, e) has
recognised floor(net·(min(e, end(P)) - s)/(e - s)) in all; each open period gets the difference, so the parts add
up to the whole exactly. Service in periods already closed lands in the first open period (late revenue); service
after every period waits, deferred, until a period covering it is opened (`recognise_pending`, run by the payments
job every few seconds). A period locked by a close in progress is skipped (it no longer takes revenue).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import stripe
from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from harmoni.settings import Settings
from identity.models import User
from ledger.royalties import journal
from ledger.royalties.journal import Account
from ledger.royalties.models import PeriodStatus, RevenueEntry, RevenueSource, RoyaltyPeriod
from payments import carry, config
from payments.currency import note as currency_note
from payments.errors import (
    AlreadySubscribed,
    InvoiceNotFound,
    PlanUnknown,
    PrerequisiteMissing,
    RefundInvalid,
    StripeUnavailable,
    SubscriptionEnded,
    SubscriptionNotFound,
)
from payments.models import (
    ENTITLED,
    Invoice,
    InvoiceRecognition,
    PaymentCounter,
    PaymentReversal,
    ReversalKind,
    StripeCustomer,
    Subscription,
    SubscriptionStatus,
)
from payments.tax import choose_country, rate_for

log = logging.getLogger(__name__)
LIVE_STATUSES = (*ENTITLED, SubscriptionStatus.unpaid, SubscriptionStatus.incomplete)


@dataclass(frozen=True)
class Payments:
    """What handling payments needs: the settings, a Stripe client, and token units per minor unit."""

    settings: Settings
    client: stripe.StripeClient
    unit_factor: int


def _ts(seconds: int) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)


def _lock(session: Session, key: str) -> None:
    """Serialise the handling of one Stripe object across workers (until the transaction ends)."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def _stripe_call(call, *args, refused=None, **kwargs):
    try:
        return call(*args, **kwargs)
    except stripe.APIConnectionError as err:
        raise StripeUnavailable(f"Stripe did not answer: {err.user_message or err}") from err
    except stripe.InvalidRequestError as err:
        if refused is None:
            raise
        raise refused(f"Stripe refused: {err.user_message or err}", field=err.param or "body") from err


# --- events ------------------------------------------------------------------------------------------------------

def handle(p: Payments, session: Session, event: dict) -> None:
    """Apply one stored event (the inbox worker's handler)."""
    kind, obj = event["type"], event["data"]["object"]
    if kind == "checkout.session.completed" and obj.get("mode") == "subscription" and obj.get("subscription"):
        if obj.get("client_reference_id") and obj.get("customer"):
            _link_customer(session, uuid.UUID(obj["client_reference_id"]), obj["customer"])
        sync_subscription(session, p.client.v1.subscriptions.retrieve(obj["subscription"]).to_dict())
    elif kind.startswith("customer.subscription."):
        sync_subscription(session, p.client.v1.subscriptions.retrieve(obj["id"]).to_dict())
    elif kind.startswith("invoice.") and (kind == "invoice.paid" or obj.get("status") == "paid"):
        # Only a paid invoice is recorded, and each gets an `invoice.paid` event (the reconcile finds a lost one):
        # the others (created, payment_failed…) need no round trip to Stripe.
        # `payments` (which payment paid it) is an includable field since API 2025-03-31: ask for it.
        sync_invoice(p, session, p.client.v1.invoices.retrieve(obj["id"], params={"expand": ["payments"]}).to_dict())
    elif kind.startswith("refund."):
        sync_reversal(p, session, ReversalKind.refund, p.client.v1.refunds.retrieve(obj["id"]).to_dict())
    elif kind.startswith("charge.dispute."):
        sync_reversal(p, session, ReversalKind.dispute, p.client.v1.disputes.retrieve(obj["id"]).to_dict())


def _link_customer(session: Session, user_id: uuid.UUID, customer_id: str) -> None:
    session.execute(insert(StripeCustomer).values(user_id=user_id, customer_id=customer_id)
                    .on_conflict_do_nothing())


def _user_of(session: Session, metadata: dict | None, customer_id: str | None) -> uuid.UUID:
    if metadata and metadata.get("user_id"):
        return uuid.UUID(metadata["user_id"])
    found = session.scalar(select(StripeCustomer.user_id).where(StripeCustomer.customer_id == customer_id))
    if found is None:
        raise PrerequisiteMissing(f"customer {customer_id} is not linked to an account yet")
    return found


def sync_subscription(session: Session, sub) -> Subscription:
    """Write the subscription as Stripe says it is now."""
    _lock(session, sub["id"])
    item = sub["items"]["data"][0]
    price = item["price"]
    values = dict(user_id=_user_of(session, sub.get("metadata"), sub["customer"]), customer_id=sub["customer"],
                  status=sub["status"], interval=price["recurring"]["interval"], currency=price["currency"].upper(),
                  amount=int(price["unit_amount"]), item_id=item["id"], product_id=price["product"],
                  cancel_at_period_end=bool(sub["cancel_at_period_end"]),
                  current_period_start=_ts(item["current_period_start"]),
                  current_period_end=_ts(item["current_period_end"]), latest_invoice_id=sub.get("latest_invoice"),
                  synced_at=datetime.now(UTC))
    session.execute(insert(Subscription).values(id=uuid.uuid4(), stripe_subscription_id=sub["id"], **values)
                    .on_conflict_do_update(index_elements=[Subscription.stripe_subscription_id], set_=values))
    return session.scalars(select(Subscription).where(Subscription.stripe_subscription_id == sub["id"])
                           .execution_options(populate_existing=True)).one()


def _next_number(session: Session, name: str) -> int:
    session.execute(insert(PaymentCounter).values(name=name, value=0).on_conflict_do_nothing())
    return session.execute(update(PaymentCounter).where(PaymentCounter.name == name)
                           .values(value=PaymentCounter.value + 1).returning(PaymentCounter.value)).scalar_one()


def _journaled(p: Payments, code: str) -> bool:
    """Only the payout currency's money enters the journal and the periods (`payments.currency`)."""
    return currency_note(code, p.settings.payout_currency) is None


def sync_invoice(p: Payments, session: Session, inv) -> Invoice | None:
    """Record a paid invoice once: receipt number, tax, fee, buyer's country; journal it; recognise it."""
    if inv["status"] != "paid" or not inv["amount_paid"]:
        return None
    _lock(session, inv["id"])
    existing = session.scalars(select(Invoice).where(Invoice.stripe_invoice_id == inv["id"])).one_or_none()
    if existing is not None:
        return existing
    details = (inv.get("parent") or {}).get("subscription_details") or {}
    user_id = _user_of(session, details.get("metadata"), inv["customer"])
    payments = inv["payments"]["data"]
    intent_id = payments[0]["payment"]["payment_intent"] if payments else None
    fee, card_country, billing_country = 0, None, None
    if intent_id:
        expand = {"expand": ["latest_charge.balance_transaction"]}
        intent = p.client.v1.payment_intents.retrieve(intent_id, params=expand).to_dict()
        charge = intent["latest_charge"]
        fee = int(charge["balance_transaction"]["fee"])
        card_country = ((charge.get("payment_method_details") or {}).get("card") or {}).get("country")
        billing_country = ((charge.get("billing_details") or {}).get("address") or {}).get("country")
    country, evidence = choose_country(billing_country, card_country,
                                       (details.get("metadata") or {}).get("ip_country"))
    paid_at = _ts((inv.get("status_transitions") or {}).get("paid_at") or inv["created"])
    rate, evidence["rate_source"] = rate_for(session, p.settings, country, paid_at)
    gross = int(inv["amount_paid"])
    tax = gross * rate // (10_000 + rate)  # prices include tax
    note = currency_note(inv["currency"].upper(), p.settings.payout_currency)
    if note is None:
        u = p.unit_factor
        journal.post(session, kind="payment", key=f"stripe-invoice:{inv['id']}", memo=f"invoice {inv['id']} paid",
                     postings=[journal.debit(Account.card_clearing, gross * u),
                               journal.credit(Account.tax_payable, tax * u),
                               journal.credit(Account.deferred_subscription_revenue, (gross - tax) * u)])
        journal.post(session, kind="payment", key=f"stripe-fee:{inv['id']}", memo=f"processor fee of {inv['id']}",
                     postings=[journal.debit(Account.processor_fees, fee * u),
                               journal.credit(Account.card_clearing, fee * u)])
    else:
        log.warning("invoice kept out of the royalty periods", extra={"invoice": inv["id"], "note": note})
    period = inv["lines"]["data"][0]["period"]
    # The receipt number last: every paid invoice waits for the counter's row until the one holding it commits.
    invoice = Invoice(id=uuid.uuid4(), stripe_invoice_id=inv["id"], number=_next_number(session, "invoice"),
                      user_id=user_id, stripe_subscription_id=details.get("subscription"),
                      payment_intent_id=intent_id, currency=inv["currency"].upper(), gross=gross, tax=tax,
                      tax_rate_bps=rate, fee=fee, refunded=0, reversed_net=0, recognised=0,
                      buyer_country=country, evidence=evidence,
                      service_start=_ts(period["start"]), service_end=_ts(period["end"]), paid_at=paid_at,
                      payout_note=note)
    session.add(invoice)
    session.flush()
    if note is None:
        recognise(p, session, invoice)
    return invoice


def _reversed_net_total(invoice: Invoice) -> int:
    """The net (tax excluded) part of what was refunded or charged back so far."""
    return invoice.refunded - _tax_part(invoice, invoice.refunded)


def _tax_part(invoice: Invoice, gross_amount: int) -> int:
    """Tax in the first `gross_amount` reversed: cumulative, so reversing everything reverses exactly the tax."""
    return invoice.tax * gross_amount // invoice.gross


def recognise(p: Payments, session: Session, invoice: Invoice) -> int:
    """Move the invoice's net revenue into the open periods its service time reaches; how much was moved."""
    if not _journaled(p, invoice.currency):
        return 0
    start, end = invoice.service_start, invoice.service_end
    total_s = max(1, int((end - start).total_seconds()))
    effective = max(0, invoice.net - _reversed_net_total(invoice))
    moved = 0
    periods = session.scalars(select(RoyaltyPeriod).where(RoyaltyPeriod.status == PeriodStatus.open,
                                                          RoyaltyPeriod.starts_at < end)
                              .order_by(RoyaltyPeriod.period_id).with_for_update(key_share=True, skip_locked=True))
    for period in periods:
        through = int((min(end, period.ends_at) - start).total_seconds())
        target = effective * max(0, min(through, total_s)) // total_s
        deferred_left = invoice.net - invoice.recognised - invoice.reversed_net
        amount = min(target - invoice.recognised, deferred_left)
        if amount <= 0 or session.get(InvoiceRecognition, (invoice.id, period.period_id)) is not None:
            continue
        session.add(RevenueEntry(period_id=period.period_id, source=RevenueSource.subscriptions.value,
                                 amount=amount, currency=invoice.currency,
                                 reference=f"stripe:{invoice.stripe_invoice_id}"))
        session.add(InvoiceRecognition(invoice_id=invoice.id, period_id=period.period_id, amount=amount))
        journal.post(session, kind="payment", key=f"recognised:{invoice.stripe_invoice_id}:{period.period_id}",
                     period_id=period.period_id, memo=f"invoice {invoice.stripe_invoice_id} service in period",
                     postings=[journal.debit(Account.deferred_subscription_revenue, amount * p.unit_factor),
                               journal.credit(Account.revenue_subscriptions, amount * p.unit_factor)])
        invoice.recognised += amount
        moved += amount
    session.flush()
    return moved


def recognise_pending(p: Payments, session: Session) -> int:
    """Recognise what is still deferred into the periods now open (run periodically and after opening a period)."""
    moved = 0
    pending = session.scalars(select(Invoice).where(
        Invoice.currency == p.settings.payout_currency,
        Invoice.recognised + Invoice.reversed_net < Invoice.gross - Invoice.tax).with_for_update())
    for invoice in pending:
        moved += recognise(p, session, invoice)
    return moved


def _in_effect(kind: str, status: str) -> bool:
    """Whether the money has left us: a succeeded refund, an open or lost dispute."""
    if kind == ReversalKind.refund:
        return status in ("succeeded", "pending")
    return status not in ("won", "warning_closed", "prevented")


def sync_reversal(p: Payments, session: Session, kind: ReversalKind, obj) -> PaymentReversal:
    """Record a refund or dispute as Stripe says it is; journal the money leaving (or coming back) once."""
    invoice = session.scalars(select(Invoice).where(Invoice.payment_intent_id == obj["payment_intent"])
                              .with_for_update()).one_or_none()
    if invoice is None:
        raise PrerequisiteMissing(f"{kind} {obj['id']}: no paid invoice with payment {obj['payment_intent']} yet")
    reversal = session.get(PaymentReversal, obj["id"], with_for_update=True)
    was = reversal is not None and _in_effect(kind, reversal.status)
    if reversal is None:
        reversal = PaymentReversal(id=obj["id"], kind=kind.value, invoice_id=invoice.id, amount=int(obj["amount"]),
                                   status=obj["status"])
        session.add(reversal)
    reversal.status, reversal.updated_at = obj["status"], datetime.now(UTC)
    now = _in_effect(kind, reversal.status)
    amount = reversal.amount
    u = p.unit_factor
    if now and not was:
        tax = _tax_part(invoice, invoice.refunded + amount) - _tax_part(invoice, invoice.refunded)
        from_deferred = min(amount - tax, invoice.net - invoice.recognised - invoice.reversed_net)
        invoice.refunded += amount
        invoice.reversed_net += from_deferred
        if _journaled(p, invoice.currency):
            journal.post(session, kind="payment", key=f"reversal:{reversal.id}",
                         memo=f"{kind} {reversal.id} of invoice {invoice.stripe_invoice_id}",
                         postings=[journal.debit(Account.tax_payable, tax * u),
                                   journal.debit(Account.deferred_subscription_revenue, from_deferred * u),
                                   journal.debit(Account.subscription_refunds, (amount - tax - from_deferred) * u),
                                   journal.credit(Account.card_clearing, amount * u)])
            carry.claw_back(session, invoice, reversal.id, amount - tax - from_deferred, u)
    elif was and not now:
        tax = _tax_part(invoice, invoice.refunded) - _tax_part(invoice, invoice.refunded - amount)
        invoice.refunded -= amount
        if _journaled(p, invoice.currency):
            journal.post(session, kind="payment", key=f"reinstated:{reversal.id}",
                         memo=f"{kind} {reversal.id} of invoice {invoice.stripe_invoice_id} reversed",
                         postings=[journal.debit(Account.card_clearing, amount * u),
                                   journal.credit(Account.tax_payable, tax * u),
                                   journal.credit(Account.subscription_refunds, (amount - tax) * u)])
            carry.give_back(session, invoice, reversal.id)
    session.flush()
    return reversal


# --- what fans and admins ask for ---------------------------------------------------------------------------------

def current_subscription(session: Session, user_id: uuid.UUID) -> Subscription | None:
    """The account's live subscription, else its latest one."""
    rows = list(session.scalars(select(Subscription).where(Subscription.user_id == user_id)
                                .order_by(Subscription.created_at.desc())))
    return next((s for s in rows if s.status in LIVE_STATUSES), rows[0] if rows else None)


def buyer_country(session: Session, user_id: uuid.UUID) -> str | None:
    """The country of the account's latest receipt (its billing evidence), if it ever paid."""
    return session.scalar(select(Invoice.buyer_country).where(Invoice.user_id == user_id,
                                                              Invoice.buyer_country.is_not(None))
                          .order_by(Invoice.paid_at.desc()).limit(1))


def is_subscriber(session: Session, user_id: uuid.UUID) -> bool:
    return session.scalar(select(func.count()).select_from(Subscription).where(
        Subscription.user_id == user_id, Subscription.status.in_([s.value for s in ENTITLED]))) > 0


def _plan(settings: Settings, interval: str, currency: str) -> config.Plan:
    plans = config.plans(settings)
    plan = plans.get(f"{interval}:{currency.upper()}")
    if plan is None:
        raise PlanUnknown(f"no {interval}ly plan in {currency.upper()}: one of {', '.join(sorted(plans))}",
                          field="plan")
    return plan


def ensure_customer(session: Session, client: stripe.StripeClient, user: User) -> str:
    found = session.get(StripeCustomer, user.id)
    if found is not None:
        return found.customer_id
    customer = _stripe_call(client.v1.customers.create, params={"email": user.email or None,
                                                                "metadata": {"user_id": str(user.id)}},
                            options={"idempotency_key": f"customer:{user.id}"})
    _link_customer(session, user.id, customer["id"])
    return customer["id"]


def start_checkout(session: Session, settings: Settings, user: User, interval: str, currency: str,
                   ip_country: str | None = None) -> dict:
    """A Stripe Checkout Session for the plan; the subscription exists once its webhook has been applied.
    `ip_country` (the proxy's, `tax.ip_country`) rides in the subscription's metadata: tax evidence for its
    invoices."""
    plan = _plan(settings, interval, currency)
    current = current_subscription(session, user.id)
    if current is not None and current.status in LIVE_STATUSES:
        raise AlreadySubscribed(f"the account already has a {current.status} subscription: change its plan with "
                                "POST /v1/me/subscription/plan", status_now=current.status)
    client = config.client(settings)
    customer = ensure_customer(session, client, user)
    back = f"{settings.api_url}/account/subscription"
    checkout = _stripe_call(client.v1.checkout.sessions.create, params={
        "mode": "subscription", "customer": customer, "client_reference_id": str(user.id),
        "success_url": f"{back}?checkout=success", "cancel_url": f"{back}?checkout=cancelled",
        "line_items": [{"quantity": 1, "price_data": {
            "currency": plan.currency.lower(), "unit_amount": plan.amount, "recurring": {"interval": plan.interval},
            "product_data": {"name": f"HARMONI {plan.interval}ly"}}}],
        "subscription_data": {"metadata": {"user_id": str(user.id), "plan": plan.key,
                                           **({"ip_country": ip_country} if ip_country else {})}}})
    return {"checkout_url": checkout["url"], "checkout_session_id": checkout["id"], "plan": plan}


def _live(session: Session, user_id: uuid.UUID) -> Subscription:
    current = current_subscription(session, user_id)
    if current is None:
        raise SubscriptionNotFound("the account has no subscription: start one with POST /v1/me/subscription")
    if current.status not in LIVE_STATUSES:
        raise SubscriptionEnded(f"the subscription is {current.status}: start a new one with POST "
                                "/v1/me/subscription")
    return current


def change_plan(session: Session, settings: Settings, user_id: uuid.UUID, interval: str) -> Subscription:
    """Upgrade (charged now, pro rata) or downgrade (from now, no refund) to the plan of `interval`."""
    current = _live(session, user_id)
    plan = _plan(settings, interval, current.currency)
    if plan.interval == current.interval and plan.amount == current.amount:
        return current
    behaviour = "always_invoice" if plan.amount > current.amount else "none"
    sub = _stripe_call(config.client(settings).v1.subscriptions.update, current.stripe_subscription_id, params={
        "items": [{"id": current.item_id, "price_data": {
            "currency": plan.currency.lower(), "product": current.product_id, "unit_amount": plan.amount,
            "recurring": {"interval": plan.interval}}}],
        "proration_behavior": behaviour, "metadata": {"plan": plan.key}})
    return sync_subscription(session, sub.to_dict())


def set_cancel_at_period_end(session: Session, settings: Settings, user_id: uuid.UUID, cancel: bool) -> Subscription:
    current = _live(session, user_id)
    sub = _stripe_call(config.client(settings).v1.subscriptions.update, current.stripe_subscription_id,
                       params={"cancel_at_period_end": cancel})
    return sync_subscription(session, sub.to_dict())


def portal_url(session: Session, settings: Settings, user_id: uuid.UUID) -> str:
    found = session.get(StripeCustomer, user_id)
    if found is None:
        raise SubscriptionNotFound("the account has no billing account yet: subscribe first")
    portal = _stripe_call(config.client(settings).v1.billing_portal.sessions.create, params={
        "customer": found.customer_id, "return_url": f"{settings.api_url}/account/subscription"},
        refused=SubscriptionNotFound)  # Stripe no longer knows the customer
    return portal["url"]


def invoices_of(session: Session, user_id: uuid.UUID) -> list[Invoice]:
    return list(session.scalars(select(Invoice).where(Invoice.user_id == user_id).order_by(Invoice.number.desc())))


def refund(p: Payments, session: Session, invoice_id: uuid.UUID, amount: int | None, reason: str) -> PaymentReversal:
    """Refund an invoice in full (no amount) or in part, at Stripe; the journal follows at once (and the webhook
    finds it done)."""
    invoice = session.get(Invoice, invoice_id, with_for_update=True)
    if invoice is None:
        raise InvoiceNotFound(f"no invoice {invoice_id}")
    left = invoice.gross - invoice.refunded
    amount = left if amount is None else amount
    if amount <= 0 or amount > left or not invoice.payment_intent_id:
        raise RefundInvalid(f"amount must be between 1 and {left} (what is left to refund, in the currency's smallest "
                            "unit)", field="amount", refundable=left)
    count = session.scalar(select(func.count()).select_from(PaymentReversal)
                           .where(PaymentReversal.invoice_id == invoice.id))
    created = _stripe_call(p.client.v1.refunds.create, refused=RefundInvalid, params={
        "payment_intent": invoice.payment_intent_id, "amount": amount, "reason": "requested_by_customer",
        "metadata": {"invoice_id": str(invoice.id), "note": reason[:400]}},
        options={"idempotency_key": f"refund:{invoice.id}:{count}:{amount}"})
    return sync_reversal(p, session, ReversalKind.refund, created.to_dict())
