"""Signals discovery reads from other areas: likes and reposts (`social/`), genres (the catalog's metadata
documents), and what moderation took away (frozen recordings, suspended artists, blocks).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Engagement:
    """One account's likes and reposts of one recording within a window, and when the newest was."""

    listener_id: uuid.UUID
    asset_id: int
    likes: int
    reposts: int
    last_at: datetime
    artist: str | None = None  # the recording's controller


# Likes and reposts of unfrozen recordings since :since, one row per (account, recording); an account holding the
# controller's or a payee's wallet never counts for its own recording, nor does a suspended account.
_ENGAGEMENT = text("""
    with e as (
        select user_id, subject_id, 1 as likes, 0 as reposts, created_at from social_likes
        where subject_type = 'recording' and created_at >= :since
        union all
        select user_id, subject_id, 0, 1, created_at from social_reposts
        where subject_type = 'recording' and created_at >= :since)
    select e.user_id, a.asset_id, sum(e.likes) as likes, sum(e.reposts) as reposts, max(e.created_at) as last_at,
           a.controller
    from e join assets a on a.chain_id = :chain_id
                         and a.asset_id = case when e.subject_id ~ '^[0-9]{1,18}$' then e.subject_id::bigint end
    where a.kind = 'recording' and not a.frozen
      and not exists (select 1 from social_profiles sp where sp.user_id = e.user_id and sp.suspended_at is not null)
      and not exists (
          select 1 from wallets w
          where w.user_id = e.user_id
            and (lower(w.address) = lower(a.controller)
                 or exists (select 1 from unnest(a.split_recipients) r where lower(r) = lower(w.address))))
    group by e.user_id, a.asset_id, a.controller
""")

_GENRES = text("""
    select a.asset_id, m.document -> 'genres' as genres
    from assets a join asset_metadata m on m.metadata_uri = a.metadata_uri
    where a.chain_id = :chain_id and a.kind = 'recording' and jsonb_typeof(m.document -> 'genres') = 'array'
""")

# Recordings whose controller wallet belongs to a suspended account: moderation took the artist away.
_SUSPENDED_ARTISTS = text("""
    select a.asset_id from assets a
    join wallets w on lower(w.address) = lower(a.controller)
    join social_profiles sp on sp.user_id = w.user_id
    where a.chain_id = :chain_id and a.kind = 'recording' and sp.suspended_at is not null
""")

# Recordings of artists the listener blocked or who blocked the listener.
_BLOCKED = text("""
    select a.asset_id from assets a
    join wallets w on lower(w.address) = lower(a.controller)
    join social_blocks b on (b.blocker_id = :listener and b.blocked_id = w.user_id)
                         or (b.blocked_id = :listener and b.blocker_id = w.user_id)
    where a.chain_id = :chain_id and a.kind = 'recording'
""")


def engagement_since(db: Session, chain_id: int, since: datetime) -> list[Engagement]:
    """Per-account like/repost counts of recordings since `since` (payees and suspended accounts left out)."""
    rows = db.execute(_ENGAGEMENT, {"chain_id": chain_id, "since": since})
    return [Engagement(r.user_id, r.asset_id, int(r.likes), int(r.reposts), r.last_at, r.controller) for r in rows]


def recording_genres(db: Session, chain_id: int) -> dict[int, list[str]]:
    """Genre slugs of each recording (asset id), as its metadata document lists them (known slugs only)."""
    from discovery import vocabulary

    out: dict[int, list[str]] = {}
    for asset_id, genres in db.execute(_GENRES, {"chain_id": chain_id}):
        known = [g for g in dict.fromkeys(genres) if isinstance(g, str) and g in vocabulary.GENRE_SLUGS]
        if known:
            out[asset_id] = known
    return out


def hidden_recordings(db: Session, chain_id: int, listener_id: uuid.UUID | None = None) -> set[int]:
    """Recordings nobody is shown (their artist is suspended) and, for a listener, those of artists on either
    side of a block with them. Frozen recordings are left out by every query already."""
    hidden = set(db.scalars(_SUSPENDED_ARTISTS, {"chain_id": chain_id}))
    if listener_id is not None:
        hidden |= set(db.scalars(_BLOCKED, {"chain_id": chain_id, "listener": listener_id}))
    return hidden
