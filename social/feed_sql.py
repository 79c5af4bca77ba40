"""The feed's one SQL query: newest posts, first reposts and releases of a set of accounts, cut to one page.

Each kind of item is its own branch, cut to the page (cursor, mark, limit) before the branches are merged, so the
merge sorts at most 3 x limit rows. A branch reads in one of two shapes, chosen from how many accounts the reader
follows (counted up to a bound, off the follows' primary key):

- `lateral`: per followee, its newest rows off the (author, time) index, `limit` each (a few followees);
- `scan`: everyone's rows newest first off the time index, kept when the author is a followee (a semi-join on
  the follows' primary key), stopping at `limit` (many followees: most recent rows are theirs).

A repost is shown under the first followee who reposted its subject: a repost is kept when no earlier repost of
the same subject by a followee exists (an anti-join on the subject's index), checked before the limit, so a page
never comes up short.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    String,
    Uuid,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    outerjoin,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from harmoni.settings import Settings
from social import posts, repository
from social.models import Follow, Post, Release, Repost, Visibility

LATERAL_MAX_FOLLOWEES = 20  # above this many followees, one scan newest first beats a probe per followee
COLUMNS = ("kind", "key", "actor_id", "at", "subject_type", "subject_id", "comment")


def followees(viewer: uuid.UUID):
    return select(Follow.followee_id).where(Follow.follower_id == viewer)


def shape_for(session: Session, viewer: uuid.UUID) -> str:
    """`lateral` for a reader of few accounts, `scan` for one of many."""
    counted = select(Follow.followee_id).where(Follow.follower_id == viewer).limit(LATERAL_MAX_FOLLOWEES + 1)
    many = session.scalar(select(func.count()).select_from(counted.subquery())) > LATERAL_MAX_FOLLOWEES
    return "scan" if many else "lateral"


def post_visible(viewer: uuid.UUID | None, held: set[int], viewer_follows_author, post=Post):
    """SQL condition: the viewer may see a post of `post`'s row (its author's follow status given)."""
    clauses = [post.visibility == Visibility.public.value]
    if viewer is not None:
        clauses.append(post.author_id == viewer)
        clauses.append(and_(post.visibility == Visibility.followers.value, viewer_follows_author))
        if held:
            clauses.append(and_(post.visibility == Visibility.holders.value, post.edition_id.in_(held)))
    return and_(post.deleted_at.is_(None), post.hidden_at.is_(None), or_(*clauses))


def _followed_by(viewer: uuid.UUID | None, author):
    if viewer is None:
        return false()
    return author.in_(followees(viewer))


def _held(session: Session, settings: Settings, viewer: uuid.UUID | None, actors) -> set[int]:
    if viewer is None:
        return set()
    gated = set(session.scalars(select(Post.edition_id).distinct().where(
        Post.author_id.in_(actors), Post.visibility == Visibility.holders.value, Post.deleted_at.is_(None))))
    return posts.held_editions(session, settings, viewer, gated)


def _labelled(*values):
    return [value.label(name) for value, name in zip(values, COLUMNS, strict=True)]


def _window(query, at, key, before: tuple[datetime, str] | None, since: datetime | None, limit: int):
    """The newest `limit` rows of one branch within the page, in the merged order (time, then key)."""
    if before is not None:
        query = query.where(or_(at < before[0], and_(at == before[0], key < before[1])))
    if since is not None:
        query = query.where(at >= since)
    return query.order_by(at.desc(), key.desc()).limit(limit)


def _branch(columns, source, conditions, actor, at, key, actors, shape: str, page) -> object:
    """One kind of item of `actors`, in the shape asked for, cut to the page."""
    rows = select(*columns).select_from(source)
    if shape == "scan":
        return _window(rows.where(actor.in_(actors), *conditions), at, key, *page)
    who = actors.subquery("who")
    inner = _window(rows.where(actor == next(iter(who.c)), *conditions), at, key, *page).lateral()
    return select(*inner.c).select_from(who).join(inner, true())


def query_items(session: Session, settings: Settings, viewer: uuid.UUID | None, actors, *, actors_followed: bool,
                shape: str = "lateral", before: tuple[datetime, str] | None = None, since: datetime | None = None,
                limit: int = 30) -> list:
    """Rows (COLUMNS) of the newest items of `actors` (a select of user ids) `viewer` may see, newest first."""
    held = _held(session, settings, viewer, actors)
    excluded = repository.excluded_accounts(viewer)
    page = (before, since, limit)
    post_key = "post:" + cast(Post.id, String)
    post_rows = _branch(
        _labelled(literal("post"), post_key, Post.author_id, Post.created_at, literal("post"),
                  cast(Post.id, String), literal(None, String)),
        Post, [Post.author_id.not_in(excluded),
         post_visible(viewer, held, true() if actors_followed else _followed_by(viewer, Post.author_id))],
        Post.author_id, Post.created_at, post_key, actors, shape, page)
    earlier, reposted = aliased(Repost), aliased(Post)
    is_first = ~select(earlier.id).where(
        earlier.subject_type == Repost.subject_type, earlier.subject_id == Repost.subject_id,
        tuple_(earlier.created_at, earlier.id) < tuple_(Repost.created_at, Repost.id),
        earlier.user_id.in_(actors), earlier.user_id.not_in(excluded)).exists()
    # A reposted post joins by its primary key, row by row (as a subquery the planner hashed every post); the
    # CASE casts only post ids (a recording's id is no UUID).
    with_post = outerjoin(Repost, reposted, reposted.id == case((Repost.subject_type == "post",
                                                                cast(Repost.subject_id, Uuid))))
    reposted_post_ok = and_(reposted.id.is_not(None), reposted.author_id.not_in(excluded),
                            post_visible(viewer, held, _followed_by(viewer, reposted.author_id), reposted))
    repost_key = "repost:" + cast(Repost.id, String)
    repost_rows = _branch(
        _labelled(literal("repost"), repost_key, Repost.user_id, Repost.created_at, Repost.subject_type,
                  Repost.subject_id, Repost.comment),
        with_post, [Repost.user_id.not_in(excluded), is_first, or_(Repost.subject_type != "post", reposted_post_ok)],
        Repost.user_id, Repost.created_at, repost_key, actors, shape, page)
    release_key = "release:" + cast(Release.asset_id, String)
    release_rows = _branch(
        _labelled(literal("release"), release_key, Release.artist_id, Release.released_at, literal("recording"),
                  cast(Release.asset_id, String), literal(None, String)),
        Release, [Release.chain_id == settings.chain_id, Release.artist_id.not_in(excluded)],
        Release.artist_id, Release.released_at, release_key, actors, shape, page)
    merged = union_all(post_rows, repost_rows, release_rows).subquery()
    query = select(merged)
    if before is not None:
        query = query.where(tuple_(merged.c.at, merged.c.key) < tuple_(before[0], before[1]))
    if since is not None:
        query = query.where(merged.c.at >= since)
    return session.execute(query.order_by(merged.c.at.desc(), merged.c.key.desc()).limit(limit)).all()
