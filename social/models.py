"""The social layer's tables: profiles and counters, the graph's edges, posts, comments, releases, direct
messages and moderation reports.

Every edge has the natural key as its primary key, so the same follow (like, repost, block...) twice is one row;
counters live in `social_counters`, one row per (subject, counter), changed by `n = n + delta` in the
transaction that adds or removes the edge.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base


class SubjectType(StrEnum):
    recording = "recording"
    edition = "edition"
    post = "post"
    comment = "comment"
    account = "account"
    message = "message"


class Visibility(StrEnum):
    public = "public"
    followers = "followers"
    holders = "holders"  # holders of an edition (token-gated)


class DmPolicy(StrEnum):
    everyone = "everyone"
    followers = "followers"  # accounts the recipient follows
    nobody = "nobody"


def _known(column: str, values) -> str:
    return f"{column} in ({', '.join(repr(v.value) for v in values)})"


def _now_column() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class SocialProfile(Base):
    """An account's public name for mentions (`@handle`), who may message it, and whether it is suspended."""

    __tablename__ = "social_profiles"
    __table_args__ = (
        CheckConstraint("handle ~ '^[a-z0-9_]{2,30}$'", name="handle_format"),
        CheckConstraint(_known("dm_policy", DmPolicy), name="dm_policy_known"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    handle: Mapped[str] = mapped_column(String(30), unique=True)
    dm_policy: Mapped[str] = mapped_column(String(16), server_default=DmPolicy.everyone.value)
    suspended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now_column()


class SocialCounter(Base):
    """One exact count: (`account`, user id, `followers`), (`post`, id, `likes`), (`recording`, 7, `reposts`)."""

    __tablename__ = "social_counters"

    subject_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    counter: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, server_default="0")


class Follow(Base):
    __tablename__ = "social_follows"
    __table_args__ = (CheckConstraint("follower_id <> followee_id", name="not_self"),
                      Index("ix_social_follows_followee", "followee_id", "created_at"),
                      Index("ix_social_follows_follower_created", "follower_id", "created_at"))

    follower_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    followee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = _now_column()


class Block(Base):
    __tablename__ = "social_blocks"
    __table_args__ = (CheckConstraint("blocker_id <> blocked_id", name="not_self"),
                      Index("ix_social_blocks_blocked", "blocked_id"))

    blocker_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    blocked_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = _now_column()


class Mute(Base):
    __tablename__ = "social_mutes"
    __table_args__ = (CheckConstraint("muter_id <> muted_id", name="not_self"),)

    muter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    muted_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = _now_column()


class Like(Base):
    """A like (save) of a recording, an edition or a post."""

    __tablename__ = "social_likes"
    __table_args__ = (CheckConstraint("subject_type in ('recording', 'edition', 'post')", name="subject_known"),
                      Index("ix_social_likes_subject", "subject_type", "subject_id", "created_at"))

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = _now_column()


class Repost(Base):
    """A repost of a recording, an edition or a post, with an optional comment; one per account and subject."""

    __tablename__ = "social_reposts"
    __table_args__ = (UniqueConstraint("user_id", "subject_type", "subject_id"),
                      CheckConstraint("subject_type in ('recording', 'edition', 'post')", name="subject_known"),
                      Index("ix_social_reposts_user_created", "user_id", "created_at"),
                      Index("ix_social_reposts_subject", "subject_type", "subject_id", "created_at"),
                      Index("ix_social_reposts_created", "created_at", "id"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = _now_column()


class Post(Base):
    """A post: plain text plus the entities parsed from it (mentions, hashtags, links); never HTML."""

    __tablename__ = "social_posts"
    __table_args__ = (CheckConstraint(_known("visibility", Visibility), name="visibility_known"),
                      CheckConstraint("(visibility = 'holders') = (edition_id is not null)", name="holders_edition"),
                      Index("ix_social_posts_author_created", "author_id", "created_at"),
                      Index("ix_social_posts_created", "created_at", "id"),
                      Index("ix_social_posts_gated", "author_id", "edition_id",
                            postgresql_where=text("visibility = 'holders' and deleted_at is null")))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    entities: Mapped[list[dict]] = mapped_column(JSONB, server_default="[]")
    attachments: Mapped[list[dict]] = mapped_column(JSONB, server_default="[]")
    visibility: Mapped[str] = mapped_column(String(16), server_default=Visibility.public.value)
    edition_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _now_column()
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # by a moderator


class PostRevision(Base):
    """A post's text before an edit (revision 1 is the original)."""

    __tablename__ = "social_post_revisions"

    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("social_posts.id", ondelete="CASCADE"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    entities: Mapped[list[dict]] = mapped_column(JSONB)
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Comment(Base):
    """A comment on a recording or a post, maybe a reply, maybe pointing at a moment of the track."""

    __tablename__ = "social_comments"
    __table_args__ = (CheckConstraint("subject_type in ('recording', 'post')", name="subject_known"),
                      CheckConstraint("at_seconds is null or at_seconds >= 0", name="at_seconds_positive"),
                      Index("ix_social_comments_subject", "subject_type", "subject_id", "created_at"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("social_comments.id", ondelete="CASCADE"))
    # The thread's first comment (None for it): a page of threads loads all their replies with one query.
    root_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    text: Mapped[str] = mapped_column(Text)
    entities: Mapped[list[dict]] = mapped_column(JSONB, server_default="[]")
    at_seconds: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = _now_column()
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Reaction(Base):
    """An emoji reaction of an account to a post or a comment (one per emoji)."""

    __tablename__ = "social_reactions"
    __table_args__ = (CheckConstraint("subject_type in ('post', 'comment')", name="subject_known"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    emoji: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = _now_column()


class Release(Base):
    """A registered recording as an event of its artist's timeline (the account whose wallet controls it)."""

    __tablename__ = "social_releases"
    __table_args__ = (Index("ix_social_releases_artist_released", "artist_id", "released_at"),
                      Index("ix_social_releases_released", "released_at"))

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    artist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    released_at: Mapped[datetime] = _now_column()


class Conversation(Base):
    """A one-to-one conversation; `user_low` < `user_high` so a pair has one conversation."""

    __tablename__ = "social_conversations"
    __table_args__ = (UniqueConstraint("user_low", "user_high"),
                      CheckConstraint("user_low < user_high", name="ordered_pair"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_low: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    user_high: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = _now_column()
    last_message_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ConversationMember(Base):
    """One side of a conversation: in the inbox or among requests, and how far it has read."""

    __tablename__ = "social_conversation_members"
    __table_args__ = (CheckConstraint("folder in ('inbox', 'requests')", name="folder_known"),
                      Index("ix_social_conversation_members_user", "user_id", "folder"))

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("social_conversations.id", ondelete="CASCADE"),
                                                       primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    folder: Mapped[str] = mapped_column(String(16), server_default="inbox")
    last_read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Message(Base):
    __tablename__ = "social_messages"
    __table_args__ = (Index("ix_social_messages_conversation_created", "conversation_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("social_conversations.id", ondelete="CASCADE"))
    sender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _now_column()
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReportStatus(StrEnum):
    open = "open"
    actioned = "actioned"
    dismissed = "dismissed"


class Report(Base):
    """A report of a post, comment, message or account, waiting in the admin queue until acted on."""

    __tablename__ = "social_reports"
    __table_args__ = (CheckConstraint("subject_type in ('post', 'comment', 'message', 'account')",
                                      name="subject_known"),
                      CheckConstraint(_known("status", ReportStatus), name="status_known"),
                      CheckConstraint("action is null or action in ('hide', 'delete', 'suspend')", name="action_known"),
                      Index("ix_social_reports_open", "created_at", postgresql_where=text("status = 'open'")))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    reporter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(16), server_default=ReportStatus.open.value)
    action: Mapped[str | None] = mapped_column(String(16))
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now_column()
