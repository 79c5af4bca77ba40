"""Background jobs: Celery over Redis when HARMONI_REDIS_URL is set, otherwise run in-process (eager).

Jobs are queued on a session and sent only after it commits; a rollback drops them.
Jobs take ids and plain values, never ORM objects.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from sqlalchemy import event
from sqlalchemy.orm import Session

from harmoni.settings import Settings, get_settings

# Modules whose tasks the worker registers (imported by name: the kernel depends on none of them).
TASK_MODULES = ["harmoni.tasks", "ledger.tasks", "ledger.royalties.tasks", "partners.tasks", "notifications.tasks",
                "content.tasks", "ledger.editions.tasks", "payments.tasks", "discovery.search.tasks",
                "discovery.trending.tasks", "discovery.recommendations.tasks", "discovery.analytics.tasks",
                "social.tasks"]

celery_app = Celery("harmoni")


def configure(settings: Settings | None = None) -> Celery:
    """Point the Celery app at Redis, or make every `.delay()` run the task right here."""
    settings = settings or get_settings()
    eager = not settings.redis_url
    # Drop connections pooled for a previous broker, so a reconfigured app never sends to the old one.
    celery_app.close()
    celery_app.amqp._producer_pool = None
    celery_app.conf.update(
        broker_url=settings.redis_url or "memory://",
        result_backend=None,
        task_always_eager=eager,
        task_eager_propagates=False,  # a failed job records its own failure; it never fails the request
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        accept_content=["json"],
        imports=TASK_MODULES,
    )
    return celery_app


def is_eager() -> bool:
    return bool(celery_app.conf.task_always_eager)


def enqueue_after_commit(session: Session, task: Task, *args: Any) -> None:
    """Send `task(*args)` once `session` commits."""
    session.info.setdefault("harmoni_jobs", []).append((task, args))


@event.listens_for(Session, "after_commit")
def _send_jobs(session: Session) -> None:
    for task, args in session.info.pop("harmoni_jobs", []):
        task.delay(*args)


@event.listens_for(Session, "after_rollback")
def _drop_jobs(session: Session) -> None:
    session.info.pop("harmoni_jobs", None)
