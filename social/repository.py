"""Queries shared by the social services: counters, who blocks or mutes whom, profiles and handles."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, exists, or_, select, union
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from identity.models import User
from social.models import Block, Follow, Mute, SocialCounter, SocialProfile

Change = tuple[str, str, str, int]  # subject type, subject id, counter, delta


def bump(session: Session, changes: Iterable[Change]) -> None:
    """Add the deltas to their counters in one statement (`n = n + delta`), rows locked in a fixed order."""
    merged: dict[tuple[str, str, str], int] = {}
    for subject_type, subject_id, counter, delta in changes:
        key = (subject_type, str(subject_id), counter)
        merged[key] = merged.get(key, 0) + delta
    rows = [{"subject_type": k[0], "subject_id": k[1], "counter": k[2], "n": d}
            for k, d in sorted(merged.items()) if d]
    if not rows:
        return
    statement = insert(SocialCounter).values(rows)
    session.execute(statement.on_conflict_do_update(
        index_elements=[SocialCounter.subject_type, SocialCounter.subject_id, SocialCounter.counter],
        set_={"n": SocialCounter.n + statement.excluded.n}))


def counts(session: Session, subject_type: str, subject_ids: Iterable[str], counters: Iterable[str]
           ) -> dict[tuple[str, str], int]:
    """{(subject id, counter): n}, 0 for what was never counted."""
    ids, names = [str(i) for i in subject_ids], list(counters)
    found = {(row.subject_id, row.counter): row.n for row in session.execute(
        select(SocialCounter.subject_id, SocialCounter.counter, SocialCounter.n).where(
            SocialCounter.subject_type == subject_type, SocialCounter.subject_id.in_(ids),
            SocialCounter.counter.in_(names)))}
    return {(i, c): found.get((i, c), 0) for i in ids for c in names}


def user_exists(session: Session, user_id: uuid.UUID) -> bool:
    return session.scalar(select(exists().where(User.id == user_id))) or False


def blocked_between(session: Session, a: uuid.UUID, b: uuid.UUID) -> bool:
    return session.scalar(select(exists().where(or_(
        (Block.blocker_id == a) & (Block.blocked_id == b), (Block.blocker_id == b) & (Block.blocked_id == a))))
    ) or False


def follows(session: Session, follower: uuid.UUID, followee: uuid.UUID) -> bool:
    return session.scalar(select(exists().where(Follow.follower_id == follower, Follow.followee_id == followee))
                          ) or False


def suspended_accounts():
    return select(SocialProfile.user_id).where(SocialProfile.suspended_at.is_not(None))


def excluded_accounts(viewer_id: uuid.UUID | None):
    """Suspended accounts, and those `viewer_id` blocks, is blocked by or mutes."""
    if viewer_id is None:
        return suspended_accounts()
    return union(select(SocialProfile.user_id.label("uid")).where(SocialProfile.suspended_at.is_not(None)),
                 select(Block.blocked_id).where(Block.blocker_id == viewer_id),
                 select(Block.blocker_id).where(Block.blocked_id == viewer_id),
                 select(Mute.muted_id).where(Mute.muter_id == viewer_id))


def profile(session: Session, user_id: uuid.UUID) -> SocialProfile | None:
    return session.get(SocialProfile, user_id)


def handles(session: Session, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    return dict(session.execute(select(SocialProfile.user_id, SocialProfile.handle)
                                .where(SocialProfile.user_id.in_(ids))).all())


def users_by_handle(session: Session, names: Iterable[str]) -> dict[str, uuid.UUID]:
    wanted = list({n.lower() for n in names})
    if not wanted:
        return {}
    return dict(session.execute(select(SocialProfile.handle, SocialProfile.user_id)
                                .where(SocialProfile.handle.in_(wanted))).all())


def delete_follow(session: Session, follower: uuid.UUID, followee: uuid.UUID) -> bool:
    gone = session.execute(delete(Follow).where(Follow.follower_id == follower, Follow.followee_id == followee)
                           .returning(Follow.follower_id)).first()
    if gone:
        bump(session, [("account", str(followee), "followers", -1), ("account", str(follower), "following", -1)])
    return gone is not None
