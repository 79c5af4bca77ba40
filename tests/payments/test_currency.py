"""An invoice in another currency than the payout currency: recorded with its reason, never converted silently."""

from __future__ import annotations

from sqlalchemy import func, select

from harmoni.cli import main
from identity.models import User
from ledger.royalties import journal
from ledger.royalties.models import JournalEntry, RevenueEntry, RoyaltyClawback
from payments import service
from payments.currency import Unconverted, unconverted
from payments.models import Invoice
from tests.identity.factories import make_user
from tests.payments.conftest import open_period_around


def test_a_euro_invoice_is_recorded_but_kept_out_of_the_journal_and_the_periods(shop, pay_settings):
    period_id = open_period_around(shop.sessions, days_before=1, days_after=14)
    fan = make_user(shop.sessions, pay_settings, "fan")
    with shop.sessions.begin() as session:
        started = service.start_checkout(session, pay_settings, session.get(User, fan.id), "month", "EUR")
    assert started["plan"].amount == 899
    mark = shop.mark()
    shop.pay(started["checkout_url"], country="FR")
    shop.deliver(shop.events_since(mark))
    with shop.sessions() as session:
        invoice = session.scalars(select(Invoice).where(Invoice.user_id == fan.id)).one()
        assert (invoice.currency, invoice.gross, invoice.tax_rate_bps) == ("EUR", 899, 2000)
        assert invoice.number > 0 and invoice.recognised == 0
        assert "paid in EUR" in invoice.payout_note and "pay out in USD" in invoice.payout_note
        assert session.scalar(select(func.count()).select_from(RevenueEntry)
                              .where(RevenueEntry.period_id == period_id)) == 0
        assert session.scalar(select(func.count()).select_from(JournalEntry)
                              .where(JournalEntry.idempotency_key.contains(invoice.stripe_invoice_id))) == 0
    with shop.sessions.begin() as session:
        before = journal.balances(session)
        assert service.recognise_pending(shop.p, session) == 0
        service.refund(shop.p, session, invoice.id, 300, "partial")
        assert journal.balances(session) == before  # the refund is recorded, and journals nothing either
        assert session.scalar(select(func.count()).select_from(RoyaltyClawback)) == 0
        assert unconverted(session) == [Unconverted("EUR", 1, 899, invoice.tax, 300)]


def test_the_cli_lists_what_waits_per_currency(harmoni_env, capsys):
    assert main(["payments", "unconverted"]) == 0
    assert "every invoice is in USD, the payout currency" in capsys.readouterr().out
