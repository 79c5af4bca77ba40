"""GET /v1/me/notifications/stream: a committed notification reaches an open page as a server-sent event, through
PostgreSQL LISTEN/NOTIFY (embedded default) or Redis pub/sub; a rolled-back one never does."""

from __future__ import annotations

import json
import threading
import time

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import sessionmaker

from harmoni.db import get_engine
from notifications import live, service
from notifications.models import NotificationKind
from tests.identity.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def _events(body: str) -> list[tuple[str, dict]]:
    found = []
    for block in body.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":"))
        if "event" in lines:
            found.append((lines["event"], json.loads(lines["data"])))
    return found


def _listening(sessions, backend: str, redis_url: str, user_id) -> bool:
    if backend == "redis":
        import redis

        client = redis.Redis.from_url(redis_url)
        try:
            return client.pubsub_numsub(live.redis_channel(user_id))[0][1] > 0
        finally:
            client.close()
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(text("pg_stat_activity"))
                              .where(text("query = 'listen harmoni_notifications'"))) > 0


def test_an_open_stream_receives_a_committed_notification(live_api, redis_url):
    for backend in ("postgres", "redis"):  # one app for both: its start is the slow part
        _stream_one(live_api, redis_url, backend)


def _stream_one(live_api, redis_url, backend):
    context = live_api.app.state.context
    overrides = {"notification_stream_max_s": 3.0}
    if backend == "redis":
        overrides["redis_url"] = redis_url
    settings = context.settings = context.settings.model_copy(update=overrides)
    sessions = sessionmaker(bind=get_engine(live_api.database_url), expire_on_commit=False)
    artist, fan = make_user(sessions, settings, "artist"), make_user(sessions, settings, "fan")
    sent: dict = {}

    def like_once_listening() -> None:
        deadline = time.monotonic() + 10
        while not _listening(sessions, backend, redis_url, artist.id) and time.monotonic() < deadline:
            time.sleep(0.05)
        with sessions() as session:  # rolled back: must never be announced
            service.notify(session, recipient_id=artist.id, kind=NotificationKind.follow, actor_id=fan.id,
                           subject_type="user", subject_id=artist.id, settings=settings)
            session.rollback()
        with sessions.begin() as session:
            sent["id"] = str(service.notify(session, recipient_id=artist.id, kind=NotificationKind.like,
                                            actor_id=fan.id, subject_type="recording", subject_id="1",
                                            settings=settings).id)

    thread = threading.Thread(target=like_once_listening)
    thread.start()
    response = live_api.get("/v1/me/notifications/stream", headers=artist.headers)
    thread.join(15)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = _events(response.text)
    assert events[0] == ("unread", {"unread_count": 0})
    assert events[1:] == [("notification", {"type": "notification", "id": sent["id"], "kind": "like"})]
