"""The one hook every social write calls, inside the write's own transaction.

Today it does nothing. Notifications (another package) will be written from here, so that a notification exists
exactly when the event that causes it commits: a rollback drops both.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

# kind: follow, like, repost, post, comment, reply, mention, reaction, message, release, report
# subject_type / subject_id: what the event is about (`account` + user id, `post` + id, `recording` + asset id...)
# recipient_id: the account the event is for, when there is one (the followee, the liked post's author...)
# filtered: True when the recipient would see it only among requests (a stranger's message, a new account's
# mention of someone not following it)


def emitted(session: Session, kind: str, actor_id: uuid.UUID, subject_type: str, subject_id: str, *,
            recipient_id: uuid.UUID | None = None, filtered: bool = False, **details: Any) -> None:
    """Record that `actor_id` did `kind` to the subject (for `recipient_id`). Called once per event, in the
    transaction of the write; must not commit."""
    return None
