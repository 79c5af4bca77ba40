"""Rows to API shapes, in batches (one query per kind of detail for a whole page)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from social import repository
from social.feed import FeedPage
from social.models import Comment, Post
from social.posts import REACTIONS, Thread, reaction_counts
from social.schemas import CommentOut, FeedItemOut, FeedPageOut, PostOut, SubjectCounts, ThreadOut, ThreadPageOut
from social.service import SUBJECT_COUNTERS


def posts_out(session: Session, rows: list[Post], names: dict[uuid.UUID, str] | None = None) -> list[PostOut]:
    """Posts with their authors' handles (`names` when the caller has them), counts and reactions: one query for
    the handles, one for every counter."""
    ids = [str(p.id) for p in rows]
    names = repository.handles(session, [p.author_id for p in rows]) if names is None else names
    found = repository.counts(session, "post", ids, [*SUBJECT_COUNTERS, *(f"reaction:{e}" for e in REACTIONS)])
    counts = {i: {n: found[(i, n)] for n in SUBJECT_COUNTERS} for i in ids}
    reactions = {i: {e: found[(i, f"reaction:{e}")] for e in REACTIONS if found[(i, f"reaction:{e}")]} for i in ids}
    return [PostOut(id=p.id, author_id=p.author_id, author_handle=names.get(p.author_id), text=p.text,
                    entities=p.entities, attachments=p.attachments, visibility=p.visibility, edition_id=p.edition_id,
                    created_at=p.created_at, edited_at=p.edited_at, counts=SubjectCounts(**counts[str(p.id)]),
                    reactions=reactions[str(p.id)]) for p in rows]


def post_out(session: Session, row: Post) -> PostOut:
    return posts_out(session, [row])[0]


def comments_out(session: Session, rows: list[Comment]) -> list[CommentOut]:
    names = repository.handles(session, [c.author_id for c in rows])
    reactions = reaction_counts(session, "comment", [str(c.id) for c in rows])
    out = []
    for c in rows:
        removed = c.deleted_at is not None or c.hidden_at is not None
        out.append(CommentOut(id=c.id, author_id=c.author_id, author_handle=names.get(c.author_id),
                              parent_id=c.parent_id, text="" if removed else c.text,
                              entities=[] if removed else c.entities, at_seconds=c.at_seconds,
                              created_at=c.created_at, removed=removed, reactions=reactions[str(c.id)]))
    return out


def threads_out(session: Session, threads: list[Thread], next_cursor: str | None) -> ThreadPageOut:
    flat = comments_out(session, [c for t in threads for c in (t.comment, *t.replies)])
    by_id = {c.id: c for c in flat}
    return ThreadPageOut(items=[ThreadOut(comment=by_id[t.comment.id], replies=[by_id[r.id] for r in t.replies])
                                for t in threads], next_cursor=next_cursor)


def feed_out(session: Session, page: FeedPage) -> FeedPageOut:
    post_ids = [uuid.UUID(i.subject_id) for i in page.items if i.subject_type == "post"]
    rows = list(session.scalars(select(Post).where(Post.id.in_(post_ids)))) if post_ids else []
    names = repository.handles(session, [*(uuid.UUID(i.actor_id) for i in page.items), *(p.author_id for p in rows)])
    rendered = {p.id: p for p in posts_out(session, rows, names)}
    items = [FeedItemOut(kind=i.kind, key=i.key, actor_id=uuid.UUID(i.actor_id),
                         actor_handle=names.get(uuid.UUID(i.actor_id)), at=i.at, subject_type=i.subject_type,
                         subject_id=i.subject_id, comment=i.comment,
                         post=rendered.get(uuid.UUID(i.subject_id)) if i.subject_type == "post" else None)
             for i in page.items]
    return FeedPageOut(items=items, next_cursor=page.next_cursor)
