"""Home feeds, profile timelines and a recording's activity, merged at read time.

One SQL query over the followees gives the newest items (their posts, releases, and reposts, a subject reposted by
several followees shown once under the first); nothing is written per follower when an artist posts, so an
account with a million followers costs its followers nothing until they read. Active readers' first pages are
cached in Redis (a bounded list per account): a read asks SQL only for items newer than the cache's mark (minus an
overlap for transactions that committed late), and not at all within `HARMONI_SOCIAL_FEED_CACHE_FRESH_S` of the
last top-up (new items show that much later at most: a reader polling fast costs SQL once per interval); the cache
is dropped when the reader's graph changes or when content anyone may have cached goes away (deleted, hidden,
un-reposted, suspended: a global epoch). A cold reader, or a page past the cache, is served by the same SQL query.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import redis
from sqlalchemy import String, cast, event, literal, select, tuple_, union_all
from sqlalchemy.orm import Session

from harmoni.settings import Settings
from social import cursor, feed_sql, posts, repository
from social.models import Comment, Like, Repost

LATE_COMMIT_OVERLAP = timedelta(seconds=60)
PREFIX = "harmoni:social:feed:"
EPOCH_KEY = PREFIX + "epoch"


@dataclass(frozen=True)
class FeedItem:
    kind: str  # post | repost | release
    key: str  # unique per item, the order's tie-breaker
    actor_id: str  # who posted, reposted or released
    at: datetime
    subject_type: str  # post | recording | edition
    subject_id: str
    comment: str | None = None  # a repost's comment

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "at": self.at.isoformat()})

    @classmethod
    def from_json(cls, raw: str | bytes) -> FeedItem:
        data = json.loads(raw)
        return cls(**{**data, "at": datetime.fromisoformat(data["at"])})


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next_cursor: str | None
    source: str  # cache | sql


def query_items(session: Session, settings: Settings, viewer: uuid.UUID | None, actors, *, actors_followed: bool,
                shape: str = "lateral", before: tuple[datetime, str] | None = None, since: datetime | None = None,
                limit: int = 30) -> list[FeedItem]:
    """Newest items of `actors` (a select of user ids) that `viewer` may see, in (at, key) descending order."""
    rows = feed_sql.query_items(session, settings, viewer, actors, actors_followed=actors_followed, shape=shape,
                                before=before, since=since, limit=limit)
    return [FeedItem(r.kind, r.key, str(r.actor_id), r.at, r.subject_type, r.subject_id, r.comment) for r in rows]


def _home_items(session: Session, settings: Settings, viewer: uuid.UUID, **window) -> list[FeedItem]:
    return query_items(session, settings, viewer, feed_sql.followees(viewer), actors_followed=True,
                       shape=feed_sql.shape_for(session, viewer), **window)


def _page(items: list[FeedItem], limit: int, source: str) -> FeedPage:
    more, items = len(items) > limit, items[:limit]
    return FeedPage(items, cursor.encode(items[-1].at, items[-1].key) if more else None, source)


# --- the cache ------------------------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)


def _db_now(session: Session) -> datetime:
    from sqlalchemy import func

    return session.scalar(select(func.now()))


def _cached_items(session: Session, settings: Settings, viewer: uuid.UUID) -> list[FeedItem] | None:
    """The viewer's newest `social_feed_cache_items` items, from and into the cache; None without Redis."""
    if not settings.redis_url:
        return None
    client, key = _redis(settings.redis_url), f"{PREFIX}{viewer}"
    size, ttl = settings.social_feed_cache_items, settings.social_feed_cache_ttl_s
    try:
        with client.pipeline(transaction=False) as pipe:  # one round trip: the epoch, the mark, the items
            epoch, meta, raw = pipe.get(EPOCH_KEY).hgetall(key + ":meta").lrange(key, 0, -1).execute()
        epoch = int(epoch or 0)
        current = bool(meta) and int(meta[b"epoch"]) == epoch
        if current and time.time() - float(meta.get(b"checked", 0)) < settings.social_feed_cache_fresh_s:
            return [FeedItem.from_json(item) for item in raw]  # topped up a moment ago: Redis alone answers
        now = _db_now(session)
        changed = True
        if current:
            mark = datetime.fromisoformat(meta[b"mark"].decode())
            fresh = _home_items(session, settings, viewer, since=mark - LATE_COMMIT_OVERLAP, limit=size)
            known = [FeedItem.from_json(item) for item in raw]
            by_key = {item.key: item for item in known}
            changed = any(by_key.get(item.key) != item for item in fresh)
            by_key |= {item.key: item for item in fresh}
            items = sorted(by_key.values(), key=lambda i: (i.at, i.key), reverse=True)[:size] if changed else known
        else:
            items = _home_items(session, settings, viewer, limit=size)
        with client.pipeline() as pipe:
            if changed:  # nothing new (the usual read of an active reader): only the mark moves
                pipe.delete(key)
                if items:
                    pipe.rpush(key, *[item.to_json() for item in items])
            pipe.hset(key + ":meta", mapping={"epoch": epoch, "mark": now.isoformat(), "checked": time.time(),
                                              "complete": int(len(items) < size)})
            pipe.expire(key, ttl)
            pipe.expire(key + ":meta", ttl)
            # The epoch may have moved while we read: then what we stored is stale, drop it.
            pipe.get(EPOCH_KEY)
            *_, after = pipe.execute()
        if int(after or 0) != epoch:
            client.delete(key, key + ":meta")
        return items
    except redis.RedisError:
        return None  # the SQL path serves; a cache outage is no feed outage


