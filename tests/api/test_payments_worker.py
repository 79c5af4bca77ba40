"""With Redis, the Stripe webhook queues `payments.apply_events` after its commit and a Celery worker applies it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import pytest
import stripe
from sqlalchemy.orm import sessionmaker

from harmoni import jobs
from harmoni.db import get_engine
from payments import config
from payments.stripe_server import LocalStripe
from tests.conftest import free_port
from tests.identity.factories import make_user


@pytest.fixture
def local_stripe_env(monkeypatch):
    server = LocalStripe(config.LOCAL_KEY, free_port(), deliver=False).start()
    monkeypatch.setenv("HARMONI_STRIPE_API_BASE", server.url)
    yield server
    server.stop()


def test_a_celery_worker_applies_the_webhooks_the_route_stored(local_stripe_env, live_api, chain, redis_url, tmp_path):
    settings = live_api.app.state.context.settings
    with_redis = settings.model_copy(update={"redis_url": redis_url})
    live_api.app.state.context.settings = with_redis
    jobs.configure(with_redis)
    env = {**os.environ, "HARMONI_ENV": "test", "HARMONI_DATABASE_URL": live_api.database_url,
           "HARMONI_DATA_DIR": str(chain.data_dir), "HARMONI_RPC_URL": chain.client.rpc_url,
           "HARMONI_REDIS_URL": redis_url, "HARMONI_STRIPE_API_BASE": local_stripe_env.url}
    log = tmp_path / "worker.log"
    worker = subprocess.Popen([sys.executable, "-m", "harmoni.cli", "worker", "--threads", "2"], env=env,
                              stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        fan = make_user(sessionmaker(bind=get_engine(live_api.database_url)), settings, "fan")
        started = live_api.post("/v1/me/subscription", json={"interval": "year", "currency": "USD"},
                                headers=fan.headers)
        assert started.status_code == 201, started.text
        assert httpx.post(started.json()["checkout_url"], data={"card_number": "4242424242424242",
                                                                "country": "US"}).status_code == 303
        for event in local_stripe_env.state.events_in_order():
            body = json.dumps(event)
            header = stripe.WebhookSignature.generate_signature_header(body, config.LOCAL_WEBHOOK_SECRET)
            assert live_api.post("/v1/webhooks/stripe", content=body,
                                 headers={"Stripe-Signature": header}).status_code == 200
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answer = live_api.get("/v1/me/invoices", headers=fan.headers)
            if answer.json():
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"the worker applied nothing: {log.read_text()[-3000:]}")
        assert answer.json()[0]["total"] == 9999
        assert live_api.get("/v1/me/subscription", headers=fan.headers).json()["status"] == "active"
    finally:
        worker.terminate()
        worker.wait(30)
        jobs.configure(settings)
