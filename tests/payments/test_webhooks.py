"""The webhook route and inbox: signatures on the raw bytes, stored once, retried, dead-lettered, reconciled."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import stripe
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.app import create_app
from payments import config, inbox, service
from payments.errors import WebhookRefused
from payments.models import PaymentReversal, StripeEvent
from payments.stripe_server import LocalStripe
from payments.tasks import apply_inbox
from tests.conftest import free_port
from tests.identity.factories import make_user
from tests.payments.conftest import UNIT, Shop
from tests.payments.test_subscriptions import _subscribe

SECRET = config.LOCAL_WEBHOOK_SECRET


def _event(**overrides) -> dict:
    return {"id": "evt_" + "1" * 24, "object": "event", "type": "customer.created", "created": int(time.time()),
            "livemode": False, "data": {"object": {"id": "cus_1", "object": "customer"}}, **overrides}


def _signed(event: dict, secret: str = SECRET, timestamp: int | None = None) -> tuple[bytes, str]:
    body = json.dumps(event)
    return body.encode(), stripe.WebhookSignature.generate_signature_header(body, secret, timestamp)


def test_verify_takes_a_signed_event_and_refuses_everything_else():
    body, header = _signed(_event())
    assert inbox.verify(body, header, SECRET, livemode=False)["id"] == "evt_" + "1" * 24
    refusals = {
        "wrong secret": _signed(_event(), "whsec_other"),
        "body changed": (body.replace(b"customer.created", b"customer.deleted"), header),
        "too old": _signed(_event(), timestamp=int(time.time()) - 600),
        "in the future": _signed(_event(), timestamp=int(time.time()) + 600),
        "no header": (body, None),
    }
    for case, (data, sig) in refusals.items():
        with pytest.raises(WebhookRefused):
            inbox.verify(data, sig, SECRET, livemode=False)
            pytest.fail(case)
    live_body, live_header = _signed(_event(livemode=True))
    with pytest.raises(WebhookRefused, match="live-mode event"):
        inbox.verify(live_body, live_header, SECRET, livemode=False)


def test_the_route_stores_once_and_answers_problems(pay_settings, sessions):
    app = create_app(pay_settings)
    app.state.context.sessions = sessions
    with TestClient(app) as api:
        body, header = _signed(_event())
        first = api.post("/v1/webhooks/stripe", content=body, headers={"Stripe-Signature": header})
        again = api.post("/v1/webhooks/stripe", content=body, headers={"Stripe-Signature": header})
        assert (first.status_code, first.json()["duplicate"]) == (200, False)
        assert (again.status_code, again.json()["duplicate"]) == (200, True)
        bad = api.post("/v1/webhooks/stripe", content=body, headers={"Stripe-Signature": "t=1,v1=00"})
        assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"
        assert bad.json()["field"] == "Stripe-Signature"
    with sessions() as session:
        assert session.scalar(select(StripeEvent.type).where(StripeEvent.id == "evt_" + "1" * 24)) == \
            "customer.created"


def test_an_event_before_its_object_is_retried_with_backoff_then_dead_lettered(shop, pay_settings):
    _, _, _, mark = _subscribe(shop, pay_settings)
    events = shop.events_since(mark)
    paid = next(e for e in events if e["type"] == "invoice.paid")
    held = shop.client.v1.invoices.retrieve(paid["data"]["object"]["id"])
    intent = held.payments.data[0].payment.payment_intent
    mark = shop.mark()
    shop.client.v1.refunds.create(params={"payment_intent": intent, "amount": 100})
    refund_event = next(e for e in shop.events_since(mark) if e["type"] == "refund.created")
    before = datetime.now(UTC)
    shop.deliver([refund_event])  # the refund arrives before the invoice it refunds
    with shop.sessions() as session:
        row = session.get(StripeEvent, refund_event["id"])
        assert row.handled_at is None and row.attempts == 1 and "no paid invoice" in row.last_error
        assert row.next_attempt_at >= before + timedelta(seconds=inbox.backoff_s(1))
    shop.deliver([e for e in events if not e["type"].startswith("invoice.")])  # (each would re-fetch it paid)
    with shop.sessions.begin() as session:  # its backoff runs out; still no invoice: tried again, then given up
        for _ in range(2):
            session.execute(update(StripeEvent).where(StripeEvent.id == refund_event["id"])
                            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))
            session.flush()
            inbox.apply_next(shop.sessions, lambda s, e: service.handle(shop.p, s, e), max_attempts=3)
    with shop.sessions() as session:
        assert [e.id for e in inbox.dead_letters(session)] == [refund_event["id"]]
    with shop.sessions.begin() as session:
        assert inbox.revive(session, refund_event["id"]) is not None
    # (the invoice is there now, and the revived refund applies after it)
    shop.deliver([e for e in events if e["type"].startswith("invoice.")])
    with shop.sessions.begin() as session:  # (it may have come first again, within the same second: once more)
        session.execute(update(StripeEvent).where(StripeEvent.id == refund_event["id"])
                        .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))
    shop.deliver([])
    with shop.sessions() as session:
        assert session.get(StripeEvent, refund_event["id"]).handled_at is not None
        assert session.get(PaymentReversal, refund_event["data"]["object"]["id"]).amount == 100


def test_the_reconcile_applies_events_that_never_arrived(pay_settings, sessions):
    server = LocalStripe(config.LOCAL_KEY, free_port(), deliver=False).start()  # its own: only this test's events
    try:
        settings = pay_settings.model_copy(update={"stripe_api_base": server.url})
        shop = Shop(server, service.Payments(settings, config.client(settings), UNIT), sessions)
        fan, _, _, _ = _subscribe(shop, settings)
        with shop.sessions.begin() as session:
            added = inbox.reconcile(session, shop.client, days=1, livemode=False)
            assert added == len(server.state.data["events"]) >= 3
            assert inbox.reconcile(session, shop.client, days=1, livemode=False) == 0
        assert apply_inbox(shop.sessions, shop.p) == added
    finally:
        server.stop()
    with shop.sessions() as session:
        assert service.current_subscription(session, fan.id).status == "active"
        assert len(service.invoices_of(session, fan.id)) == 1


def test_the_local_server_posts_signed_webhooks_the_library_accepts():
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from threading import Thread

    received: list[stripe.Event] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(stripe.Webhook.construct_event(body, self.headers["Stripe-Signature"], SECRET))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver = HTTPServer(("127.0.0.1", 0), Receiver)
    Thread(target=receiver.serve_forever, daemon=True).start()
    server = LocalStripe(config.LOCAL_KEY, free_port(),
                         webhooks=[(f"http://127.0.0.1:{receiver.server_port}/", SECRET)]).start()
    try:
        client = stripe.StripeClient(config.LOCAL_KEY, base_addresses={"api": server.url})
        customer = client.v1.customers.create(params={"email": "fan@example.com"})
        deadline = time.monotonic() + 10
        while not received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [(e.type, e.data.object.id) for e in received] == [("customer.created", customer.id)]
        assert received[0].api_version == stripe.api_version
    finally:
        server.stop()
        receiver.shutdown()


def test_a_request_replayed_with_its_idempotency_key_gets_the_first_answer(shop):
    first = shop.client.v1.customers.create(params={"email": "a@example.com"}, options={"idempotency_key": "k-1"})
    again = shop.client.v1.customers.create(params={"email": "b@example.com"}, options={"idempotency_key": "k-1"})
    assert first.id == again.id and again.email == "a@example.com"


def test_unknown_users_matter_not_for_unrelated_events(shop, pay_settings):
    make_user(shop.sessions, pay_settings, "fan")
    assert shop.deliver([_event(id="evt_" + "2" * 24, type="product.created")]) == 1
    with shop.sessions() as session:
        assert session.get(StripeEvent, "evt_" + "2" * 24).handled_at is not None


def test_with_a_key_the_library_talks_to_stripe_and_its_mode_decides_which_events_are_taken(pay_settings):
    from pydantic import SecretStr

    local = pay_settings.model_copy(update={"stripe_api_base": ""})
    assert config.is_local(local) and config.api_base(local) == f"http://127.0.0.1:{local.stripe_local_port}"
    assert config.webhook_secret(local) == SECRET and not config.livemode(local)
    live = local.model_copy(update={"stripe_secret_key": SecretStr("sk_live_abc")})
    assert config.api_base(live) == "https://api.stripe.com" and config.livemode(live)
    assert config.webhook_secret(live) == ""  # no local fallback: every webhook is refused until it is set
    assert config.tax_rate_bps(pay_settings, "de") == 1900 and config.tax_rate_bps(pay_settings, None) == 0
