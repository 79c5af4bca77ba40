"""End to end on anvil: a fan subscribes (local Stripe, signed webhooks), plays a recording, the period closes with
the subscription revenue, is published, and the artist claims it on chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, text

from api.app import create_app
from ledger.royalties.claims import claimable
from ledger.royalties.close import close_period
from ledger.royalties.models import RevenueEntry
from ledger.royalties.publish import publish_period
from payments import config, service
from payments.tasks import apply_inbox
from tests.identity.factories import make_user
from tests.payments.conftest import Shop
from tests.payments.test_routes import _post_events
from tests.royalties.conftest import LATER, A, world  # noqa: F401 -- the chain-and-database fixture


def test_a_subscription_pays_the_artist_it_streamed(world, local_stripe):  # noqa: F811
    settings = world.settings.model_copy(update={"stripe_api_base": local_stripe.url, "tax_rates": "DE:1900,*:0"})
    unit = world.ctx.unit_factor
    shop = Shop(local_stripe, service.Payments(settings, config.client(settings), unit), world.sessions)
    app = create_app(settings)
    app.state.context.sessions = world.sessions
    api = TestClient(app)
    song = world.register("USHRM2800011", [(A, 1_000_000)])
    world.index()
    now = datetime.now(UTC).replace(microsecond=0)
    ends = now + timedelta(days=10)
    period = world.open(now - timedelta(hours=1), ends)

    fan = make_user(world.sessions, settings, "fan")
    mark = shop.mark()
    started = api.post("/v1/me/subscription", json={"interval": "month", "currency": "USD"}, headers=fan.headers)
    assert started.status_code == 201, started.text
    shop.pay(started.json()["checkout_url"], country="DE")
    _post_events(api, shop.events_since(mark))
    apply_inbox(world.sessions, shop.p)
    assert api.get("/v1/me/subscription", headers=fan.headers).json()["streaming"] is True

    playback = api.post("/v1/playback-sessions", json={"asset_id": song}, headers=fan.headers)
    assert playback.status_code == 201, playback.text
    with world.sessions.begin() as session:  # the fan listened for a minute before reporting the play
        session.execute(text("update playback_sessions set started_at = started_at - interval '60 seconds' "
                             "where id = :id"), {"id": playback.json()["session_id"]})
    play = api.post("/v1/plays", json={"token": playback.json()["token"], "played_ms": 40_000}, headers=fan.headers)
    assert play.status_code == 201 and play.json()["counted"] is True, play.text

    with world.sessions() as session:
        [entry] = session.scalars(select(RevenueEntry).where(RevenueEntry.period_id == period)).all()
    assert entry.source == "subscriptions" and entry.reference.startswith("stripe:in_")
    share = int(entry.amount)  # the part of the 840 net (999 less 19% DE tax) served inside the period
    assert 0 < share < 840
    world.mine_past(ends)
    world.index()
    close_period(world.ctx, period, now=LATER)
    publish_period(world.ctx, period)
    world.index()
    with world.sessions() as session:
        [leaf] = claimable(session, 31337, world.ctx.distributor.address, [A])
    assert leaf.claimable == share * unit * 7 // 10  # all the plays were the one song; 30% platform fee
    before = world.ctx.token.functions.balanceOf(A).call()
    world.work.send([world.work.tx(A, "PayoutDistributor", "claim",
                                   [A, leaf.cumulative_amount, [bytes.fromhex(p[2:]) for p in leaf.proof],
                                    bytes.fromhex(leaf.root[2:])])])
    assert world.ctx.token.functions.balanceOf(A).call() - before == leaf.claimable
