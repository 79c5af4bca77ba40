"""Kernel background tasks."""

from __future__ import annotations

import socket

from harmoni import heartbeats
from harmoni.db import session_scope
from harmoni.jobs import celery_app
from harmoni.settings import get_settings


@celery_app.task(name="harmoni.record_worker_heartbeat")
def record_worker_heartbeat(mode: str) -> None:
    """Proves the job path end to end: queue -> worker -> database."""
    settings = get_settings()
    with session_scope(settings.database_url) as session:
        heartbeats.beat(session, "worker", {"mode": mode, "host": socket.gethostname()})
