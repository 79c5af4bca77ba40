"""Refunds (admin, full or partial) and disputes of subscription invoices: the journal reverses, balanced."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from ledger.royalties import journal
from payments import service
from payments.errors import RefundInvalid
from payments.models import Invoice, PaymentReversal
from tests.identity.factories import make_user
from tests.payments.conftest import UNIT, open_period_around
from tests.payments.test_subscriptions import _subscribe


def _paid_invoice(shop, pay_settings, country="DE"):
    fan, _, _, mark = _subscribe(shop, pay_settings, country=country)
    shop.deliver(shop.events_since(mark))
    with shop.sessions() as session:
        return fan, session.scalars(select(Invoice).where(Invoice.user_id == fan.id)).one()


def test_partial_then_full_refund_reverse_tax_and_deferred_revenue(shop, pay_settings):
    open_period_around(shop.sessions, days_before=1, days_after=14)
    _, invoice = _paid_invoice(shop, pay_settings)
    with shop.sessions.begin() as session:
        before = journal.balances(session)
        partial = service.refund(shop.p, session, invoice.id, 300, "double charge")
        assert (partial.kind, partial.amount, partial.status) == ("refund", 300, "succeeded")
        try:
            service.refund(shop.p, session, invoice.id, 1000, "too much")
            raise AssertionError("refunded more than was paid")
        except RefundInvalid as err:
            assert err.extra["field"] == "amount" and err.extra["refundable"] == 699
        rest = service.refund(shop.p, session, invoice.id, None, "cancelled")
        assert rest.amount == 699
        after = journal.balances(session)
        stored = session.get(Invoice, invoice.id)
        assert stored.refunded == 999
    assert after["card_clearing"] - before["card_clearing"] == -999 * UNIT
    assert after["tax_payable"] == 0  # all the tax, exactly, however the refunds split it
    # What was still deferred comes back from deferred; what was already in the period, from refunds.
    assert after["deferred_subscription_revenue"] == 0
    assert after["subscription_refunds"] == stored.recognised * UNIT > 0
    assert sum(after.values()) == 0
    mark = shop.mark()
    shop.deliver(shop.events_since(mark))  # the refund webhooks find the refunds recorded: nothing twice
    with shop.sessions() as session:
        assert journal.balances(session) == after
        assert session.scalar(select(PaymentReversal.amount).where(PaymentReversal.id == partial.id)) == 300


def test_a_dispute_withdraws_the_money_and_a_won_dispute_brings_it_back(shop, pay_settings):
    _, invoice = _paid_invoice(shop, pay_settings, country="US")
    intent = shop.client.v1.payment_intents.retrieve(invoice.payment_intent_id)
    mark = shop.mark()
    dispute = shop.local(f"charges/{intent.latest_charge}/dispute")
    shop.deliver(shop.events_since(mark))
    with shop.sessions() as session:
        withdrawn = journal.balances(session)
        assert session.get(Invoice, invoice.id).refunded == 999
        assert withdrawn["card_clearing"] == -58 * UNIT  # paid in, fee out, all of it taken back
    mark = shop.mark()
    shop.local(f"disputes/{dispute['id']}/close", status="won")
    shop.deliver(shop.events_since(mark) * 2)  # duplicates change nothing
    with shop.sessions() as session:
        won = journal.balances(session)
        assert session.get(Invoice, invoice.id).refunded == 0
        assert won["card_clearing"] == (999 - 58) * UNIT
        assert session.get(PaymentReversal, dispute["id"]).status == "won"
        assert sum(won.values()) == 0


def test_admins_refund_through_the_api(shop, pay_settings, chain, sessions):
    _, invoice = _paid_invoice(shop, pay_settings)
    settings = pay_settings.model_copy(update={"rpc_url": chain.client.rpc_url, "data_dir": chain.data_dir})
    app = create_app(settings)
    app.state.context.sessions = sessions
    api = TestClient(app)
    admin = make_user(sessions, settings, "admin")
    fan = make_user(sessions, settings, "fan")
    url = f"/v1/admin/payments/invoices/{invoice.id}/refunds"
    assert api.post(url, json={"reason": "x"}, headers=fan.headers).status_code == 403
    bad = api.post(url, json={"amount": 5000, "reason": "x"}, headers=admin.headers)
    assert bad.status_code == 422 and bad.json()["field"] == "amount"
    done = api.post(url, json={"amount": 250, "reason": "goodwill"}, headers=admin.headers)
    assert done.status_code == 201 and done.json()["amount"] == 250
