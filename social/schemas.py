"""Pydantic shapes of the social API: user text always comes back as plain `text` plus `entities`."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from social.models import DmPolicy, Visibility


class LikeSubject(StrEnum):
    recording = "recording"
    edition = "edition"
    post = "post"


class ReactionSubject(StrEnum):
    post = "post"
    comment = "comment"


class Emoji(StrEnum):
    heart = "heart"
    fire = "fire"
    clap = "clap"
    laugh = "laugh"
    wow = "wow"
    sad = "sad"


class ReportSubject(StrEnum):
    post = "post"
    comment = "comment"
    message = "message"
    account = "account"


class ModerationAction(StrEnum):
    hide = "hide"
    delete = "delete"
    suspend = "suspend"
    dismiss = "dismiss"


class Folder(StrEnum):
    inbox = "inbox"
    requests = "requests"


class Entity(BaseModel):
    """A span of `text` (Python character offsets, end exclusive) that clients may render as a link."""

    type: Literal["mention", "hashtag", "link"]
    start: int
    end: int
    handle: str | None = None
    user_id: uuid.UUID | None = None  # a mention of an account that has this handle
    tag: str | None = None
    url: str | None = None


class SocialProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    handle: str | None = Field(None, pattern=r"^[A-Za-z0-9_]{2,30}$", description="For mentions (@handle)")
    dm_policy: DmPolicy | None = Field(None, description="Who may send you direct messages")


class SocialProfileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: uuid.UUID
    handle: str
    dm_policy: DmPolicy


class Counts(BaseModel):
    followers: int
    following: int
    posts: int
    likes: int


class Relationship(BaseModel):
    following: bool
    follows_you: bool
    blocking: bool
    muting: bool


class AccountOut(BaseModel):
    user_id: uuid.UUID
    handle: str | None
    counts: Counts
    relationship: Relationship | None = Field(None, description="Between you and this account (signed in)")


class EdgeOut(BaseModel):
    """The state of one edge after the write; `created`/`removed` says whether this request changed it."""

    active: bool
    changed: bool


class AccountEntryOut(BaseModel):
    user_id: uuid.UUID
    handle: str | None
    since: datetime
    follows_you: bool
    followed_by_you: bool


class AccountPageOut(BaseModel):
    items: list[AccountEntryOut]
    next_cursor: str | None
    total: int


class RepostIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(None, max_length=500)


class RepostOut(BaseModel):
    id: uuid.UUID
    subject_type: LikeSubject
    subject_id: str
    comment: str | None
    created_at: datetime
    changed: bool


class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["recording", "edition", "image"]
    id: str = Field(min_length=1, max_length=64, description="asset id, edition id, or an artwork upload's id")


class PostIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000)
    visibility: Visibility = Visibility.public
    edition_id: int | None = Field(None, ge=0, lt=2**63, description="For visibility `holders`")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=4)


class PostEditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000)


class Attachment(BaseModel):
    type: Literal["recording", "edition", "image"]
    id: str


class SubjectCounts(BaseModel):
    likes: int
    reposts: int
    comments: int


class PostOut(BaseModel):
    id: uuid.UUID
    author_id: uuid.UUID
    author_handle: str | None
    text: str
    entities: list[Entity]
    attachments: list[Attachment]
    visibility: Visibility
    edition_id: int | None
    created_at: datetime
    edited_at: datetime | None
    counts: SubjectCounts
    reactions: dict[str, int]


class RevisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    revision: int
    text: str
    entities: list[Entity]
    written_at: datetime


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000)
    parent_id: uuid.UUID | None = Field(None, description="The comment this replies to")
    at: str | None = Field(None, max_length=20, description="A moment of the track, e.g. \"at 1:32\" (recordings)")


class CommentOut(BaseModel):
    id: uuid.UUID
    author_id: uuid.UUID
    author_handle: str | None
    parent_id: uuid.UUID | None
    text: str
    entities: list[Entity]
    at_seconds: int | None
    created_at: datetime
    removed: bool = Field(description="Deleted or hidden: kept empty so the thread keeps its shape")
    reactions: dict[str, int]


class ThreadOut(BaseModel):
    comment: CommentOut
    replies: list[CommentOut]


class ThreadPageOut(BaseModel):
    items: list[ThreadOut]
    next_cursor: str | None


class FeedItemOut(BaseModel):
    kind: Literal["post", "repost", "release"]
    key: str
    actor_id: uuid.UUID
    actor_handle: str | None
    at: datetime
    subject_type: str
    subject_id: str
    comment: str | None = Field(None, description="A repost's comment")
    post: PostOut | None = Field(None, description="The post (for a post, or a repost of one)")


class FeedPageOut(BaseModel):
    items: list[FeedItemOut]
    next_cursor: str | None


class ActivityOut(BaseModel):
    kind: Literal["comment", "like", "repost"]
    key: str
    actor_id: uuid.UUID
    at: datetime
    comment_id: uuid.UUID | None
    text: str | None


class ActivityPageOut(BaseModel):
    items: list[ActivityOut]
    next_cursor: str | None


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipient_id: uuid.UUID
    text: str = Field(min_length=1, max_length=2000)


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    conversation_id: uuid.UUID
    sender_id: uuid.UUID
    text: str
    created_at: datetime


class ConversationOut(BaseModel):
    id: uuid.UUID
    other_id: uuid.UUID
    folder: Folder
    unread: int
    last_message: MessageOut | None


class MessagePageOut(BaseModel):
    items: list[MessageOut]
    other_id: uuid.UUID
    other_read_at: datetime | None = Field(description="Read receipt: the other side has read up to here")
    next_cursor: str | None


class ReadOut(BaseModel):
    last_read_at: datetime | None


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject_type: ReportSubject
    subject_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=1000)


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    subject_type: ReportSubject
    subject_id: str
    reason: str
    status: Literal["open", "actioned", "dismissed"]
    action: Literal["hide", "delete", "suspend"] | None
    created_at: datetime
    resolved_at: datetime | None


class ModerationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: ModerationAction


class ReportStatusFilter(StrEnum):
    open = "open"
    actioned = "actioned"
    dismissed = "dismissed"
