"""The periodic trending job (dispatched by `harmoni up` every few seconds; it runs when its interval is over)."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from discovery.trending import service, signals
from harmoni.db import session_factory
from harmoni.jobs import celery_app
from harmoni.settings import get_settings

log = logging.getLogger(__name__)


def job_sessions() -> sessionmaker[Session]:
    return session_factory(get_settings().database_url)


def refresh_if_due(session: Session, chain_id: int, every: timedelta) -> dict[str, int] | None:
    """Recompute the lists unless a run is under way elsewhere or the last one is newer than `every`."""
    # One run at a time across replicas and workers; the others skip (the lock ends with the transaction).
    if not session.scalar(text("select pg_try_advisory_xact_lock(hashtextextended('discovery:trending', 0))")):
        return None
    if not service.is_due(session, every):
        return None
    return service.refresh(session, chain_id, genres=signals.recording_genres(session, chain_id),
                           engagement=lambda since: signals.engagement_since(session, chain_id, since))


@celery_app.task(name="discovery.refresh_trending")
def refresh_trending() -> dict[str, int] | None:
    settings = get_settings()
    with job_sessions().begin() as session:
        counts = refresh_if_due(session, settings.chain_id, timedelta(seconds=settings.trending_every_s))
    if counts is not None:
        log.info("trending lists refreshed", extra={"entries": counts})
    return counts
