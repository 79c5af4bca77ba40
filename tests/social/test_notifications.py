"""Direct messages and releases notify: a message its recipient (grouped per conversation, unread again at each
message, never for a request), a release every follower of its artist (grouped per artist, once per release, per
preferences, not those who muted the artist)."""

from __future__ import annotations

from sqlalchemy import select

from harmoni.settings import Settings
from identity.models import Wallet
from ledger.models import Asset
from notifications import service as notifications
from notifications.models import Channel, Delivery, Notification, NotificationKind
from social import graph, messages, service
from tests.social.factories import account


def _settings(database_url) -> Settings:
    return Settings(_env_file=None, env="test", database_url=database_url)


def _of(db, user, kind: str) -> list[Notification]:
    return list(db.scalars(select(Notification).where(Notification.recipient_id == user.id,
                                                      Notification.kind == kind)))


def test_messages_notify_once_per_conversation_and_requests_never(db_session, database_url):
    db, settings = db_session, _settings(database_url)
    artist, fan, stranger = account(db, "artist"), account(db), account(db)
    graph.follow(db, artist.id, fan.id)  # the artist follows the fan: the fan's messages land in the inbox
    first = messages.send(db, settings, fan, artist.id, "hello")
    [row] = _of(db, artist, "message")
    assert (row.subject_type, row.subject_id, row.actor_count, row.event_count) == (
        "conversation", str(first.conversation_id), 1, 1)
    notifications.mark_read(db, artist.id, row.id)
    messages.send(db, settings, fan, artist.id, "are you there?")
    messages.send(db, settings, fan, artist.id, "new song?")
    [row] = _of(db, artist, "message")
    db.refresh(row)
    assert (row.actor_count, row.event_count, row.read_at) == (1, 3, None)  # unread again, the sender once
    names = notifications.actor_names(db, row.latest_actor_ids)
    assert notifications.summary(row, names).endswith("sent you 3 messages")
    messages.send(db, settings, stranger, artist.id, "hi, a stranger here")  # lands among requests
    assert len(_of(db, artist, "message")) == 1
    messages.send(db, settings, artist, fan.id, "thanks!")  # an answer: the fan wrote first, so the inbox
    assert len(_of(db, fan, "message")) == 1


def test_message_notifications_follow_preferences(db_session, database_url):
    db, settings = db_session, _settings(database_url)
    artist, fan = account(db, "artist"), account(db)
    graph.follow(db, artist.id, fan.id)
    notifications.save_preferences(db, artist.id, [(NotificationKind.message, Channel.in_app, Delivery.off),
                                                   (NotificationKind.message, Channel.email, Delivery.off)])
    messages.send(db, settings, fan, artist.id, "hello")
    assert _of(db, artist, "message") == []


def _recording(db, asset_id: int, wallet: str) -> None:
    db.add(Asset(chain_id=31337, asset_id=asset_id, kind="recording", controller=wallet,
                 industry_code=f"USRC1760{asset_id}", work_ids=[], metadata_uri="", split_version=1,
                 split_hash="0x" + "00" * 32, split_recipients=[], split_allocations=[], split_locked=False,
                 frozen=False, registered_block=1,
                 registered_tx="0x" + "00" * 32, updated_block=1))
    db.flush()


def test_a_release_notifies_followers_grouped_once_per_preferences(db_session, database_url):
    db, settings = db_session, _settings(database_url)
    artist = account(db, "artist")
    wallet = "0x" + "7b" * 20
    db.add(Wallet(user_id=artist.id, address=wallet, kind="linked"))
    fan, muter, quiet, stranger = account(db), account(db), account(db), account(db)
    for follower in (fan, muter, quiet):
        graph.follow(db, follower.id, artist.id)
    graph.mute(db, muter.id, artist.id)
    notifications.save_preferences(db, quiet.id, [(NotificationKind.release, Channel.in_app, Delivery.off),
                                                  (NotificationKind.release, Channel.email, Delivery.off)])
    _recording(db, 9101, wallet)
    assert service.sync_releases(db, settings) == 1
    [row] = _of(db, fan, "release")
    assert (row.subject_type, row.subject_id, row.actor_count, row.event_count) == ("account", str(artist.id), 1, 1)
    assert row.latest_actor_ids == [artist.id] and row.data["asset_id"] == "9101"
    assert row.email_due_at == notifications.next_digest(row.created_at)  # release e-mails: the daily digest
    notifications.mark_read(db, fan.id, row.id)
    _recording(db, 9102, wallet)
    assert service.sync_releases(db, settings) == 1
    assert service.sync_releases(db, settings) == 0  # nothing new: nobody told twice
    [row] = _of(db, fan, "release")
    db.refresh(row)
    assert (row.actor_count, row.event_count, row.read_at) == (1, 2, None)
    assert notifications.summary(row, notifications.actor_names(db, row.latest_actor_ids)).endswith(
        "released 2 recordings")
    assert [len(_of(db, who, "release")) for who in (muter, quiet, stranger)] == [0, 0, 0]
