"""Payments jobs: applying the Stripe inbox, the daily reconcile, recognising deferred revenue.

With Celery, the webhook route queues `payments.apply_events` after its commit; retries that are due and the
daily reconcile come from `harmoni up`'s periodic jobs. Without Redis the same periodic jobs apply the inbox in a
thread of the supervisor (never inside the webhook's request).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from sqlalchemy.orm import Session, sessionmaker

from harmoni.db import session_factory
from harmoni.jobs import celery_app
from harmoni.settings import Settings, get_settings
from payments import config, inbox, orders, service

log = logging.getLogger(__name__)


def job_sessions() -> sessionmaker[Session]:
    return session_factory(get_settings().database_url)


@lru_cache(maxsize=4)
def _unit_factor(chain_id: int, data_dir: str, rpc_url: str) -> int:
    from ledger.royalties.context import RoyaltyContext

    return RoyaltyContext.from_settings(get_settings()).unit_factor


def payments_for(settings: Settings, unit_factor: int | None = None) -> service.Payments:
    factor = unit_factor if unit_factor is not None else _unit_factor(settings.chain_id, str(settings.data_dir),
                                                                     settings.effective_rpc_url)
    return service.Payments(settings, config.client(settings), factor)


def handler(p: service.Payments, shop_of=None):
    """The inbox's handler: card orders' events (`payments.orders`), then everything else (`service.handle`)."""
    shops: list[orders.CardShop] = []

    def card_shop() -> orders.CardShop:
        if not shops:
            shops.append(shop_of() if shop_of else orders.CardShop.of(p))
        return shops[0]

    def handle(session: Session, event: dict) -> None:
        if not orders.handle(card_shop, session, event):
            service.handle(p, session, event)
    return handle


def apply_inbox(sessions: sessionmaker[Session], p: service.Payments, limit: int = 1000, shop_of=None) -> int:
    return inbox.apply_due(sessions, handler(p, shop_of), max_attempts=p.settings.stripe_webhook_max_attempts,
                           limit=limit)


def run_mints(sessions: sessionmaker[Session], p: service.Payments) -> int:
    """Deliver the paid card orders that are due (none: the chain is not even contacted), then record card sales
    paid while no period was open into the one open now; how many orders were tried."""
    from payments import mint

    with sessions() as session:
        due = mint.any_due(session)
    done = mint.mint_due(orders.CardShop.of(p), sessions) if due else 0
    with sessions() as session, session.begin():
        orders.record_pending_revenue(p, session)
    return done


@celery_app.task(name="payments.mint_card_orders")
def mint_card_orders() -> int:
    """Mint the tokens of paid card orders (queued by their payment; retries from the periodic payments job)."""
    return run_mints(job_sessions(), payments_for(get_settings()))


@celery_app.task(name="payments.apply_events")
def apply_events() -> int:
    """Apply every Stripe event that is due (new ones, retries whose backoff ran out), then recognise deferred
    revenue into periods opened meanwhile; how many events were attempted."""
    p = payments_for(get_settings())
    done = apply_inbox(job_sessions(), p)
    with job_sessions().begin() as session:
        service.recognise_pending(p, session)
    run_mints(job_sessions(), p)
    return done


@celery_app.task(name="payments.reconcile")
def reconcile() -> int:
    """List Stripe's recent events, store those that never arrived, apply them, recognise deferred revenue."""
    settings = get_settings()
    p = payments_for(settings)
    with job_sessions().begin() as session:
        added = inbox.reconcile(session, p.client, days=settings.stripe_reconcile_days,
                                livemode=config.livemode(settings))
    if added:
        log.warning("stripe events found by the reconcile, never delivered", extra={"events": added})
    apply_inbox(job_sessions(), p)
    with job_sessions().begin() as session:
        service.recognise_pending(p, session)
    return added
