"""Subscriptions through Stripe Billing (the local server), applied from their events: receipts, journal, periods."""

from __future__ import annotations

from sqlalchemy import select

from identity.models import User
from ledger.royalties import journal
from ledger.royalties.models import RevenueEntry, RoyaltyPeriod
from payments import service
from payments.models import Invoice, InvoiceRecognition, Subscription
from tests.identity.factories import make_user
from tests.payments.conftest import UNIT, open_period_around


def _subscribe(shop, pay_settings, interval="month", card="4242 4242 4242 4242", country="DE"):
    fan = make_user(shop.sessions, pay_settings, "fan")
    with shop.sessions.begin() as session:
        started = service.start_checkout(session, pay_settings, session.get(User, fan.id), interval, "USD")
    mark = shop.mark()
    answer = shop.pay(started["checkout_url"], card, country)
    return fan, started, answer, mark


def test_a_paid_checkout_becomes_an_active_subscription_a_receipt_and_period_revenue(shop, pay_settings):
    period_id = open_period_around(shop.sessions, days_before=1, days_after=14)
    fan, started, answer, mark = _subscribe(shop, pay_settings)
    assert started["checkout_url"].startswith(shop.stripe.url + "/checkout/cs_test_")
    assert answer.status_code == 303 and answer.headers["location"].endswith("?checkout=success")
    events = shop.events_since(mark)
    assert {e["type"] for e in events} >= {"checkout.session.completed", "customer.subscription.created",
                                           "invoice.paid"}
    assert shop.deliver(events) == len(events)
    with shop.sessions() as session:
        sub = session.scalars(select(Subscription).where(Subscription.user_id == fan.id)).one()
        assert (sub.status, sub.interval, sub.amount, sub.currency) == ("active", "month", 999, "USD")
        assert service.is_subscriber(session, fan.id)
        invoice = session.scalars(select(Invoice).where(Invoice.user_id == fan.id)).one()
        # DE: 19% included in the price; the card fee is 2.9% + 30.
        assert (invoice.gross, invoice.tax, invoice.tax_rate_bps, invoice.fee) == (999, 159, 1900, 58)
        assert invoice.buyer_country == "DE" and invoice.evidence["billing_country"] == "DE"
        # 30 days of service, the first ~14 of them inside the open period: that share recognised, the rest deferred.
        period = session.get(RoyaltyPeriod, period_id)
        inside = int((period.ends_at - invoice.service_start).total_seconds())
        whole = int((invoice.service_end - invoice.service_start).total_seconds())
        assert whole == 30 * 86400 and 13 * 86400 < inside <= 14 * 86400
        share = 840 * inside // whole
        recognised = session.scalars(select(InvoiceRecognition.amount).where(
            InvoiceRecognition.invoice_id == invoice.id)).all()
        assert recognised == [share] == [invoice.recognised]
        entry = session.scalars(select(RevenueEntry).where(RevenueEntry.period_id == period_id)).one()
        assert (entry.source, int(entry.amount)) == ("subscriptions", share)
        assert entry.reference == f"stripe:{invoice.stripe_invoice_id}"
        totals = journal.balances(session)
        assert totals["card_clearing"] == (999 - 58) * UNIT
        assert totals["processor_fees"] == 58 * UNIT
        assert totals["tax_payable"] == -159 * UNIT
        assert totals["deferred_subscription_revenue"] == -(840 - share) * UNIT
        assert totals["revenue:subscriptions"] == -share * UNIT
        assert sum(totals.values()) == 0


def test_the_next_period_gets_the_rest_and_the_parts_add_up_to_the_whole(shop, pay_settings):
    open_period_around(shop.sessions, days_before=1, days_after=10)
    fan, _, _, mark = _subscribe(shop, pay_settings, country="US")
    shop.deliver(shop.events_since(mark))
    with shop.sessions.begin() as session:
        from datetime import timedelta

        from ledger.royalties import periods

        latest = periods.list_periods(session)[-1]
        second = periods.open_period(session, latest.ends_at + timedelta(days=40)).period_id
        invoice = session.scalars(select(Invoice).where(Invoice.user_id == fan.id)).one()
        assert invoice.tax == 0 and invoice.net == 999
        moved = service.recognise_pending(shop.p, session)
        assert moved == 999 - invoice_first_share(session, invoice)
        assert invoice.recognised == 999  # nothing left deferred: every cent is in a period
        assert service.recognise_pending(shop.p, session) == 0  # idempotent
        assert session.get(InvoiceRecognition, (invoice.id, second)).amount == moved


def invoice_first_share(session, invoice) -> int:
    return sum(r.amount for r in session.scalars(select(InvoiceRecognition).where(
        InvoiceRecognition.invoice_id == invoice.id, InvoiceRecognition.period_id == 1)))


def test_declined_and_authentication_cards_on_the_hosted_page(shop, pay_settings):
    _, started, declined, mark = _subscribe(shop, pay_settings, card="4000 0000 0000 0002")
    assert declined.status_code == 402 and "declined" in declined.text
    assert shop.events_since(mark) == []  # nothing happened at Stripe
    page = shop.pay(started["checkout_url"], "4000 0025 0000 3155")  # authenticates, then pays
    assert page.status_code == 303
    assert "invoice.paid" in {e["type"] for e in shop.events_since(mark)}


def test_upgrade_cancel_resume_and_dunning(shop, pay_settings):
    fan, _, _, mark = _subscribe(shop, pay_settings)
    shop.deliver(shop.events_since(mark))
    mark = shop.mark()
    with shop.sessions.begin() as session:
        sub = service.change_plan(session, pay_settings, fan.id, "year")
        assert (sub.interval, sub.amount) == ("year", 9999)
        assert service.set_cancel_at_period_end(session, pay_settings, fan.id, True).cancel_at_period_end
        assert not service.set_cancel_at_period_end(session, pay_settings, fan.id, False).cancel_at_period_end
        stripe_id = sub.stripe_subscription_id
        assert service.portal_url(session, pay_settings, fan.id).startswith(shop.stripe.url + "/portal/")
    shop.deliver(shop.events_since(mark))  # the upgrade's pro-rata invoice
    mark = shop.mark()
    renewed = shop.local(f"subscriptions/{stripe_id}/renew", outcome="failed")
    assert renewed["status"] == "past_due"
    shop.deliver(shop.events_since(mark))
    with shop.sessions() as session:
        assert service.current_subscription(session, fan.id).status == "past_due"
        assert service.is_subscriber(session, fan.id)  # Stripe retries; listening goes on meanwhile
    mark = shop.mark()
    shop.local(f"invoices/{renewed['latest_invoice']}/retry", outcome="exhausted")
    shop.deliver(shop.events_since(mark))
    with shop.sessions() as session:
        assert service.current_subscription(session, fan.id).status == "unpaid"
        assert not service.is_subscriber(session, fan.id)
        # The upgrade's pro-rata invoice was paid and recorded; the failed renewal was not.
        assert [i.gross for i in service.invoices_of(session, fan.id)][-1] == 999
        assert len(service.invoices_of(session, fan.id)) == 2
