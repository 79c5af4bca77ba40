"""Background jobs of the social layer: registered recordings become releases (in followers' feeds, notified)."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from harmoni.db import get_engine
from harmoni.jobs import celery_app
from harmoni.settings import get_settings


@celery_app.task(name="social.sync_releases")
def sync_releases() -> int:
    """Make newly registered recordings releases of their artists' accounts; how many are new. Run with the
    periodic jobs of `harmoni up` (the same `.delay()` goes to a Celery worker with Redis)."""
    from social import service

    settings = get_settings()
    sessions = sessionmaker(bind=get_engine(settings.database_url), expire_on_commit=False)
    with sessions.begin() as session:
        return service.sync_releases(session, settings)
