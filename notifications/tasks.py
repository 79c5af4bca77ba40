"""Background jobs of notifications: queue the due notification e-mails, drain the outbox over SMTP."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from harmoni.db import get_engine
from harmoni.jobs import celery_app
from harmoni.settings import get_settings
from notifications import mailer


def _sessions():
    settings = get_settings()
    return settings, sessionmaker(bind=get_engine(settings.database_url), expire_on_commit=False)


@celery_app.task(name="notifications.send_emails")
def send_emails() -> dict[str, int]:
    """Queue notification mails that are due (still unread), then send every due outbox row."""
    settings, sessions = _sessions()
    mailer.queue_notification_emails(sessions, settings)
    return mailer.send_due(sessions, settings)


@celery_app.task(name="notifications.build_export")
def build_export(export_id: str) -> str:
    """Write the zip of a requested data export; its status afterwards."""
    import uuid

    from notifications import privacy

    settings, sessions = _sessions()
    with sessions.begin() as session:
        export = privacy.run_export(session, settings, uuid.UUID(export_id))
        return export.status if export is not None else "gone"
