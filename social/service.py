"""What the endpoints call: the graph's writes with the feed caches they make stale, releases, counts."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.orm import Session

from harmoni.settings import Settings
from identity.models import User
from social import events, feed, graph, posts, repository


def follow(session: Session, settings: Settings, user: User, other: uuid.UUID) -> bool:
    created = graph.follow(session, user.id, other)
    if created:
        feed.forget(session, settings, user.id)
    return created


def unfollow(session: Session, settings: Settings, user: User, other: uuid.UUID) -> bool:
    gone = graph.unfollow(session, user.id, other)
    if gone:
        feed.forget(session, settings, user.id)
    return gone


def block(session: Session, settings: Settings, user: User, other: uuid.UUID) -> bool:
    created = graph.block(session, user.id, other)
    feed.forget(session, settings, user.id, other)
    return created


def unblock(session: Session, settings: Settings, user: User, other: uuid.UUID) -> bool:
    gone = graph.unblock(session, user.id, other)
    feed.forget(session, settings, user.id, other)
    return gone


def mute(session: Session, settings: Settings, user: User, other: uuid.UUID) -> bool:
    created = graph.mute(session, user.id, other)
    feed.forget(session, settings, user.id)
    return created


def unmute(session: Session, settings: Settings, user: User, other: uuid.UUID) -> bool:
    gone = graph.unmute(session, user.id, other)
    feed.forget(session, settings, user.id)
    return gone


def unrepost(session: Session, settings: Settings, user: User, subject_type: str, subject_id: str) -> bool:
    gone = graph.unrepost(session, user.id, subject_type, subject_id)
    if gone:  # the subject may now show under another reposter, in anyone's feed
        feed.forget_everyone(session, settings)
    return gone


def delete_post(session: Session, settings: Settings, user: User, post_id: uuid.UUID) -> None:
    posts.delete_post(session, user, post_id)
    feed.forget_everyone(session, settings)


def account_counts(session: Session, user_id: uuid.UUID) -> dict[str, int]:
    names = ("followers", "following", "posts", "likes")
    found = repository.counts(session, "account", [str(user_id)], names)
    return {name: found[(str(user_id), name)] for name in names}


SUBJECT_COUNTERS = ("likes", "reposts", "comments")


def subject_counts(session: Session, subject_type: str, subject_ids: list[str]) -> dict[str, dict[str, int]]:
    found = repository.counts(session, subject_type, subject_ids, SUBJECT_COUNTERS)
    return {i: {n: found[(i, n)] for n in SUBJECT_COUNTERS} for i in subject_ids}


def recording_social(session: Session, settings: Settings, viewer: uuid.UUID | None, asset_id: int) -> dict:
    """A recording's counts, its artist's account (once released), and whether the viewer liked or reposted it."""
    from sqlalchemy import select

    from social import subjects
    from social.models import Like, Release, Repost

    subjects.require_recording(session, settings, asset_id)
    key = str(asset_id)
    artist_id = session.scalar(select(Release.artist_id).where(Release.chain_id == settings.chain_id,
                                                               Release.asset_id == asset_id))
    mine = None
    if viewer is not None:
        def has(model, user_column) -> bool:
            return session.scalar(select(user_column).where(user_column == viewer, model.subject_type == "recording",
                                                            model.subject_id == key).limit(1)) is not None
        mine = {"liked": has(Like, Like.user_id), "reposted": has(Repost, Repost.user_id)}
    return {"asset_id": asset_id, "artist_id": artist_id,
            "artist_handle": repository.handles(session, [artist_id]).get(artist_id) if artist_id else None,
            "counts": subject_counts(session, "recording", [key])[key], "viewer": mine}


def sync_releases(session: Session, settings: Settings) -> int:
    """Make every registered recording whose controller is a wallet of an account a release of that account
    (once: later controller changes do not move it). Returns how many are new; each emits a `release` event."""
    rows = session.execute(text("""
        insert into social_releases (chain_id, asset_id, artist_id)
        select a.chain_id, a.asset_id, w.user_id from assets a
        join wallets w on lower(w.address) = lower(a.controller) and w.user_id is not null
        where a.chain_id = :chain_id and a.kind = 'recording'
        on conflict do nothing
        returning asset_id, artist_id"""), {"chain_id": settings.chain_id}).all()
    for asset_id, artist_id in rows:
        events.emitted(session, "release", artist_id, "recording", str(asset_id))
    return len(rows)
