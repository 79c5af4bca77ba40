"""Royalty background jobs: closing and publishing periods (long), journaling claims (periodic)."""

from __future__ import annotations

from harmoni.db import session_scope
from harmoni.jobs import celery_app
from harmoni.settings import get_settings
from ledger.royalties.claims import journal_claims
from ledger.royalties.close import close_period
from ledger.royalties.context import RoyaltyContext
from ledger.royalties.publish import publish_showing_failure


@celery_app.task(name="ledger.royalties.close_period", acks_late=True)
def close_period_job(period_id: int) -> str:
    """Close a period; safe to run again after a crash (it resumes) or twice (the second returns the first)."""
    return close_period(RoyaltyContext.from_settings(get_settings()), period_id).root


@celery_app.task(name="ledger.royalties.publish_period", acks_late=True)
def publish_period_job(period_id: int) -> str | None:
    return publish_showing_failure(RoyaltyContext.from_settings(get_settings()), period_id).published_tx


@celery_app.task(name="ledger.royalties.journal_claims")
def journal_claims_job() -> int:
    settings = get_settings()
    with session_scope(settings.database_url) as session:
        return journal_claims(session, settings.chain_id)
