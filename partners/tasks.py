"""Webhook jobs: the dispatcher (run periodically by `harmoni up`) and one delivery attempt.

Each delivery is a job of its own. With Celery it is a task on the `webhooks` queue (served by a worker of its
own, so partners never hold up other jobs) and a failed attempt is retried by a delayed task
(`apply_async(countdown=...)`). In eager mode the dispatcher sends its batch side by side in a thread pool of
its own and nothing sleeps: the retry is only recorded (`next_attempt_at`) and the next dispatcher run sends it.
"""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from harmoni import jobs
from harmoni.db import session_factory
from harmoni.jobs import celery_app
from harmoni.settings import Environment, get_settings
from partners import delivery

log = logging.getLogger(__name__)
QUEUE = "webhooks"
# With Celery, a due retry not picked up this long after its time is taken for a lost task and re-sent.
LOST_TASK_AFTER = timedelta(minutes=2)
CELERY_DELIVERIES_PER_RUN = 5_000
# Eager mode: how many deliveries are in flight at once (a slow partner holds one of them, at most a deadline).
EAGER_CONCURRENCY = 8
_pool = ThreadPoolExecutor(max_workers=EAGER_CONCURRENCY, thread_name_prefix="webhook")


def job_sessions() -> sessionmaker[Session]:
    """Sessions of the configured database (tests point this at their rolled-back transaction)."""
    return session_factory(get_settings().database_url)


@celery_app.task(name="partners.dispatch_chain_events")
def dispatch_chain_events() -> int:
    """Add deliveries for new chain events and queue every delivery due now; returns how many were queued.

    In eager mode the run returns once its deliveries are attempted, side by side (about one deadline).
    """
    eager = jobs.is_eager()
    with job_sessions().begin() as session:
        result = delivery.dispatch(session, get_settings().chain_id,
                                   retry_grace=timedelta(0) if eager else LOST_TASK_AFTER,
                                   max_deliveries=delivery.DELIVERIES_PER_RUN if eager else CELERY_DELIVERIES_PER_RUN)
        if not eager:
            for delivery_id in result.to_deliver:
                jobs.enqueue_after_commit(session, deliver, str(delivery_id))
    if result.created or result.rewound:
        log.info("webhook deliveries added", extra={"events": result.events, "deliveries": result.created,
                                                    "rewound": result.rewound})
    if eager:
        list(_pool.map(_attempt, [str(d) for d in result.to_deliver]))
    return len(result.to_deliver)


def _attempt(delivery_id: str) -> str:
    settings = get_settings()
    try:
        outcome = delivery.attempt(job_sessions(), uuid.UUID(delivery_id),
                                   public_only=settings.env is Environment.production,
                                   show_private_excerpts=settings.env is Environment.development)
    except Exception:
        # One broken delivery must not stop its batch; its lease runs out and a later run retries it.
        log.exception("webhook delivery attempt failed", extra={"delivery_id": delivery_id})
        return "skipped"
    if outcome.retry_in_s is not None and not jobs.is_eager():
        deliver.apply_async((delivery_id,), countdown=outcome.retry_in_s)
    return outcome.status


@celery_app.task(name="partners.deliver", queue=QUEUE)
def deliver(delivery_id: str) -> str:
    """Attempt one delivery; returns its status afterwards ("skipped" when it was not due or is held)."""
    return _attempt(delivery_id)
