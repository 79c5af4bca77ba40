"""Tax rates as a table with effective dates, the buyer's country from disagreeing evidence, the IP country header."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.app import create_app
from harmoni.cli import main
from harmoni.db import get_engine
from payments import tax
from payments.errors import TaxRateInvalid
from payments.models import Invoice, TaxRate
from payments.tasks import apply_inbox
from tests.identity.factories import make_user
from tests.payments.test_routes import _post_events

JAN_2027, JUL_2027 = datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 7, 1, tzinfo=UTC)


@pytest.mark.parametrize(("billing", "card", "ip", "country", "rule", "conflict"), [
    ("DE", "DE", "DE", "DE", "agreed", False),
    ("FR", "DE", "de", "DE", "agreed", True),       # two pieces agree: they win over the billing address
    ("FR", "US", "DE", "FR", "billing_country", True),  # none agree: billing, then card, then IP
    (None, "US", "DE", "US", "card_country", True),
    (None, None, "DE", "DE", "ip_country", False),
    ("DE", "US", "XX", "DE", "billing_country", True),  # Cloudflare's "unknown" is no evidence
    (None, None, "T1", None, "none", False),            # nor is Tor
])
def test_the_buyers_country_when_evidence_disagrees(billing, card, ip, country, rule, conflict):
    chosen, evidence = tax.choose_country(billing, card, ip)
    assert chosen == country
    assert (evidence["chosen_by"], evidence["conflict"]) == (rule, conflict)
    assert evidence["ip_country"] == tax.country_code(ip)


def test_the_ip_country_comes_only_from_the_configured_header(pay_settings):
    headers = {"X-Country": "fr", "CF-IPCountry": "DE"}
    assert tax.ip_country(pay_settings, headers) is None  # no header configured: none is trusted
    assert tax.ip_country(pay_settings.model_copy(update={"ip_country_header": "X-Country"}), headers) == "FR"
    assert tax.ip_country(pay_settings.model_copy(update={"ip_country_header": "X-Other"}), headers) is None


def test_rates_follow_their_effective_dates_and_fall_back_to_the_settings(db_session, pay_settings):
    first = tax.set_rate(db_session, "DE", 1600, JAN_2027)
    later = tax.set_rate(db_session, "de", 2100, JUL_2027)
    assert first.effective_to == JUL_2027 and later.effective_to is None  # the open-ended one ends where it starts
    assert tax.rate_for(db_session, pay_settings, "DE", JAN_2027 + timedelta(days=30)) == (1600, f"table:{first.id}")
    assert tax.rate_for(db_session, pay_settings, "DE", JUL_2027) == (2100, f"table:{later.id}")
    # Before the table has a rate for DE, and for countries it has none for: HARMONI_TAX_RATES (DE:1900, FR:2000).
    assert tax.rate_for(db_session, pay_settings, "DE", JAN_2027 - timedelta(seconds=1)) == (1900, "settings")
    assert tax.rate_for(db_session, pay_settings, "FR", JUL_2027) == (2000, "settings")
    assert tax.rate_for(db_session, pay_settings, None, JUL_2027) == (0, "settings")
    with pytest.raises(TaxRateInvalid) as overlap:
        tax.set_rate(db_session, "DE", 500, JAN_2027 + timedelta(days=1), JUL_2027 + timedelta(days=1))
    assert overlap.value.extra["field"] == "effective_from"
    for args, field in [(("D1", 100, JAN_2027), "country"), (("AT", 10_001, JAN_2027), "rate_bps"),
                        (("AT", 100, JAN_2027, JAN_2027), "effective_to"),
                        (("AT", 100, datetime(2027, 1, 1)), "effective_from")]:
        with pytest.raises(TaxRateInvalid) as refused:
            tax.set_rate(db_session, *args)
        assert refused.value.extra["field"] == field
    assert [(r.country, r.rate_bps) for r in tax.rates(db_session)] == [("DE", 1600), ("DE", 2100)]
    seeded = tax.seed_from_settings(db_session, pay_settings, JAN_2027)
    assert [(r.country, r.rate_bps) for r in seeded] == [("FR", 2000)]  # DE has rows already; `*` is no country


def test_a_receipt_takes_the_tables_rate_and_records_the_ip_country(shop, pay_settings, sessions):
    settings = pay_settings.model_copy(update={"ip_country_header": "CF-IPCountry"})
    with sessions.begin() as session:
        rate = tax.set_rate(session, "DE", 2500, datetime.now(UTC) - timedelta(days=1))
    app = create_app(settings)
    app.state.context.sessions = sessions
    api = TestClient(app)
    fan = make_user(sessions, settings, "fan")
    mark = shop.mark()
    started = api.post("/v1/me/subscription", json={"interval": "month", "currency": "USD"},
                       headers={**fan.headers, "CF-IPCountry": "DE"})
    assert started.status_code == 201, started.text
    shop.pay(started.json()["checkout_url"], country="DE")  # the local server's test cards are issued in the US
    _post_events(api, shop.events_since(mark))
    apply_inbox(sessions, shop.p)
    with sessions() as session:
        invoice = session.scalars(select(Invoice).where(Invoice.user_id == fan.id)).one()
    assert invoice.evidence == {"billing_country": "DE", "card_country": "US", "ip_country": "DE",
                                "chosen_by": "agreed", "conflict": True, "rate_source": f"table:{rate.id}"}
    assert (invoice.buyer_country, invoice.tax_rate_bps, invoice.tax) == ("DE", 2500, 999 * 2500 // 12500)
    receipts = api.get("/v1/me/invoices", headers=fan.headers).json()
    assert receipts[0]["evidence"]["ip_country"] == "DE" and receipts[0]["tax_rate_bps"] == 2500


def test_the_cli_sets_and_lists_rates(harmoni_env, database_url, capsys):
    assert main(["payments", "tax-rates", "set", "NL", "2100", "--from", "2031-01-01"]) == 0
    assert main(["payments", "tax-rates", "set", "NL", "900", "--from", "2032-01-01T00:00:00+00:00"]) == 0
    assert main(["payments", "tax-rates"]) == 0
    out = capsys.readouterr().out
    assert "NL  2100 bps  2031-01-01T00:00:00+00:00 .. 2032-01-01T00:00:00+00:00" in out
    assert "NL   900 bps  2032-01-01T00:00:00+00:00 .. open-ended" in out
    assert main(["payments", "tax-rates", "set", "NL", "500", "--from", "2031-06-01"]) == 2  # overlaps: refused
    with Session(get_engine(database_url)) as session:
        assert session.scalars(select(TaxRate.rate_bps).where(TaxRate.country == "NL")
                               .order_by(TaxRate.effective_from)).all() == [2100, 900]
        session.execute(delete(TaxRate).where(TaxRate.country == "NL"))
        session.commit()
