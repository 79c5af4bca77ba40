"""Content background jobs: processing uploads, with Celery over Redis or a polling worker of its own.

With Redis, `content.process_upload` runs on the `content` queue, consumed by `harmoni content worker` at
`HARMONI_TRANSCODE_CONCURRENCY` (one Celery worker per machine shares the queue with every other); a sweep
re-sends the uploads whose task was lost or whose worker died (their lease ran out). Without Redis the same
command polls PostgreSQL for claimable uploads, and is woken at once by a NOTIFY on `harmoni_content` that the
request sends in its transaction (so it arrives on commit, never for an upload rolled back): jobs are never run
inside an API request.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid

import psycopg
from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from content import processing, uploads
from content.models import Upload, UploadState
from content.storage import object_store
from harmoni import jobs
from harmoni.db import normalize_url, session_factory
from harmoni.jobs import celery_app
from harmoni.settings import Settings, get_settings

log = logging.getLogger(__name__)
QUEUE = "content"
POLL_INTERVAL_S = 1.0  # without a NOTIFY (a lost one, or an upload whose lease ran out): claim again this often
WAKE_CHANNEL = "harmoni_content"
# A received upload no worker took this long after it was queued: its task was lost (a broker restart).
LOST_TASK_AFTER_S = 30
# How often the worker without Redis drops abandoned resumable uploads (with Redis: each sweep).
EXPIRE_EVERY_S = 60.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def enqueue(session: Session, upload_id: uuid.UUID) -> None:
    """Have a worker process the upload once `session` commits (without Redis the polling worker finds it)."""
    if not jobs.is_eager():
        jobs.enqueue_after_commit(session, process_upload, str(upload_id))
    else:
        session.execute(text("select pg_notify(:channel, :upload)"),
                        {"channel": WAKE_CHANNEL, "upload": str(upload_id)})


def _run(settings: Settings, upload_id: uuid.UUID | None) -> str | None:
    return processing.run_next(session_factory(settings.database_url), settings, object_store(settings),
                               worker_name(), upload_id)


@celery_app.task(name="content.process_upload", acks_late=True, queue=QUEUE)
def process_upload(upload_id: str) -> str | None:
    """Process one upload if it is still claimable (a duplicate task finds nothing to claim)."""
    return _run(get_settings(), uuid.UUID(upload_id))


@celery_app.task(name="content.sweep_uploads")
def sweep_uploads() -> int:
    """Re-send uploads whose task was lost or whose worker stopped heart-beating; how many."""
    settings = get_settings()
    stale = func.clock_timestamp() - func.make_interval(0, 0, 0, 0, 0, 0, LOST_TASK_AFTER_S)
    with session_factory(settings.database_url)() as db:
        ids = list(db.scalars(select(Upload.id).where(or_(
            (Upload.state == UploadState.received) & (Upload.updated_at < stale),
            (Upload.state == UploadState.processing) & (Upload.lease_expires_at < func.clock_timestamp())))
            .limit(1000)))
    for upload_id in ids:
        process_upload.delay(str(upload_id))
    expire_abandoned(settings)
    return len(ids)


def expire_abandoned(settings: Settings) -> int:
    """Drop the resumable uploads that stopped receiving bytes (tus expiration); how many."""
    with session_factory(settings.database_url)() as db:
        dropped = uploads.expire_abandoned(db, settings)
        db.commit()
    uploads.remove_partials(settings, dropped)
    if dropped:
        log.info("content: dropped %d abandoned resumable uploads", len(dropped))
    return len(dropped)


def poll_forever(settings: Settings, stop: threading.Event | None = None) -> None:
    """The worker without Redis: `transcode_concurrency` threads, each claiming the next upload in turn."""
    stop = stop or threading.Event()
    wake = threading.Condition()

    def idle(seconds: float) -> None:
        with wake:
            wake.wait(seconds)

    def loop() -> None:
        while not stop.is_set():
            try:
                if _run(settings, None) is None:
                    idle(POLL_INTERVAL_S)
            except Exception:  # the database went away: wait, then claim again (leases keep the work safe)
                log.exception("content worker: claiming failed")
                stop.wait(5 * POLL_INTERVAL_S)

    threads = [threading.Thread(target=loop, name=f"transcode-{n}", daemon=True)
               for n in range(settings.transcode_concurrency)]
    threads.append(threading.Thread(target=_listen, args=(settings, wake, stop), name="transcode-wake", daemon=True))
    for thread in threads:
        thread.start()
    last_expiry = 0.0
    while any(t.is_alive() for t in threads):
        if time.monotonic() - last_expiry >= EXPIRE_EVERY_S:
            last_expiry = time.monotonic()
            try:
                expire_abandoned(settings)
            except Exception:  # the database went away: the next round tries again
                log.exception("content worker: expiring abandoned uploads failed")
        time.sleep(0.5)


def _listen(settings: Settings, wake: threading.Condition, stop: threading.Event) -> None:
    """Wake an idle claiming thread for every upload announced on `harmoni_content`."""
    dsn = normalize_url(settings.database_url).replace("postgresql+psycopg://", "postgresql://", 1)
    while not stop.is_set():
        try:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f"listen {WAKE_CHANNEL}")
                while not stop.is_set():
                    for _notice in conn.notifies(timeout=1.0, stop_after=1):
                        with wake:
                            wake.notify()
        except psycopg.Error:  # the database went away: polling goes on meanwhile; listen again shortly
            log.warning("content worker: listening for uploads failed", exc_info=True)
            stop.wait(5 * POLL_INTERVAL_S)


HEARTBEAT_EVERY_S = 10.0


def keep_beating(settings: Settings, mode: str, stop: threading.Event | None = None) -> threading.Thread:
    """Say every few seconds that this content worker lives (`harmoni status` shows it), in a thread."""
    from harmoni import heartbeats
    from harmoni.db import session_scope

    stop = stop or threading.Event()

    def run() -> None:
        while True:
            try:
                with session_scope(settings.database_url) as session:
                    heartbeats.beat(session, "content", {"mode": mode, "host": socket.gethostname(),
                                                         "concurrency": settings.transcode_concurrency})
            except Exception:  # the database is away: the next beat tries again
                log.warning("content worker heartbeat failed", exc_info=True)
            if stop.wait(HEARTBEAT_EVERY_S):
                return

    thread = threading.Thread(target=run, name="content-heartbeat", daemon=True)
    thread.start()
    return thread
