"""Posts (text + entities + attachments, edited with history, deleted), who may see them, threaded comments and
reactions. User text is stored as plain text with parsed entities; nothing is HTML."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from content import gating
from content.models import Upload
from discovery.search import repository as search_outbox
from harmoni.errors import ValidationFailed
from harmoni.settings import Settings
from identity.models import Role, User
from identity.repository import wallets_of
from social import cursor, events, repository, subjects, text
from social.errors import Blocked, HandleTaken, NotAllowed, NotVisible, SubjectNotFound
from social.models import Comment, Post, PostRevision, Reaction, SocialProfile, SubjectType, Visibility

REACTIONS = ("heart", "fire", "clap", "laugh", "wow", "sad")
MAX_POST_CHARS = 5000
MAX_COMMENT_CHARS = 2000


# --- profiles -------------------------------------------------------------------------------------------------

def set_profile(session: Session, user_id: uuid.UUID, handle: str | None, dm_policy: str | None) -> SocialProfile:
    row = repository.profile(session, user_id)
    if row is None and handle is None:
        raise ValidationFailed("choose a handle first (2-30 of a-z, 0-9, _)", field="handle")
    if handle is not None:
        owner = repository.users_by_handle(session, [handle]).get(handle.lower())
        if owner is not None and owner != user_id:
            raise HandleTaken(f"@{handle.lower()} belongs to another account: choose another", field="handle")
    if row is None:
        row = SocialProfile(user_id=user_id, handle=handle.lower())
        session.add(row)
    elif handle is not None:
        row.handle = handle.lower()
    if dm_policy is not None:
        row.dm_policy = dm_policy
    session.flush()
    search_outbox.announce(session, "user", [user_id])
    return row


def is_suspended(session: Session, user_id: uuid.UUID) -> bool:
    row = repository.profile(session, user_id)
    return row is not None and row.suspended_at is not None


# --- visibility -----------------------------------------------------------------------------------------------

def holds_edition(session: Session, settings: Settings, viewer: uuid.UUID, edition_id: int) -> bool:
    """Whether a wallet of `viewer` holds a token of the edition (the mirror's balance, as gated streams check)."""
    return any(gating.mirrored_balance(session, settings.chain_id, edition_id, w.address) > 0
               for w in wallets_of(session, viewer))


def held_editions(session: Session, settings: Settings, viewer: uuid.UUID | None, edition_ids: set[int]) -> set[int]:
    if viewer is None:
        return set()
    return {e for e in edition_ids if holds_edition(session, settings, viewer, e)}


def can_see(session: Session, settings: Settings, viewer: uuid.UUID | None, post: Post) -> bool:
    if post.deleted_at is not None or post.hidden_at is not None or is_suspended(session, post.author_id):
        return False
    if viewer == post.author_id:
        return True
    if viewer is not None and repository.blocked_between(session, viewer, post.author_id):
        return False
    if post.visibility == Visibility.public.value:
        return True
    if viewer is None:
        return False
    if post.visibility == Visibility.followers.value:
        return repository.follows(session, viewer, post.author_id)
    return holds_edition(session, settings, viewer, post.edition_id)


def visible_post(session: Session, settings: Settings, viewer: uuid.UUID | None, post_id: uuid.UUID,
                 field: str = "post_id") -> Post:
    post = session.get(Post, post_id)
    if post is None or post.deleted_at is not None or post.hidden_at is not None:
        raise SubjectNotFound(f"no post {post_id}", field=field)
    if not can_see(session, settings, viewer, post):
        if viewer is not None and repository.blocked_between(session, viewer, post.author_id):
            raise SubjectNotFound(f"no post {post_id}", field=field)
        who = "followers of its author" if post.visibility == "followers" else \
            f"holders of edition {post.edition_id}"
        raise NotVisible(f"post {post_id} is for {who}", field=field, visibility=post.visibility)
    return post


# --- text -----------------------------------------------------------------------------------------------------

def _parsed(session: Session, settings: Settings, body: str, field: str, limit: int) -> tuple[str, list[dict]]:
    body = text.clean(body)
    if not body:
        raise ValidationFailed(f"{field} is empty: write something", field=field)
    if len(body) > limit:
        raise ValidationFailed(f"{field} has {len(body)} characters: at most {limit}", field=field)
    text.check_words(body, settings.social_blocked_words, field)
    found = text.entities(body)
    owners = repository.users_by_handle(session, [e["handle"] for e in found if e["type"] == "mention"])
    for entity in found:
        if entity["type"] == "mention" and entity["handle"] in owners:
            entity["user_id"] = str(owners[entity["handle"]])
    return body, found


def _mentioned(entities: list[dict]) -> set[uuid.UUID]:
    return {uuid.UUID(e["user_id"]) for e in entities if e["type"] == "mention" and "user_id" in e}


def _emit_mentions(session: Session, settings: Settings, author: User, subject_type: str, subject_id: str,
                   mentioned: set[uuid.UUID]) -> None:
    """A mention event per mentioned account; a new account's mention of someone not following it is filtered."""
    new = author.created_at is not None and author.created_at > datetime.now(UTC) - timedelta(
        days=settings.social_new_account_days)
    for user_id in mentioned - {author.id}:
        if repository.blocked_between(session, author.id, user_id):
            continue
        events.emitted(session, "mention", author.id, subject_type, subject_id, recipient_id=user_id,
                       filtered=new and not repository.follows(session, user_id, author.id))


# --- posts ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Attachment:
    type: str  # recording | edition | image
    id: str


def _attachments(session: Session, settings: Settings, author_id: uuid.UUID, items: list[Attachment]) -> list[dict]:
    out = []
    for index, item in enumerate(items):
        field = f"attachments[{index}].id"
        if item.type == "recording":
            subjects.require_recording(session, settings, _int(item.id, field), field)
        elif item.type == "edition":
            subjects.require_edition(session, settings, _int(item.id, field), field)
        else:
            upload = session.get(Upload, subjects.parse_post_id(item.id, field)) if _uuid_ok(item.id) else None
            if upload is None or upload.owner_id != author_id or upload.kind != "artwork":
                raise SubjectNotFound(f"no image upload {item.id} of yours", field=field)
        out.append({"type": item.type, "id": item.id})
    return out


def _int(value: str, field: str) -> int:
    try:
        number = int(value)
    except ValueError as err:
        raise ValidationFailed(f"{field} must be a number", field=field) from err
    if not 0 <= number < 2**63:
        raise SubjectNotFound(f"no such id {value}", field=field)
    return number


def _uuid_ok(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def may_post(settings: Settings, user: User) -> bool:
    return Role.artist.value in user.roles or (settings.social_fans_may_post and Role.fan.value in user.roles)


def create_post(session: Session, settings: Settings, author: User, body: str, visibility: str,
                edition_id: int | None, attachments: list[Attachment]) -> Post:
    if not may_post(settings, author):
        raise NotAllowed("only artists write posts here" + ("" if settings.social_fans_may_post else
                                                           " (fans' posts are switched off)"))
    clean_text, found = _parsed(session, settings, body, "text", MAX_POST_CHARS)
    if visibility == Visibility.holders.value:
        if edition_id is None:
            raise ValidationFailed("a post for holders names the edition they hold: set edition_id",
                                   field="edition_id")
        subjects.require_edition(session, settings, edition_id)
    elif edition_id is not None:
        raise ValidationFailed("edition_id is only for visibility \"holders\"", field="edition_id")
    post = Post(id=uuid.uuid4(), author_id=author.id, text=clean_text, entities=found, visibility=visibility,
                edition_id=edition_id, attachments=_attachments(session, settings, author.id, attachments))
    session.add(post)
    session.flush()
    session.refresh(post)
    repository.bump(session, [("account", str(author.id), "posts", 1)])
    events.emitted(session, "post", author.id, "post", str(post.id), visibility=visibility)
    search_outbox.announce(session, "post", [post.id])
    _emit_mentions(session, settings, author, "post", str(post.id), _mentioned(found))
    return post


def _own_post(session: Session, author: User, post_id: uuid.UUID) -> Post:
    post = session.get(Post, post_id, with_for_update=True)
    if post is None or post.deleted_at is not None:
        raise SubjectNotFound(f"no post {post_id}", field="post_id")
    if post.author_id != author.id:
        raise NotAllowed("only its author edits or deletes a post")
    return post


def edit_post(session: Session, settings: Settings, author: User, post_id: uuid.UUID, body: str) -> Post:
    post = _own_post(session, author, post_id)
    if post.hidden_at is not None:
        raise NotAllowed("a moderator hid this post: it cannot be edited")
    clean_text, found = _parsed(session, settings, body, "text", MAX_POST_CHARS)
    if clean_text == post.text:
        return post
    revision = (session.scalar(select(func.max(PostRevision.revision)).where(PostRevision.post_id == post.id))
                or 0) + 1
    session.add(PostRevision(post_id=post.id, revision=revision, text=post.text, entities=post.entities,
                             written_at=post.edited_at or post.created_at))
    before = _mentioned(post.entities)
    post.text, post.entities, post.edited_at = clean_text, found, datetime.now(UTC)
    session.flush()
    search_outbox.announce(session, "post", [post.id])
    _emit_mentions(session, settings, author, "post", str(post.id), _mentioned(found) - before)
    return post


def revisions(session: Session, settings: Settings, viewer: uuid.UUID | None, post_id: uuid.UUID
              ) -> list[PostRevision]:
    visible_post(session, settings, viewer, post_id)
    return list(session.scalars(select(PostRevision).where(PostRevision.post_id == post_id)
                                .order_by(PostRevision.revision)))


def delete_post(session: Session, author: User, post_id: uuid.UUID) -> None:
    """Delete the post: its text, entities, attachments and history are erased; the row stays as a tombstone."""
    post = _own_post(session, author, post_id)
    remove_post(session, post)


def remove_post(session: Session, post: Post) -> None:
    if post.deleted_at is not None:
        return
    session.execute(delete(PostRevision).where(PostRevision.post_id == post.id))
    post.text, post.entities, post.attachments, post.deleted_at = "", [], [], datetime.now(UTC)
    session.flush()
    search_outbox.announce(session, "post", [post.id])
    repository.bump(session, [("account", str(post.author_id), "posts", -1)])


# --- comments -------------------------------------------------------------------------------------------------

def _comment_subject(session: Session, settings: Settings, viewer: uuid.UUID | None, subject_type: str,
                     subject_id: str) -> uuid.UUID | None:
    """The subject's author (None for a recording) after checking the viewer may see it."""
    if subject_type == SubjectType.recording.value:
        subjects.require_recording(session, settings, int(subject_id))
        return None
    return visible_post(session, settings, viewer, subjects.parse_post_id(subject_id)).author_id


def add_comment(session: Session, settings: Settings, author: User, subject_type: str, subject_id: str, body: str,
                parent_id: uuid.UUID | None, at: str | None) -> Comment:
    owner = _comment_subject(session, settings, author.id, subject_type, subject_id)
    if owner is not None and repository.blocked_between(session, author.id, owner):
        raise Blocked("you cannot comment here")
    try:
        at_seconds = text.seconds_at(at)
    except ValueError as err:
        raise ValidationFailed(str(err), field="at") from err
    if at_seconds is not None and subject_type != SubjectType.recording.value:
        raise ValidationFailed("`at` points into a track: only comments on recordings have one", field="at")
    parent = None
    if parent_id is not None:
        parent = session.get(Comment, parent_id)
        if parent is None or (parent.subject_type, parent.subject_id) != (subject_type, subject_id):
            raise SubjectNotFound(f"no comment {parent_id} on this {subject_type}", field="parent_id")
        if parent.deleted_at is not None or parent.hidden_at is not None:
            raise SubjectNotFound(f"comment {parent_id} was removed", field="parent_id")
        if repository.blocked_between(session, author.id, parent.author_id):
            raise Blocked("you cannot reply to this account", field="parent_id")
    clean_text, found = _parsed(session, settings, body, "text", MAX_COMMENT_CHARS)
    comment = Comment(id=uuid.uuid4(), subject_type=subject_type, subject_id=subject_id, author_id=author.id,
                      parent_id=parent_id, root_id=(parent.root_id or parent.id) if parent else None,
                      text=clean_text, entities=found, at_seconds=at_seconds)
    session.add(comment)
    session.flush()
    session.refresh(comment)
    repository.bump(session, [(subject_type, subject_id, "comments", 1)])
    events.emitted(session, "comment", author.id, subject_type, subject_id, recipient_id=owner,
                   comment_id=str(comment.id))
    if parent is not None and parent.author_id != author.id:
        events.emitted(session, "reply", author.id, "comment", str(parent.id), recipient_id=parent.author_id,
                       comment_id=str(comment.id))
    _emit_mentions(session, settings, author, "comment", str(comment.id), _mentioned(found))
    return comment


def delete_comment(session: Session, author: User, comment_id: uuid.UUID) -> None:
    comment = session.get(Comment, comment_id, with_for_update=True)
    if comment is None or comment.deleted_at is not None:
        raise SubjectNotFound(f"no comment {comment_id}", field="comment_id")
    if comment.author_id != author.id:
        raise NotAllowed("only its author deletes a comment")
    remove_comment(session, comment)


def remove_comment(session: Session, comment: Comment) -> None:
    if comment.deleted_at is not None:
        return
    comment.text, comment.entities, comment.deleted_at = "", [], datetime.now(UTC)
    session.flush()
    repository.bump(session, [(comment.subject_type, comment.subject_id, "comments", -1)])


@dataclass(frozen=True)
class Thread:
    comment: Comment
    replies: list[Comment]


def threads(session: Session, settings: Settings, viewer: uuid.UUID | None, subject_type: str, subject_id: str,
            after: str | None, limit: int) -> tuple[list[Thread], str | None]:
    """Threads oldest first, each with all its replies (oldest first); blocked, muted, suspended authors left out,
    removed comments kept as empty placeholders so a thread's shape survives."""
    _comment_subject(session, settings, viewer, subject_type, subject_id)
    query = select(Comment).where(Comment.subject_type == subject_type, Comment.subject_id == subject_id,
                                  Comment.root_id.is_(None))
    query = query.where(Comment.author_id.not_in(repository.excluded_accounts(viewer)))
    position = cursor.decode(after)
    if position is not None:
        query = query.where(tuple_(Comment.created_at, Comment.id) > tuple_(position[0], cursor.uuid_key(position[1])))
    roots = list(session.scalars(query.order_by(Comment.created_at, Comment.id).limit(limit + 1)))
    more, roots = len(roots) > limit, roots[:limit]
    replies: dict[uuid.UUID, list[Comment]] = {r.id: [] for r in roots}
    if roots:
        reply_query = select(Comment).where(Comment.root_id.in_(list(replies)))
        reply_query = reply_query.where(Comment.author_id.not_in(repository.excluded_accounts(viewer)))
        for reply in session.scalars(reply_query.order_by(Comment.created_at, Comment.id)):
            replies[reply.root_id].append(reply)
    next_cursor = cursor.encode(roots[-1].created_at, str(roots[-1].id)) if more else None
    return [Thread(r, replies[r.id]) for r in roots], next_cursor


# --- reactions ------------------------------------------------------------------------------------------------

def _reaction_subject(session: Session, settings: Settings, viewer: uuid.UUID, subject_type: str,
                      subject_id: uuid.UUID) -> uuid.UUID:
    if subject_type == SubjectType.post.value:
        return visible_post(session, settings, viewer, subject_id).author_id
    comment = session.get(Comment, subject_id)
    if comment is None or comment.deleted_at is not None or comment.hidden_at is not None:
        raise SubjectNotFound(f"no comment {subject_id}", field="comment_id")
    _comment_subject(session, settings, viewer, comment.subject_type, comment.subject_id)
    return comment.author_id


def react(session: Session, settings: Settings, user_id: uuid.UUID, subject_type: str, subject_id: uuid.UUID,
          emoji: str) -> bool:
    author = _reaction_subject(session, settings, user_id, subject_type, subject_id)
    if repository.blocked_between(session, user_id, author):
        raise Blocked("you cannot react to this account's content")
    created = session.execute(insert(Reaction).values(user_id=user_id, subject_type=subject_type,
                                                      subject_id=str(subject_id), emoji=emoji)
                              .on_conflict_do_nothing().returning(Reaction.user_id)).first()
    if created:
        repository.bump(session, [(subject_type, str(subject_id), f"reaction:{emoji}", 1)])
        events.emitted(session, "reaction", user_id, subject_type, str(subject_id), recipient_id=author,
                       emoji=emoji)
    return created is not None


def unreact(session: Session, user_id: uuid.UUID, subject_type: str, subject_id: uuid.UUID, emoji: str) -> bool:
    gone = session.execute(delete(Reaction).where(Reaction.user_id == user_id, Reaction.subject_type == subject_type,
                                                  Reaction.subject_id == str(subject_id), Reaction.emoji == emoji)
                           .returning(Reaction.user_id)).first()
    if gone:
        repository.bump(session, [(subject_type, str(subject_id), f"reaction:{emoji}", -1)])
    return gone is not None


def reaction_counts(session: Session, subject_type: str, ids: list[str]) -> dict[str, dict[str, int]]:
    found = repository.counts(session, subject_type, ids, [f"reaction:{e}" for e in REACTIONS])
    return {i: {e: found[(i, f"reaction:{e}")] for e in REACTIONS if found[(i, f"reaction:{e}")]} for i in ids}
