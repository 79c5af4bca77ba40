"""Periodic discovery jobs: related recordings/artists and the recommendation model.

`harmoni up` dispatches them every few seconds; each runs only when its interval (settings) has passed since
the last run, and only one at a time across workers and replicas (a transaction-scoped advisory lock).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from discovery.recommendations import als, repository, service
from harmoni.db import session_factory
from harmoni.jobs import celery_app
from harmoni.settings import Settings, get_settings

log = logging.getLogger(__name__)


def job_sessions() -> sessionmaker[Session]:
    return session_factory(get_settings().database_url)


def _locked(session: Session, name: str) -> bool:
    return bool(session.scalar(text("select pg_try_advisory_xact_lock(hashtextextended(:k, 0))"),
                               {"k": f"discovery:{name}"}))


def rebuild_related_if_due(session: Session, settings: Settings) -> tuple[int, int] | None:
    if not repository.start_run_if_due(session, "related", settings.chain_id, settings.related_every_s):
        return None
    return service.rebuild_related(session, settings.chain_id, timedelta(days=settings.related_history_days))


def train_if_due(session: Session, settings: Settings) -> int | None:
    """Train and store a new model version when the newest is older than the interval; its version."""
    latest = repository.latest_model_version(session, settings.chain_id)
    now = session.scalar(select(func.now()))
    if latest is not None and now - latest[1] < timedelta(seconds=settings.recommendations_train_every_s):
        return None
    if not _locked(session, "recommendations"):
        return None
    params = als.AlsParams(factors=settings.recommendations_factors,
                           iterations=settings.recommendations_iterations)
    model = service.train(session, settings.chain_id, timedelta(days=settings.recommendations_history_days), params)
    return model.version if model else None


@celery_app.task(name="discovery.refresh_related")
def refresh_related() -> tuple[int, int] | None:
    settings = get_settings()
    with job_sessions().begin() as session:
        counts = rebuild_related_if_due(session, settings)
    if counts is not None:
        log.info("related recordings and artists rebuilt", extra={"recordings": counts[0], "artists": counts[1]})
    return counts


@celery_app.task(name="discovery.train_recommendations")
def train_recommendations() -> int | None:
    settings = get_settings()
    with job_sessions().begin() as session:
        version = train_if_due(session, settings)
    if version is not None:
        log.info("recommendation model trained", extra={"version": version})
    return version
