"""A fan's subscription through the HTTP routes, with Stripe's events posted, signed, to our webhook."""

from __future__ import annotations

import json

import httpx
import stripe
from fastapi.testclient import TestClient

from api.app import create_app
from payments import config
from payments.tasks import apply_inbox
from tests.identity.factories import make_user


def _post_events(api, events) -> None:
    for event in events:
        body = json.dumps(event)
        header = stripe.WebhookSignature.generate_signature_header(body, config.LOCAL_WEBHOOK_SECRET)
        answer = api.post("/v1/webhooks/stripe", content=body, headers={"Stripe-Signature": header})
        assert answer.status_code == 200, answer.text


def test_a_fan_subscribes_sees_the_receipt_and_manages_the_subscription(shop, pay_settings, sessions):
    app = create_app(pay_settings)
    app.state.context.sessions = sessions
    api = TestClient(app)
    fan = make_user(sessions, pay_settings, "fan")
    plans = api.get("/v1/subscription-plans").json()
    assert {"plan": "month:USD", "interval": "month", "currency": "USD", "amount": 999} in plans
    assert api.get("/v1/me/subscription", headers=fan.headers).status_code == 404
    unknown = api.post("/v1/me/subscription", json={"interval": "month", "currency": "JPY"}, headers=fan.headers)
    assert unknown.status_code == 422 and unknown.json()["field"] == "plan"
    mark = shop.mark()
    started = api.post("/v1/me/subscription", json={"interval": "month", "currency": "usd"}, headers=fan.headers)
    assert started.status_code == 201 and started.json()["plan"]["amount"] == 999
    shop.pay(started.json()["checkout_url"], country="FR")
    assert api.get("/v1/me/subscription", headers=fan.headers).status_code == 404  # not before its webhook
    _post_events(api, shop.events_since(mark))
    apply_inbox(sessions, shop.p)
    mine = api.get("/v1/me/subscription", headers=fan.headers).json()
    assert (mine["status"], mine["streaming"], mine["cancel_at_period_end"]) == ("active", True, False)
    again = api.post("/v1/me/subscription", json={"interval": "year", "currency": "USD"}, headers=fan.headers)
    assert again.status_code == 409 and again.json()["type"].endswith("/already-subscribed")
    [receipt] = api.get("/v1/me/invoices", headers=fan.headers).json()
    assert receipt["number"].startswith("HRM-") and receipt["status"] == "paid"
    assert (receipt["total"], receipt["tax_rate_bps"], receipt["tax"]) == (999, 2000, 166)  # FR 20% included
    assert receipt["buyer_country"] == "FR" and receipt["evidence"]["card_country"] == "US"
    cancelled = api.post("/v1/me/subscription/cancel", headers=fan.headers).json()
    assert cancelled["cancel_at_period_end"] and "ends at the end of the period" in cancelled["message"]
    assert not api.post("/v1/me/subscription/resume", headers=fan.headers).json()["cancel_at_period_end"]
    yearly = api.post("/v1/me/subscription/plan", json={"interval": "year"}, headers=fan.headers).json()
    assert (yearly["interval"], yearly["amount"]) == ("year", 9999)
    portal = api.post("/v1/me/subscription/portal", headers=fan.headers).json()
    page = httpx.get(portal["url"])
    assert page.status_code == 200 and "yearly: active" in page.text and "Cancel at period end" in page.text
