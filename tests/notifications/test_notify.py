"""notify(): grouping within the window, exact counts under concurrency, preferences."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.orm import sessionmaker

from harmoni.db import get_engine
from identity.models import User
from notifications import service
from notifications.models import Notification, NotificationActor, NotificationKind
from tests.identity.factories import make_user


def _like(session, settings, recipient, actor, subject="42"):
    return service.notify(session, recipient_id=recipient, kind=NotificationKind.like, actor_id=actor,
                          subject_type="recording", subject_id=subject, data={"title": "Blue Hour"},
                          settings=settings)


def test_likes_of_one_subject_are_one_notification_with_distinct_actors(sessions, settings):
    artist = make_user(sessions, settings, "artist")
    fans = [make_user(sessions, settings, "fan", email=f"fan{i}-{uuid.uuid4().hex[:6]}@example.com")
            for i in range(3)]
    with sessions.begin() as session:
        for fan in fans:
            _like(session, settings, artist.id, fan.id)
        assert _like(session, settings, artist.id, fans[0].id) is None  # the same fan again: not counted
        assert _like(session, settings, artist.id, artist.id) is None  # one's own like: nobody is told
        _like(session, settings, artist.id, fans[0].id, subject="43")  # another recording: its own line
    with sessions() as session:
        rows = session.scalars(select(Notification).where(Notification.recipient_id == artist.id)
                               .order_by(Notification.subject_id)).all()
        assert [(r.subject_id, r.actor_count, r.event_count) for r in rows] == [("42", 3, 3), ("43", 1, 1)]
        assert rows[0].latest_actor_ids == [fans[2].id, fans[1].id, fans[0].id]
        names = service.actor_names(session, rows[0].latest_actor_ids)
        assert service.summary(rows[0], names) == f"{fans[2].email.split('@')[0]} and 2 others liked Blue Hour"


def test_a_new_window_starts_a_new_notification(sessions, settings):
    artist, fan, other = (make_user(sessions, settings, "artist"), make_user(sessions, settings, "fan"),
                          make_user(sessions, settings, "fan"))
    with sessions.begin() as session:
        first = _like(session, settings, artist.id, fan.id)
        first.window_start -= settings.notification_group_window_s  # as if it had come a window ago
        session.flush()
        second = _like(session, settings, artist.id, other.id)
    assert second.id != first.id and second.actor_count == 1


def test_concurrent_likes_make_one_notification_with_the_exact_count(database_url, settings):
    """Eight threads, each in its own committed transaction, like the same recording at once."""
    sessions = sessionmaker(bind=get_engine(database_url), expire_on_commit=False)
    artist = make_user(sessions, settings, "artist")
    fans = [make_user(sessions, settings, "fan") for _ in range(24)]
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def like_all(worker: int) -> None:
        try:
            barrier.wait(10)
            for fan in fans[worker::8] + fans[:3]:  # every thread also repeats the first three fans' likes
                with sessions.begin() as session:
                    _like(session, settings, artist.id, fan.id)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=like_all, args=(n,)) for n in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        with sessions() as session:
            rows = session.scalars(select(Notification).where(Notification.recipient_id == artist.id)).all()
            assert len(rows) == 1
            assert rows[0].actor_count == 24 and rows[0].event_count == 24
            assert session.scalar(select(func.count()).select_from(NotificationActor)
                                  .where(NotificationActor.notification_id == rows[0].id)) == 24
    finally:
        with sessions.begin() as session:
            session.execute(delete(User).where(User.id.in_([artist.id, *[f.id for f in fans]])))


def test_turning_a_kind_off_everywhere_records_nothing(sessions, settings):
    artist, fan = make_user(sessions, settings, "artist"), make_user(sessions, settings, "fan")
    with sessions.begin() as session:
        service.save_preferences(session, artist.id, [(NotificationKind.like, c, service.Delivery.off)
                                                      for c in service.Channel])
        assert _like(session, settings, artist.id, fan.id) is None
        assert session.scalar(select(func.count()).select_from(Notification)
                              .where(Notification.recipient_id == artist.id)) == 0


def test_in_app_off_keeps_it_out_of_the_list_but_still_mails(sessions, settings):
    artist, fan = make_user(sessions, settings, "artist"), make_user(sessions, settings, "fan")
    with sessions.begin() as session:
        service.save_preferences(session, artist.id, [
            (NotificationKind.like, service.Channel.in_app, service.Delivery.off),
            (NotificationKind.like, service.Channel.email, service.Delivery.immediate)])
        notification = _like(session, settings, artist.id, fan.id)
        assert notification.in_app is False and notification.email_due_at is not None
        page = service.list_page(session, artist.id, None, 10, False)
        assert page.items == [] and page.unread == 0
