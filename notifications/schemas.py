"""Request and response bodies of the notifications API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from identity.schemas import Email
from notifications.models import Channel, Delivery, NotificationKind, SuppressionReason

_ACTORS = [{"id": "9b1d6e2a-4c7f-4a18-8e3b-5f0c2a9d7e64", "name": "Ana"},
           {"id": "c47e0f5b-2d81-4b3a-a9f6-7e1d3c8b0a25", "name": "Malik"},
           {"id": "5e8a2c9d-0b6f-4d17-b3e4-a1f7c6d2e908", "name": "Jo"}]
_NOTIFICATION = {"id": "3f2b8c1e-7a4d-4e9b-9c61-2d5e8f0a7b13", "kind": "like", "subject_type": "recording",
                 "subject_id": "42", "actor_count": 3, "event_count": 3, "actors": _ACTORS,
                 "summary": "3 people liked Blue Hour", "data": {"title": "Blue Hour"}, "read": False,
                 "created_at": "2026-03-14T09:12:00Z", "updated_at": "2026-03-14T10:47:31Z"}


class Actor(BaseModel):
    id: uuid.UUID
    name: str

    model_config = {"json_schema_extra": {"examples": [_ACTORS[0]]}}


class NotificationOut(BaseModel):
    """One notification line: every event of one kind on one subject within the grouping window."""

    id: uuid.UUID
    kind: NotificationKind
    subject_type: str = Field(examples=["recording"])
    subject_id: str = Field(examples=["42"])
    actor_count: int = Field(description="distinct people behind it (0 for events nobody caused, like a payout)")
    event_count: int
    actors: list[Actor] = Field(description="the newest few actors, newest first")
    summary: str = Field(examples=["Ana and 11 others liked Blue Hour"])
    data: dict
    read: bool
    created_at: datetime
    updated_at: datetime

    model_config = {"json_schema_extra": {"examples": [_NOTIFICATION]}}


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next (older) page; null on the last")
    unread_count: int

    model_config = {"json_schema_extra": {"examples": [
        {"items": [_NOTIFICATION], "next_cursor": "MjAyNi0wMy0xNFQxMDo0NzozMVo", "unread_count": 4}]}}


class UnreadCount(BaseModel):
    unread_count: int

    model_config = {"json_schema_extra": {"examples": [{"unread_count": 4}]}}


class MarkedRead(BaseModel):
    marked: int = Field(description="notifications that were unread and are now read")
    unread_count: int

    model_config = {"json_schema_extra": {"examples": [{"marked": 4, "unread_count": 0}]}}


class PreferenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"kind": "like", "channel": "email", "delivery": "daily", "default": False},
        {"kind": "sale", "channel": "in_app", "delivery": "immediate", "default": True}]})

    kind: NotificationKind
    channel: Channel
    delivery: Delivery
    default: bool = Field(description="true when the user never chose: the kind's default applies")


class PreferenceIn(BaseModel):
    kind: NotificationKind
    channel: Channel
    delivery: Delivery = Field(description="`daily` in-app is the same as `immediate`")

    model_config = {"json_schema_extra": {"examples": [{"kind": "like", "channel": "email", "delivery": "daily"}]}}


class PreferencesIn(BaseModel):
    preferences: list[PreferenceIn] = Field(min_length=1, max_length=len(NotificationKind) * len(Channel))

    model_config = {"json_schema_extra": {"examples": [{"preferences": [
        {"kind": "like", "channel": "email", "delivery": "daily"},
        {"kind": "sale", "channel": "email", "delivery": "immediate"}]}]}}


class Unsubscribed(BaseModel):
    kinds: list[NotificationKind] = Field(description="the kinds whose e-mails are (to be) turned off")
    channel: Channel = Channel.email
    delivery: Delivery = Delivery.off

    model_config = {"json_schema_extra": {"examples": [{"kinds": ["like"], "channel": "email", "delivery": "off"}]}}


class SuppressionIn(BaseModel):
    address: Email
    reason: SuppressionReason = SuppressionReason.bounce

    model_config = {"json_schema_extra": {"examples": [{"address": "ana@example.com", "reason": "bounce"}]}}


class SuppressionOut(BaseModel):
    address: str
    reason: SuppressionReason
    newly_suppressed: bool

    model_config = {"json_schema_extra": {"examples": [{"address": "ana@example.com", "reason": "bounce",
                                                        "newly_suppressed": True}]}}
