"""Every social write calls the one hook (`social.events.emitted`) in its own transaction, with what the
notifications will need; a new account's mention of someone not following it is marked filtered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from harmoni.settings import Settings
from identity.models import User
from social import events, graph, messages, posts
from tests.social.factories import account


def test_writes_emit_one_event_each_with_the_recipient(db_session, monkeypatch, database_url):
    seen = []
    monkeypatch.setattr(events, "emitted", lambda session, kind, actor, st, sid, **kw: seen.append(
        (kind, actor, st, kw.get("recipient_id"), kw.get("filtered", False))))
    settings = Settings(_env_file=None, env="test", database_url=database_url)
    artist, fan = account(db_session, "artist", handle="artist_one"), account(db_session, handle="fan_one")
    newcomer = account(db_session, "artist")
    graph.follow(db_session, fan.id, artist.id)
    graph.follow(db_session, fan.id, artist.id)  # no second event: no second follow
    post = posts.create_post(db_session, settings, artist, "hi @fan_one", "public", None, [])
    graph.like(db_session, settings, fan.id, "post", str(post.id))
    posts.add_comment(db_session, settings, fan, "post", str(post.id), "great", None, None)
    messages.send(db_session, settings, fan, artist.id, "hello")
    db_session.get(User, newcomer.id).created_at = datetime.now(UTC) - timedelta(hours=1)
    posts.create_post(db_session, settings, newcomer, "hey @artist_one", "public", None, [])
    assert [(k, r) for k, _, _, r, _ in seen] == [
        ("follow", artist.id), ("post", None), ("mention", fan.id), ("like", artist.id), ("comment", artist.id),
        ("message", artist.id), ("post", None), ("mention", artist.id)]
    assert seen[2][4] is False  # a new account, but the mentioned fan follows it
    assert seen[-1][4] is True  # a new account mentioning someone who does not follow it: a request
    assert seen[5][4] is True  # a stranger's message: among the artist's requests


def test_social_writes_notify_their_recipients_grouped_and_never_for_requests(db_session, database_url):
    from sqlalchemy import select

    from notifications.models import Notification

    settings = Settings(_env_file=None, env="test", database_url=database_url)
    artist = account(db_session, "artist", handle="artist_two")
    fans = [account(db_session, handle=f"fan_{n}") for n in range(3)]
    for fan in fans:
        graph.follow(db_session, fan.id, artist.id)
    post = posts.create_post(db_session, settings, artist, "new song out", "public", None, [])
    for fan in fans:
        graph.like(db_session, settings, fan.id, "post", str(post.id))
    graph.like(db_session, settings, artist.id, "post", str(post.id))  # one's own like tells nobody
    newcomer = account(db_session, "artist")
    db_session.get(User, newcomer.id).created_at = datetime.now(UTC) - timedelta(hours=1)
    posts.create_post(db_session, settings, newcomer, "hey @artist_two", "public", None, [])  # a request
    db_session.flush()
    rows = {row.kind: row for row in db_session.scalars(
        select(Notification).where(Notification.recipient_id == artist.id))}
    assert set(rows) == {"follow", "like"}
    assert rows["follow"].actor_count == 3 and rows["follow"].subject_id == str(artist.id)
    assert rows["like"].actor_count == 3 and rows["like"].subject_id == str(post.id)
    assert set(rows["like"].latest_actor_ids) == {fan.id for fan in fans}
