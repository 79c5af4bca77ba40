"""The one hook every social write calls, inside the write's own transaction.

It writes the notification the event causes (notifications.service.notify), so a notification exists exactly
when its event commits: a rollback drops both. Filtered events (a stranger's message, a new account's mention of
someone who does not follow it) wait in the requests inbox and notify nobody; reactions, posts and reports have
no notification of their own. A message notifies its recipient once per conversation and grouping window ("Ana sent
you 3 messages"), unread again at each new message. A release notifies its artist (the indexer does) and, grouped
per artist and window ("Mira released 3 recordings"), every follower who has not muted the artist, written
set-wise in one statement (`notify_many`), never one query a follower.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from notifications import service as notifications
from notifications.models import NotificationKind
from social import repository
from social.models import Follow, Mute

# kind: follow, like, repost, post, comment, reply, mention, reaction, message, release, report
# subject_type / subject_id: what the event is about (`account` + user id, `post` + id, `recording` + asset id...)
# recipient_id: the account the event is for, when there is one (the followee, the liked post's author...)
# filtered: True when the recipient would see it only among requests
NOTIFIED = {"follow": NotificationKind.follow, "like": NotificationKind.like, "repost": NotificationKind.repost,
            "comment": NotificationKind.comment, "reply": NotificationKind.reply,
            "mention": NotificationKind.mention, "message": NotificationKind.message}
REPEATS = {"message"}  # each event counts again (a second message), not only each new actor


def emitted(session: Session, kind: str, actor_id: uuid.UUID, subject_type: str, subject_id: str, *,
            recipient_id: uuid.UUID | None = None, filtered: bool = False, **details: Any) -> None:
    """Record that `actor_id` did `kind` to the subject (for `recipient_id`). Called once per event, in the
    transaction of the write; must not commit."""
    data = {key: str(value) for key, value in details.items() if isinstance(value, str | int | uuid.UUID)}
    if kind == "release":
        _release_to_followers(session, actor_id, subject_id, data)
        return
    notified = NOTIFIED.get(kind)
    if notified is None or recipient_id is None or filtered:
        return
    notifications.notify(session, recipient_id=recipient_id, kind=notified, actor_id=actor_id,
                         subject_type=subject_type, subject_id=subject_id, data=data, repeats=kind in REPEATS)


def _release_to_followers(session: Session, artist_id: uuid.UUID, asset_id: str, data: dict) -> None:
    profile = repository.profile(session, artist_id)
    if profile is not None and profile.suspended_at is not None:
        return
    followers = select(Follow.follower_id).where(Follow.followee_id == artist_id, ~select(Mute.muter_id).where(
        Mute.muter_id == Follow.follower_id, Mute.muted_id == artist_id).exists())
    notifications.notify_many(session, followers, kind=NotificationKind.release, actor_id=artist_id,
                              subject_type="account", subject_id=str(artist_id), group_key="releases",
                              data={"title": data.get("title") or f"recording {asset_id}", "asset_id": asset_id})
