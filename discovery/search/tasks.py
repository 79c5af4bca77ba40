"""Search background jobs: draining the outbox (a Celery task with Redis; the embedded default runs the same task
in its periodic thread), and a polling loop for `harmoni search worker`."""

from __future__ import annotations

import logging
import threading

from discovery.search import service
from harmoni.db import session_factory
from harmoni.jobs import celery_app
from harmoni.settings import Settings, get_settings

log = logging.getLogger(__name__)
POLL_INTERVAL_S = 1.0


@celery_app.task(name="discovery.drain_search_outbox", acks_late=True)
def drain_search_outbox() -> int:
    """Take in every pending change; workers running it side by side share the outbox (SKIP LOCKED)."""
    settings = get_settings()
    return service.drain(session_factory(settings.database_url), settings, settings.chain_id)


def poll_forever(settings: Settings, database_url: str, stop: threading.Event | None = None) -> None:
    """Drain whenever there is something to drain; wait a moment when the outbox is empty."""
    stop = stop or threading.Event()
    sessions = session_factory(database_url)
    while not stop.is_set():
        try:
            if not service.drain_batch(sessions, settings, settings.chain_id):
                stop.wait(POLL_INTERVAL_S)
        except Exception:  # the database or the search server went away: the rows wait in the outbox
            log.exception("search worker: draining failed")
            stop.wait(5 * POLL_INTERVAL_S)
