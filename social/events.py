"""The one hook every social write calls, inside the write's own transaction.

It writes the notification the event causes (notifications.service.notify), so a notification exists exactly
when its event commits: a rollback drops both. Filtered events (a stranger's message, a new account's mention of
someone who does not follow it) wait in the requests inbox and notify nobody; reactions, posts and reports have
no notification of their own. A release notifies its artist (the indexer does); telling every follower would write
one row per follower, so followers see releases in their feed instead.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from notifications import service as notifications
from notifications.models import NotificationKind

# kind: follow, like, repost, post, comment, reply, mention, reaction, message, release, report
# subject_type / subject_id: what the event is about (`account` + user id, `post` + id, `recording` + asset id...)
# recipient_id: the account the event is for, when there is one (the followee, the liked post's author...)
# filtered: True when the recipient would see it only among requests
NOTIFIED = {"follow": NotificationKind.follow, "like": NotificationKind.like, "repost": NotificationKind.repost,
            "comment": NotificationKind.comment, "reply": NotificationKind.reply,
            "mention": NotificationKind.mention}


def emitted(session: Session, kind: str, actor_id: uuid.UUID, subject_type: str, subject_id: str, *,
            recipient_id: uuid.UUID | None = None, filtered: bool = False, **details: Any) -> None:
    """Record that `actor_id` did `kind` to the subject (for `recipient_id`). Called once per event, in the
    transaction of the write; must not commit."""
    notified = NOTIFIED.get(kind)
    if notified is None or recipient_id is None or filtered:
        return
    data = {key: str(value) for key, value in details.items() if isinstance(value, str | int | uuid.UUID)}
    notifications.notify(session, recipient_id=recipient_id, kind=notified, actor_id=actor_id,
                         subject_type=subject_type, subject_id=subject_id, data=data)
