"""The social graph: follows, blocks and mutes between accounts; likes and reposts of recordings, editions and
posts. Every edge is idempotent (inserted `on conflict do nothing`, removed with `returning`) and changes its
counters in the same statement sequence, so the counters equal a recount at every commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from harmoni.errors import ValidationFailed
from harmoni.settings import Settings
from social import cursor, events, repository, subjects
from social.errors import Blocked, SubjectNotFound
from social.models import Block, Follow, Like, Mute, Repost, SubjectType

LIKEABLE = (SubjectType.recording.value, SubjectType.edition.value, SubjectType.post.value)


def _other_account(session: Session, me: uuid.UUID, other: uuid.UUID, field: str = "user_id") -> None:
    if me == other:
        raise ValidationFailed("that is your own account: name another one", field=field)
    if not repository.user_exists(session, other):
        raise SubjectNotFound(f"no account {other}", field=field)


def follow(session: Session, follower: uuid.UUID, followee: uuid.UUID) -> bool:
    """Follow `followee`; True if this created the follow (False: it existed already)."""
    _other_account(session, follower, followee)
    if repository.blocked_between(session, follower, followee):
        raise Blocked("you cannot follow this account", field="user_id")
    created = session.execute(insert(Follow).values(follower_id=follower, followee_id=followee)
                              .on_conflict_do_nothing().returning(Follow.follower_id)).first()
    if created:
        repository.bump(session, [("account", str(followee), "followers", 1),
                                  ("account", str(follower), "following", 1)])
        events.emitted(session, "follow", follower, "account", str(followee), recipient_id=followee)
    return created is not None


def unfollow(session: Session, follower: uuid.UUID, followee: uuid.UUID) -> bool:
    return repository.delete_follow(session, follower, followee)


def block(session: Session, blocker: uuid.UUID, blocked: uuid.UUID) -> bool:
    """Block an account: both follows between the two end, and neither sees the other again."""
    _other_account(session, blocker, blocked)
    created = session.execute(insert(Block).values(blocker_id=blocker, blocked_id=blocked)
                              .on_conflict_do_nothing().returning(Block.blocker_id)).first()
    repository.delete_follow(session, blocker, blocked)
    repository.delete_follow(session, blocked, blocker)
    return created is not None


def unblock(session: Session, blocker: uuid.UUID, blocked: uuid.UUID) -> bool:
    return session.execute(delete(Block).where(Block.blocker_id == blocker, Block.blocked_id == blocked)
                           .returning(Block.blocker_id)).first() is not None


def mute(session: Session, muter: uuid.UUID, muted: uuid.UUID) -> bool:
    _other_account(session, muter, muted)
    return session.execute(insert(Mute).values(muter_id=muter, muted_id=muted).on_conflict_do_nothing()
                           .returning(Mute.muter_id)).first() is not None


def unmute(session: Session, muter: uuid.UUID, muted: uuid.UUID) -> bool:
    return session.execute(delete(Mute).where(Mute.muter_id == muter, Mute.muted_id == muted)
                           .returning(Mute.muter_id)).first() is not None


@dataclass(frozen=True)
class AccountEntry:
    user_id: uuid.UUID
    handle: str | None
    since: datetime
    follows_you: bool
    followed_by_you: bool


@dataclass(frozen=True)
class AccountPage:
    items: list[AccountEntry]
    next_cursor: str | None
    total: int


def _flags(session: Session, viewer: uuid.UUID | None, ids: list[uuid.UUID]) -> tuple[set, set]:
    if viewer is None or not ids:
        return set(), set()
    follow_me = set(session.scalars(select(Follow.follower_id).where(Follow.followee_id == viewer,
                                                                     Follow.follower_id.in_(ids))))
    i_follow = set(session.scalars(select(Follow.followee_id).where(Follow.follower_id == viewer,
                                                                    Follow.followee_id.in_(ids))))
    return follow_me, i_follow


def accounts(session: Session, user_id: uuid.UUID, direction: str, viewer: uuid.UUID | None,
             after: str | None, limit: int) -> AccountPage:
    """Followers (direction "followers") or followees ("following") of `user_id`, newest first."""
    if not repository.user_exists(session, user_id):
        raise SubjectNotFound(f"no account {user_id}", field="user_id")
    mine, theirs = ((Follow.followee_id, Follow.follower_id) if direction == "followers"
                    else (Follow.follower_id, Follow.followee_id))
    query = select(theirs, Follow.created_at).where(mine == user_id)
    position = cursor.decode(after)
    if position is not None:
        at, key = position
        query = query.where(tuple_(Follow.created_at, theirs) < tuple_(at, cursor.uuid_key(key)))
    rows = session.execute(query.order_by(Follow.created_at.desc(), theirs.desc()).limit(limit + 1)).all()
    more, rows = len(rows) > limit, rows[:limit]
    ids = [r[0] for r in rows]
    follow_me, i_follow = _flags(session, viewer, ids)
    names = repository.handles(session, ids)
    total = repository.counts(session, "account", [str(user_id)], [direction])[(str(user_id), direction)]
    items = [AccountEntry(uid, names.get(uid), at, uid in follow_me, uid in i_follow) for uid, at in rows]
    return AccountPage(items, cursor.encode(rows[-1][1], str(rows[-1][0])) if more else None, total)


def relationship(session: Session, viewer: uuid.UUID, other: uuid.UUID) -> dict[str, bool]:
    return {"following": repository.follows(session, viewer, other),
            "follows_you": repository.follows(session, other, viewer),
            "blocking": session.get(Block, (viewer, other)) is not None,
            "muting": session.get(Mute, (viewer, other)) is not None}


def _check_subject(session: Session, settings: Settings, viewer: uuid.UUID, subject_type: str, subject_id: str
                   ) -> uuid.UUID | None:
    """Refuse a subject that does not exist or the viewer cannot see; its author (posts) to notify."""
    from social import posts  # posts imports the graph's counters; a late import keeps the modules apart

    if subject_type == SubjectType.recording.value:
        subjects.require_recording(session, settings, int(subject_id), "subject_id")
        return None
    if subject_type == SubjectType.edition.value:
        subjects.require_edition(session, settings, int(subject_id), "subject_id")
        return None
    post = posts.visible_post(session, settings, viewer, subjects.parse_post_id(subject_id), "subject_id")
    return post.author_id


def like(session: Session, settings: Settings, user_id: uuid.UUID, subject_type: str, subject_id: str) -> bool:
    author = _check_subject(session, settings, user_id, subject_type, subject_id)
    created = session.execute(insert(Like).values(user_id=user_id, subject_type=subject_type, subject_id=subject_id)
                              .on_conflict_do_nothing().returning(Like.user_id)).first()
    if created:
        repository.bump(session, [(subject_type, subject_id, "likes", 1), ("account", str(user_id), "likes", 1)])
        events.emitted(session, "like", user_id, subject_type, subject_id, recipient_id=author)
    return created is not None


def unlike(session: Session, user_id: uuid.UUID, subject_type: str, subject_id: str) -> bool:
    gone = session.execute(delete(Like).where(Like.user_id == user_id, Like.subject_type == subject_type,
                                              Like.subject_id == subject_id).returning(Like.user_id)).first()
    if gone:
        repository.bump(session, [(subject_type, subject_id, "likes", -1), ("account", str(user_id), "likes", -1)])
    return gone is not None


def repost(session: Session, settings: Settings, user_id: uuid.UUID, subject_type: str, subject_id: str,
           comment: str | None) -> tuple[Repost, bool]:
    """Repost (again: the same repost, its comment unchanged); the row and whether it is new."""
    author = _check_subject(session, settings, user_id, subject_type, subject_id)
    if author == user_id:
        raise ValidationFailed("you cannot repost your own post", field="subject_id")
    created = session.execute(insert(Repost).values(id=uuid.uuid4(), user_id=user_id, subject_type=subject_type,
                                                    subject_id=subject_id, comment=comment)
                              .on_conflict_do_nothing().returning(Repost.id)).first()
    row = session.scalars(select(Repost).where(Repost.user_id == user_id, Repost.subject_type == subject_type,
                                               Repost.subject_id == subject_id)).one()
    if created:
        repository.bump(session, [(subject_type, subject_id, "reposts", 1)])
        events.emitted(session, "repost", user_id, subject_type, subject_id, recipient_id=author,
                       repost_id=str(row.id))
    return row, created is not None


def unrepost(session: Session, user_id: uuid.UUID, subject_type: str, subject_id: str) -> bool:
    gone = session.execute(delete(Repost).where(and_(Repost.user_id == user_id, Repost.subject_type == subject_type,
                                                     Repost.subject_id == subject_id)).returning(Repost.id)).first()
    if gone:
        repository.bump(session, [(subject_type, subject_id, "reposts", -1)])
    return gone is not None