def home(session: Session, settings: Settings, viewer: uuid.UUID, after: str | None, limit: int,
         use_cache: bool = True) -> FeedPage:
    """The viewer's home feed page after `after` (a cursor), newest first."""
    position = cursor.decode(after)
    cached = _cached_items(session, settings, viewer) if use_cache else None
    if cached is not None:
        start = 0 if position is None else next(
            (i for i, item in enumerate(cached) if (item.at, item.key) < position), len(cached))
        window = cached[start:start + limit + 1]
        if len(window) == limit + 1 or len(cached) < settings.social_feed_cache_items:
            return _page(window, limit, "cache")
    items = _home_items(session, settings, viewer, before=position, limit=limit + 1)
    return _page(items, limit, "sql")


def timeline(session: Session, settings: Settings, viewer: uuid.UUID | None, user_id: uuid.UUID,
             after: str | None, limit: int) -> FeedPage:
    """One account's posts, reposts and releases as `viewer` may see them."""
    from social.errors import SubjectNotFound

    if not repository.user_exists(session, user_id) or posts.is_suspended(session, user_id) or (
            viewer is not None and repository.blocked_between(session, viewer, user_id)):
        raise SubjectNotFound(f"no account {user_id}", field="user_id")
    actors = select(literal(user_id))
    items = query_items(session, settings, viewer, actors, actors_followed=False, before=cursor.decode(after),
                        limit=limit + 1)
    return _page(items, limit, "sql")


@dataclass(frozen=True)
class Activity:
    kind: str  # comment | like | repost
    key: str
    actor_id: str
    at: datetime
    comment_id: str | None
    text: str | None


def recording_activity(session: Session, settings: Settings, viewer: uuid.UUID | None, asset_id: int,
                       after: str | None, limit: int) -> tuple[list[Activity], str | None]:
    from social import subjects

    subjects.require_recording(session, settings, asset_id)
    sid = str(asset_id)
    excluded = repository.excluded_accounts(viewer)
    comments = select(literal("comment").label("kind"), ("comment:" + cast(Comment.id, String)).label("key"),
                      Comment.author_id.label("actor_id"), Comment.created_at.label("at"),
                      cast(Comment.id, String).label("comment_id"), Comment.text.label("text")).where(
        Comment.subject_type == "recording", Comment.subject_id == sid, Comment.deleted_at.is_(None),
        Comment.hidden_at.is_(None), Comment.author_id.not_in(excluded))
    likes = select(literal("like"), "like:" + cast(Like.user_id, String), Like.user_id, Like.created_at,
                   literal(None, String), literal(None, String)).where(
        Like.subject_type == "recording", Like.subject_id == sid, Like.user_id.not_in(excluded))
    reposts = select(literal("repost"), "repost:" + cast(Repost.id, String), Repost.user_id, Repost.created_at,
                     literal(None, String), Repost.comment).where(
        Repost.subject_type == "recording", Repost.subject_id == sid, Repost.user_id.not_in(excluded))
    merged = union_all(comments, likes, reposts).subquery()
    query = select(merged)
    position = cursor.decode(after)
    if position is not None:
        query = query.where(tuple_(merged.c.at, merged.c.key) < tuple_(*position))
    rows = session.execute(query.order_by(merged.c.at.desc(), merged.c.key.desc()).limit(limit + 1)).all()
    more, rows = len(rows) > limit, rows[:limit]
    items = [Activity(r.kind, r.key, str(r.actor_id), r.at, r.comment_id, r.text) for r in rows]
    return items, cursor.encode(rows[-1].at, rows[-1].key) if more else None


# --- invalidation, after the commit ---------------------------------------------------------------------------

def _after_commit(session: Session, settings: Settings, action) -> None:
    if not settings.redis_url:
        return

    def run(_session: Session) -> None:
        with contextlib.suppress(redis.RedisError):  # the cache then expires by itself (its TTL)
            action(_redis(settings.redis_url))

    event.listen(session, "after_commit", run, once=True)


def forget(session: Session, settings: Settings, *user_ids: uuid.UUID) -> None:
    """Drop these readers' cached feeds once the transaction commits (their graph changed)."""
    keys = [f"{PREFIX}{u}{suffix}" for u in user_ids for suffix in ("", ":meta")]
    _after_commit(session, settings, lambda client: client.delete(*keys))


def forget_everyone(session: Session, settings: Settings) -> None:
    """Content anyone may have cached went away (deleted, hidden, un-reposted): every cache rebuilds."""
    _after_commit(session, settings, lambda client: client.incr(EPOCH_KEY))
