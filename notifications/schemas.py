"""Request and response bodies of the notifications API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from identity.schemas import Email
from notifications.models import Channel, Delivery, NotificationKind, SuppressionReason


class Actor(BaseModel):
    id: uuid.UUID
    name: str


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


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next (older) page; null on the last")
    unread_count: int


class UnreadCount(BaseModel):
    unread_count: int


class MarkedRead(BaseModel):
    marked: int = Field(description="notifications that were unread and are now read")
    unread_count: int


class PreferenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: NotificationKind
    channel: Channel
    delivery: Delivery
    default: bool = Field(description="true when the user never chose: the kind's default applies")


class PreferenceIn(BaseModel):
    kind: NotificationKind
    channel: Channel
    delivery: Delivery = Field(description="`daily` in-app is the same as `immediate`")


class PreferencesIn(BaseModel):
    preferences: list[PreferenceIn] = Field(min_length=1, max_length=len(NotificationKind) * len(Channel))


class Unsubscribed(BaseModel):
    kinds: list[NotificationKind] = Field(description="the kinds whose e-mails are (to be) turned off")
    channel: Channel = Channel.email
    delivery: Delivery = Delivery.off


class SuppressionIn(BaseModel):
    address: Email
    reason: SuppressionReason = SuppressionReason.bounce


class SuppressionOut(BaseModel):
    address: str
    reason: SuppressionReason
    newly_suppressed: bool
