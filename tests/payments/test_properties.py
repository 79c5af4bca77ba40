"""A generated Stripe history delivered shuffled and with duplicates ends in the same state as delivered in order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from identity.models import User
from ledger.royalties import journal
from ledger.royalties.models import JournalEntry, RevenueEntry
from payments import inbox, service
from payments.models import Invoice, PaymentReversal, StripeEvent, Subscription
from tests.identity.factories import make_user
from tests.payments.conftest import open_period_around

STEPS = st.lists(st.sampled_from(["renew_paid", "renew_failed", "retry_paid", "retry_exhausted", "refund_part",
                                  "refund_rest", "dispute_won", "dispute_lost", "upgrade", "cancel", "resume"]),
                 max_size=6)
HISTORY = st.tuples(st.sampled_from(["month", "year"]), st.sampled_from(["DE", "US"]), STEPS, st.integers(0, 2**32))


def _make_history(shop, pay_settings, interval, country, steps) -> list[dict]:
    """Drive the local Stripe through a fan's history; its events, in the order Stripe made them."""
    fan = make_user(shop.sessions, pay_settings, "fan")
    mark = shop.mark()
    with shop.sessions.begin() as session:
        started = service.start_checkout(session, pay_settings, session.get(User, fan.id), interval, "USD")
    shop.pay(started["checkout_url"], country=country)
    checkout = shop.client.v1.checkout.sessions.retrieve(started["checkout_session_id"])
    sub_id = checkout.subscription
    for step in steps:
        sub = shop.client.v1.subscriptions.retrieve(sub_id)
        if sub.status == "canceled":
            break
        latest = shop.client.v1.invoices.retrieve(sub.latest_invoice)
        intent = latest.payments.data[0].payment.payment_intent if latest.payments.data else None
        charge = shop.client.v1.payment_intents.retrieve(intent).latest_charge if intent else None
        found = shop.client.v1.charges.retrieve(charge) if charge else None
        left = 0 if found is None or found.disputed else found.amount - found.amount_refunded
        if step.startswith("renew"):
            shop.local(f"subscriptions/{sub_id}/renew", outcome="paid" if step == "renew_paid" else "failed")
        elif step.startswith("retry") and latest.status == "open":
            shop.local(f"invoices/{latest.id}/retry", outcome=step.removeprefix("retry_"))
        elif step.startswith("refund") and left > 0:
            shop.client.v1.refunds.create(params={"payment_intent": intent,
                                                  "amount": max(1, left // 3) if step == "refund_part" else left})
        elif step.startswith("dispute") and left > 0:
            dispute = shop.local(f"charges/{charge}/dispute")
            shop.local(f"disputes/{dispute['id']}/close", status=step.removeprefix("dispute_"))
        elif step == "upgrade" and sub["items"].data[0].price.recurring.interval == "month":
            item = sub["items"].data[0]
            shop.client.v1.subscriptions.update(sub_id, params={"proration_behavior": "always_invoice", "items": [
                {"id": item.id, "price_data": {"currency": "usd", "product": item.price.product,
                                               "unit_amount": 9999, "recurring": {"interval": "year"}}}]})
        elif step in ("cancel", "resume"):
            shop.client.v1.subscriptions.update(sub_id, params={"cancel_at_period_end": step == "cancel"})
    return shop.events_since(mark)


def _apply_all(shop, events: list[dict]) -> None:
    with shop.sessions.begin() as session:
        for event in events:
            inbox.store(session, event)
    handler = lambda s, e: service.handle(shop.p, s, e)  # noqa: E731
    for _ in range(len(events) + 1):  # each round applies at least the events whose prerequisites are in
        while inbox.apply_next(shop.sessions, handler, max_attempts=100) is not None:
            pass
        with shop.sessions.begin() as session:  # backoff over: a retried event is due again at once
            waiting = session.execute(update(StripeEvent).where(StripeEvent.handled_at.is_(None))
                                      .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))).rowcount
        if not waiting:
            return
    raise AssertionError("events never applied")


def _state(shop, ids: set[str]) -> dict:
    with shop.sessions() as session:
        invoices = session.scalars(select(Invoice).where(Invoice.stripe_invoice_id.in_(ids["invoices"]))).all()
        return {
            "subscriptions": sorted((s.stripe_subscription_id, s.status, s.interval, s.amount, s.cancel_at_period_end)
                                    for s in session.scalars(select(Subscription))),
            "invoices": sorted((i.stripe_invoice_id, i.gross, i.tax, i.fee, i.refunded, i.reversed_net, i.recognised)
                               for i in invoices),
            "numbers": sorted(i.number for i in invoices),
            "reversals": sorted((r.id, r.kind, r.amount, r.status) for r in session.scalars(select(PaymentReversal))),
            "revenue": sorted((r.period_id, int(r.amount), r.reference) for r in session.scalars(select(RevenueEntry))),
            "journal_keys": sorted(session.scalars(select(JournalEntry.idempotency_key))),
            "balances": journal.balances(session),
        }


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=HISTORY)
def test_shuffled_and_duplicated_delivery_ends_in_the_same_state(shop, pay_settings, db_connection, history):
    interval, country, steps, seed = history
    outer = db_connection.begin_nested()
    try:
        open_period_around(shop.sessions, days_before=2, days_after=20)
        events = _make_history(shop, pay_settings, interval, country, steps)
        ids = {"invoices": {e["data"]["object"]["id"] for e in events if e["type"].startswith("invoice.")}}
        runs = []
        shuffled = events + random.Random(seed).sample(events, k=len(events) // 2)
        random.Random(seed + 1).shuffle(shuffled)
        for delivery in (events, shuffled):
            attempt = db_connection.begin_nested()
            _apply_all(shop, delivery)
            runs.append(_state(shop, ids))
            attempt.rollback()
        in_order, mixed = runs
        assert mixed == in_order
        assert sum(in_order["balances"].values()) == 0
        assert in_order["numbers"] == list(range(in_order["numbers"][0], in_order["numbers"][0]
                                                 + len(in_order["numbers"]))) if in_order["numbers"] else True
        assert in_order["invoices"], "the checkout's invoice is always paid"
    finally:
        outer.rollback()
