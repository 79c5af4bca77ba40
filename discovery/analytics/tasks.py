"""The analytics rollup job (dispatched by `harmoni up` every few seconds; it runs when its interval is over)."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy.orm import Session

from discovery.analytics import service
from discovery.recommendations.repository import start_run_if_due
from harmoni.db import session_factory
from harmoni.jobs import celery_app
from harmoni.settings import Settings, get_settings

log = logging.getLogger(__name__)


def rollup_if_due(session: Session, settings: Settings) -> date | None:
    if not start_run_if_due(session, "analytics", settings.chain_id, settings.analytics_rollup_every_s):
        return None
    return service.rollup(session, settings.chain_id)


@celery_app.task(name="discovery.rollup_analytics")
def rollup_analytics() -> str | None:
    settings = get_settings()
    with session_factory(settings.database_url).begin() as session:
        first_day = rollup_if_due(session, settings)
    if first_day is not None:
        log.info("analytics rolled up", extra={"from_day": first_day.isoformat()})
    return first_day.isoformat() if first_day else None
