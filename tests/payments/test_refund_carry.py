"""A refund after its revenue's period was published: the payees' share comes off the next period, roots untouched."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from content.storage import get_content_addressed
from ledger.royalties import journal
from ledger.royalties.audit import verify_period
from ledger.royalties.close import close_period
from ledger.royalties.models import PayeeEntitlement, RoyaltyClawback, StoredStatement
from ledger.royalties.periods import record_revenue
from ledger.royalties.publish import publish_period
from payments import config, service
from payments.models import Invoice, InvoiceRecognition
from tests.payments.conftest import Shop
from tests.payments.test_subscriptions import _subscribe
from tests.royalties.conftest import LATER, A, B, world  # noqa: F401 -- the chain-and-database fixture


def _close_and_publish(w, period_id, ends_at):
    w.mine_past(ends_at)
    w.index()
    stored = close_period(w.ctx, period_id, now=LATER)
    publish_period(w.ctx, period_id)
    return stored


def _document(w, stored):
    return json.loads(get_content_addressed(w.ctx.store, "statements", stored.statement_uri, ".json"))


def test_a_refund_of_a_published_period_is_taken_from_the_next_statement(world, local_stripe, pay_settings):  # noqa: F811
    settings = pay_settings.model_copy(update={"database_url": world.database_url})
    unit = world.ctx.unit_factor
    shop = Shop(local_stripe, service.Payments(settings, config.client(settings), unit), world.sessions)
    one = world.register("USHRM2800001", [(A, 600_000), (B, 400_000)])
    now = datetime.now(UTC).replace(microsecond=0)
    first_end = now + timedelta(days=10)
    first = world.open(now - timedelta(hours=1), first_end)
    world.plays(one, 2, now - timedelta(minutes=30))
    _, _, _, mark = _subscribe(shop, settings)  # DE: 999 paid, 159 tax, 840 net over 30 days
    shop.deliver(shop.events_since(mark))
    with world.sessions() as session:
        invoice = session.scalars(select(Invoice)).one()
        share = session.scalar(select(InvoiceRecognition.amount).where(InvoiceRecognition.period_id == first))
    assert 0 < share < 840
    published = _close_and_publish(world, first, first_end)
    root_before = "0x" + world.ctx.distributor.functions.currentRoot().call().hex()
    assert root_before == published.root

    second_end = first_end + timedelta(days=1)
    second = world.open(None, second_end)
    world.plays(one, 1, first_end + timedelta(hours=1))
    with world.sessions.begin() as session:
        record_revenue(session, second, source="subscriptions", amount=10_000, currency="USD", reference="subs-q",
                       chain_id=31337, payout_currency="USD", unit_factor=unit)
        service.refund(shop.p, session, invoice.id, None, "fan asked")  # all of it, after the period was published
    with world.sessions() as session:
        clawback = session.scalars(select(RoyaltyClawback)).one()
    assert (clawback.origin_period_id, int(clawback.amount), clawback.applied_period_id) == (first, share * unit, None)

    stored = _close_and_publish(world, second, second_end)
    pooled = share * unit  # the origin's pool shared it all to the one asset: 30% fee, then 60/40
    a_share, b_share = pooled * 42 // 100, pooled * 28 // 100
    adjustments = _document(world, stored)["adjustments"]
    assert adjustments["sources"] == [{"reference": clawback.reference, "origin_period": first,
                                       "amount": str(pooled)}]
    assert {p["account"]: p["applied"] for p in adjustments["payees"]} == {A: str(-a_share), B: str(-b_share)}
    assert adjustments["total_applied"] == str(a_share + b_share)
    csv = get_content_addressed(world.ctx.store, "statements", stored.csv_uri, ".csv").decode()
    assert f",adjustment,{A},,{-a_share}" in csv
    with world.sessions() as session:
        earned = dict(session.execute(select(PayeeEntitlement.account, PayeeEntitlement.amount)
                                      .where(PayeeEntitlement.period_id == second)).all())
        assert {k: int(v) for k, v in earned.items()} == {A: 42_000_000 - a_share, B: 28_000_000 - b_share}
        assert session.get(RoyaltyClawback, clawback.id).applied_period_id == second
        assert session.get(StoredStatement, first).root == published.root  # the published period never changed
        totals = journal.balances(session)
    assert sum(totals.values()) == 0
    # What stays the platform's loss: the fee part of the refunded revenue (the payees gave theirs back).
    assert totals["subscription_refunds"] == pooled - a_share - b_share
    assert verify_period(world.ctx, first).passed
    report = verify_period(world.ctx, second)
    assert report.passed, report.as_text()
