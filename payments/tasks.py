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
from payments import config, inbox, service

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


def apply_inbox(sessions: sessionmaker[Session], p: service.Payments, limit: int = 1000) -> int:
    return inbox.apply_due(sessions, lambda session, event: service.handle(p, session, event),
                           max_attempts=p.settings.stripe_webhook_max_attempts, limit=limit)


@celery_app.task(name="payments.apply_events")
def apply_events() -> int:
    """Apply every Stripe event that is due (new ones, retries whose backoff ran out), then recognise deferred
    revenue into periods opened meanwhile; how many events were attempted."""
    p = payments_for(get_settings())
    done = apply_inbox(job_sessions(), p)
    with job_sessions().begin() as session:
        service.recognise_pending(p, session)
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
