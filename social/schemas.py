"""Pydantic shapes of the social API: user text always comes back as plain `text` plus `entities`."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from social.models import DmPolicy, Visibility

# The accounts and things the examples talk about: a fan (`nightowl`) following an artist (`mira_keys`) who
# announces her single "Blue Hour" (recording asset 7, edition 3).
_ARTIST = "3f6b2c1e-8d4a-4e6f-9b2a-7c5d1e0f4a82"
_FAN = "a42a2673-204f-4078-92d9-72ab719f7d14"
_POST = "35003f4d-ed41-49a8-8146-11a239d9556b"
_COMMENT = "d184349c-3587-4f27-af6c-84bf822f9572"
_REPLY = "8551b590-dc31-427a-92e5-180961da530d"
_REPOST = "9c257ef3-55e8-4888-81ce-20f645039b8c"
_CONVERSATION = "6ecc66dc-985b-4f70-bad3-13eea3576bf6"
_MESSAGE = "dbe28d58-e28f-4878-bc5d-c4981ed5a502"
_SPAM = "1347f9d8-49d6-423b-bd11-e88ce537850f"  # a spam comment, reported
_REPORT = "492803fb-ecae-415d-b341-75f977ed9e98"
_POST_TEXT = "New single out Friday! @mira_keys on piano #bluehour https://harmoni.music"
_POST_ENTITIES = [
    {"type": "mention", "start": 23, "end": 33, "handle": "mira_keys", "user_id": _ARTIST},
    {"type": "hashtag", "start": 43, "end": 52, "tag": "bluehour"},
    {"type": "link", "start": 53, "end": 74, "url": "https://harmoni.music"},
]
# Cursors are opaque: base64url of [time, key] of the page's last item.
_CURSOR = "WyIyMDI2LTEyLTAxVDA5OjE1OjAwKzAwOjAwIiwicG9zdDozNTAwM2Y0ZC1lZDQxLTQ5YTgtODE0Ni0xMWEyMzlkOTU1NmIiXQ"


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

    model_config = {"json_schema_extra": {"examples": _POST_ENTITIES}}


class SocialProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"handle": "nightowl", "dm_policy": "followers"}]})

    handle: str | None = Field(None, pattern=r"^[A-Za-z0-9_]{2,30}$", description="For mentions (@handle)")
    dm_policy: DmPolicy | None = Field(None, description="Who may send you direct messages")


class SocialProfileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"user_id": _FAN, "handle": "nightowl", "dm_policy": "followers"}]})

    user_id: uuid.UUID
    handle: str
    dm_policy: DmPolicy


class Counts(BaseModel):
    followers: int
    following: int
    posts: int
    likes: int

    model_config = {"json_schema_extra": {"examples": [{"followers": 1284, "following": 31, "posts": 57,
                                                        "likes": 412}]}}


class Relationship(BaseModel):
    following: bool
    follows_you: bool
    blocking: bool
    muting: bool

    model_config = {"json_schema_extra": {"examples": [{"following": True, "follows_you": False, "blocking": False,
                                                        "muting": False}]}}


class AccountOut(BaseModel):
    user_id: uuid.UUID
    handle: str | None
    counts: Counts
    relationship: Relationship | None = Field(None, description="Between you and this account (signed in)")

    model_config = {"json_schema_extra": {"examples": [{
        "user_id": _ARTIST, "handle": "mira_keys", "counts": Counts.model_config["json_schema_extra"]["examples"][0],
        "relationship": Relationship.model_config["json_schema_extra"]["examples"][0]}]}}


class EdgeOut(BaseModel):
    """The state of one edge after the write; `created`/`removed` says whether this request changed it."""

    active: bool
    changed: bool

    model_config = {"json_schema_extra": {"examples": [{"active": True, "changed": True}]}}


class AccountEntryOut(BaseModel):
    user_id: uuid.UUID
    handle: str | None
    since: datetime
    follows_you: bool
    followed_by_you: bool

    model_config = {"json_schema_extra": {"examples": [{
        "user_id": _FAN, "handle": "nightowl", "since": "2026-11-28T21:04:13Z", "follows_you": True,
        "followed_by_you": False}]}}


class AccountPageOut(BaseModel):
    items: list[AccountEntryOut]
    next_cursor: str | None
    total: int

    model_config = {"json_schema_extra": {"examples": [{
        "items": AccountEntryOut.model_config["json_schema_extra"]["examples"], "next_cursor": None, "total": 1}]}}


class RepostIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"comment": "On repeat all week. Go listen!"}]})

    comment: str | None = Field(None, max_length=500)


class RepostOut(BaseModel):
    id: uuid.UUID
    subject_type: LikeSubject
    subject_id: str
    comment: str | None
    created_at: datetime
    changed: bool

    model_config = {"json_schema_extra": {"examples": [{
        "id": _REPOST, "subject_type": "recording", "subject_id": "7", "comment": "On repeat all week. Go listen!",
        "created_at": "2026-12-05T08:30:00Z", "changed": True}]}}


class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"type": "recording", "id": "7"}]})

    type: Literal["recording", "edition", "image"]
    id: str = Field(min_length=1, max_length=64, description="asset id, edition id, or an artwork upload's id")


class PostIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "text": _POST_TEXT, "visibility": "public", "attachments": [{"type": "recording", "id": "7"}]}]})

    text: str = Field(min_length=1, max_length=5000)
    visibility: Visibility = Visibility.public
    edition_id: int | None = Field(None, ge=0, lt=2**63, description="For visibility `holders`")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=4)


class PostEditIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "text": "New single out Friday at 18:00 UTC! @mira_keys on piano #bluehour https://harmoni.music"}]})

    text: str = Field(min_length=1, max_length=5000)


class Attachment(BaseModel):
    type: Literal["recording", "edition", "image"]
    id: str

    model_config = {"json_schema_extra": {"examples": [{"type": "recording", "id": "7"}]}}


class SubjectCounts(BaseModel):
    likes: int
    reposts: int
    comments: int

    model_config = {"json_schema_extra": {"examples": [{"likes": 148, "reposts": 12, "comments": 9}]}}


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

    model_config = {"json_schema_extra": {"examples": [{
        "id": _POST, "author_id": _ARTIST, "author_handle": "mira_keys", "text": _POST_TEXT,
        "entities": _POST_ENTITIES, "attachments": [{"type": "recording", "id": "7"}], "visibility": "public",
        "edition_id": None, "created_at": "2026-12-01T09:15:00Z", "edited_at": None,
        "counts": {"likes": 148, "reposts": 12, "comments": 9}, "reactions": {"heart": 41, "fire": 17}}]}}


class ViewerState(BaseModel):
    liked: bool
    reposted: bool

    model_config = {"json_schema_extra": {"examples": [{"liked": True, "reposted": False}]}}


class RecordingSocialOut(BaseModel):
    asset_id: int
    artist_id: uuid.UUID | None = Field(description="The artist's account, once the recording is its release")
    artist_handle: str | None
    counts: SubjectCounts
    viewer: ViewerState | None = Field(description="Whether you liked or reposted it (signed in)")

    model_config = {"json_schema_extra": {"examples": [{
        "asset_id": 7, "artist_id": _ARTIST, "artist_handle": "mira_keys",
        "counts": {"likes": 148, "reposts": 12, "comments": 9}, "viewer": {"liked": True, "reposted": False}}]}}


class RevisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "revision": 1, "text": "New single out Friday #bluehour",
        "entities": [{"type": "hashtag", "start": 22, "end": 31, "tag": "bluehour"}],
        "written_at": "2026-12-01T09:15:00Z"}]})

    revision: int
    text: str
    entities: list[Entity]
    written_at: datetime


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"text": "That key change at 1:32 gets me every time", "at": "at 1:32"},
        {"text": "@mira_keys can't wait for Friday!", "parent_id": _COMMENT}]})

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

    model_config = {"json_schema_extra": {"examples": [{
        "id": _COMMENT, "author_id": _FAN, "author_handle": "nightowl", "parent_id": None,
        "text": "That key change at 1:32 gets me every time", "entities": [], "at_seconds": 92,
        "created_at": "2026-12-05T08:42:10Z", "removed": False, "reactions": {"heart": 3}}]}}


class ThreadOut(BaseModel):
    comment: CommentOut
    replies: list[CommentOut]

    model_config = {"json_schema_extra": {"examples": [{
        "comment": CommentOut.model_config["json_schema_extra"]["examples"][0],
        "replies": [{"id": _REPLY, "author_id": _ARTIST, "author_handle": "mira_keys", "parent_id": _COMMENT,
                     "text": "@nightowl thank you! That one took 40 takes",
                     "entities": [{"type": "mention", "start": 0, "end": 9, "handle": "nightowl", "user_id": _FAN}],
                     "at_seconds": None, "created_at": "2026-12-05T09:03:55Z", "removed": False,
                     "reactions": {}}]}]}}


class ThreadPageOut(BaseModel):
    items: list[ThreadOut]
    next_cursor: str | None

    model_config = {"json_schema_extra": {"examples": [{
        "items": ThreadOut.model_config["json_schema_extra"]["examples"], "next_cursor": None}]}}


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

    model_config = {"json_schema_extra": {"examples": [
        {"kind": "post", "key": f"post:{_POST}", "actor_id": _ARTIST, "actor_handle": "mira_keys",
         "at": "2026-12-01T09:15:00Z", "subject_type": "post", "subject_id": _POST, "comment": None,
         "post": PostOut.model_config["json_schema_extra"]["examples"][0]},
        {"kind": "release", "key": "release:7", "actor_id": _ARTIST, "actor_handle": "mira_keys",
         "at": "2026-12-05T00:00:00Z", "subject_type": "recording", "subject_id": "7", "comment": None,
         "post": None}]}}


class FeedPageOut(BaseModel):
    items: list[FeedItemOut]
    next_cursor: str | None

    model_config = {"json_schema_extra": {"examples": [{
        "items": FeedItemOut.model_config["json_schema_extra"]["examples"][::-1], "next_cursor": _CURSOR}]}}


class ActivityOut(BaseModel):
    kind: Literal["comment", "like", "repost"]
    key: str
    actor_id: uuid.UUID
    at: datetime
    comment_id: uuid.UUID | None
    text: str | None

    model_config = {"json_schema_extra": {"examples": [
        {"kind": "comment", "key": f"comment:{_COMMENT}", "actor_id": _FAN, "at": "2026-12-05T08:42:10Z",
         "comment_id": _COMMENT, "text": "That key change at 1:32 gets me every time"},
        {"kind": "like", "key": f"like:{_FAN}", "actor_id": _FAN, "at": "2026-12-05T08:31:02Z", "comment_id": None,
         "text": None}]}}


class ActivityPageOut(BaseModel):
    items: list[ActivityOut]
    next_cursor: str | None

    model_config = {"json_schema_extra": {"examples": [{
        "items": ActivityOut.model_config["json_schema_extra"]["examples"], "next_cursor": None}]}}


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "recipient_id": _ARTIST, "text": "Hi Mira! Will Blue Hour come out on vinyl too?"}]})

    recipient_id: uuid.UUID
    text: str = Field(min_length=1, max_length=2000)


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "id": _MESSAGE, "conversation_id": _CONVERSATION, "sender_id": _FAN,
        "text": "Hi Mira! Will Blue Hour come out on vinyl too?", "created_at": "2026-12-05T10:12:44Z"}]})

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

    model_config = {"json_schema_extra": {"examples": [{
        "id": _CONVERSATION, "other_id": _FAN, "folder": "requests", "unread": 1,
        "last_message": MessageOut.model_config["json_schema_extra"]["examples"][0]}]}}


class MessagePageOut(BaseModel):
    items: list[MessageOut]
    other_id: uuid.UUID
    other_read_at: datetime | None = Field(description="Read receipt: the other side has read up to here")
    next_cursor: str | None

    model_config = {"json_schema_extra": {"examples": [{
        "items": MessageOut.model_config["json_schema_extra"]["examples"], "other_id": _ARTIST,
        "other_read_at": "2026-12-05T10:20:03Z", "next_cursor": None}]}}


class ReadOut(BaseModel):
    last_read_at: datetime | None

    model_config = {"json_schema_extra": {"examples": [{"last_read_at": "2026-12-05T10:12:44Z"}]}}


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "subject_type": "comment", "subject_id": _SPAM,
        "reason": "Spam: the same link to a fake giveaway under every post"}]})

    subject_type: ReportSubject
    subject_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=1000)


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "id": _REPORT, "subject_type": "comment", "subject_id": _SPAM,
        "reason": "Spam: the same link to a fake giveaway under every post", "status": "open", "action": None,
        "created_at": "2026-12-05T11:00:00Z", "resolved_at": None}]})

    id: uuid.UUID
    subject_type: ReportSubject
    subject_id: str
    reason: str
    status: Literal["open", "actioned", "dismissed"]
    action: Literal["hide", "delete", "suspend"] | None
    created_at: datetime
    resolved_at: datetime | None


class ModerationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"action": "hide"}]})

    action: ModerationAction


class ReportStatusFilter(StrEnum):
    open = "open"
    actioned = "actioned"
    dismissed = "dismissed"
