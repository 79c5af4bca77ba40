"""Live notification events for open pages (Server-Sent Events).

An event is announced in the transaction that causes it and goes out only if that transaction commits:
- without Redis (the embedded default), through PostgreSQL `NOTIFY`, which the server itself delivers at commit;
- with Redis, published to the recipient's channel after the commit (a rollback drops it).
A listener (`subscribe`) yields the events of one user; the SSE endpoint turns them into `data:` lines.
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections.abc import Iterator

import psycopg
import redis
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from harmoni.db import normalize_url
from harmoni.settings import Settings

PG_CHANNEL = "harmoni_notifications"
_PENDING = "harmoni_live_events"


def redis_channel(user_id: uuid.UUID | str) -> str:
    return f"harmoni:notifications:{user_id}"


def announce(session: Session, settings: Settings, user_id: uuid.UUID, payload: dict) -> None:
    if settings.redis_url:
        session.info.setdefault(_PENDING, []).append((settings.redis_url, str(user_id), payload))
    else:
        session.execute(select(func.pg_notify(PG_CHANNEL, json.dumps({"user_id": str(user_id), **payload}))))


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    for url, user_id, payload in session.info.pop(_PENDING, []):
        try:
            client = redis.Redis.from_url(url)
            client.publish(redis_channel(user_id), json.dumps(payload))
            client.close()
        except redis.RedisError:
            pass  # live updates are best effort: the list itself is in the database


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_PENDING, None)


class Subscription:
    """Events of one user, read in a thread of its own into a queue (the SSE generator polls the queue)."""

    def __init__(self, settings: Settings, database_url: str, user_id: uuid.UUID) -> None:
        self.user_id = str(user_id)
        self.events: queue.Queue[dict] = queue.Queue()
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._settings, self._database_url = settings, database_url
        self._thread = threading.Thread(target=self._run, name=f"sse-{user_id}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        if self._settings.redis_url:
            self._run_redis()
        else:
            self._run_postgres()

    def _run_redis(self) -> None:
        client = redis.Redis.from_url(self._settings.redis_url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(redis_channel(self.user_id))
        self.ready.set()
        try:
            while not self._stop.is_set():
                message = pubsub.get_message(timeout=0.5)
                if message and message["type"] == "message":
                    self.events.put(json.loads(message["data"]))
        finally:
            pubsub.close()
            client.close()

    def _run_postgres(self) -> None:
        dsn = normalize_url(self._database_url).replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"listen {PG_CHANNEL}")
            self.ready.set()
            while not self._stop.is_set():
                for notice in conn.notifies(timeout=0.5, stop_after=1):
                    payload = json.loads(notice.payload)
                    if payload.pop("user_id", None) == self.user_id:
                        self.events.put(payload)

    def get(self, timeout: float) -> dict | None:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


def subscribe(settings: Settings, database_url: str, user_id: uuid.UUID) -> Iterator[Subscription]:
    subscription = Subscription(settings, database_url, user_id)
    try:
        subscription.ready.wait(5)
        yield subscription
    finally:
        subscription.close()
