"""Notifications (one row per group), the actors behind each, preferences per kind x channel, and the
addresses we must not e-mail."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base


class NotificationKind(StrEnum):
    # Social (wired by the social area).
    follow = "follow"
    like = "like"
    repost = "repost"
    comment = "comment"
    mention = "mention"
    reply = "reply"
    release = "release"  # a recording registered (by you, or by an artist you follow)
    message = "message"  # a direct message (not a request: those wait in the requests folder)
    # Money and rights.
    sale = "sale"
    payout_published = "payout_published"
    claim_confirmed = "claim_confirmed"
    invitation = "invitation"
    dispute_opened = "dispute_opened"


class Channel(StrEnum):
    in_app = "in_app"
    email = "email"


class Delivery(StrEnum):
    immediate = "immediate"
    daily = "daily"  # one digest e-mail a day (in-app: same as immediate)
    off = "off"


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} in ({', '.join(repr(v.value) for v in values)})"


class Notification(Base):
    """One line of a user's notifications: every event of the same kind on the same subject within one grouping
    window (`window_start`), e.g. "12 people liked Blue Hour". `actor_count` counts the distinct actors
    (`notification_actors`), `latest_actor_ids` names the newest few."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(_in("kind", NotificationKind), name="kind_known"),
        UniqueConstraint("recipient_id", "kind", "subject_type", "subject_id", "group_key", "window_start",
                         name="uq_notifications_group"),
        Index("ix_notifications_recipient_updated", "recipient_id", "updated_at", "id"),
        Index("ix_notifications_unread", "recipient_id", postgresql_where=text("read_at is null and in_app")),
        Index("ix_notifications_email_due", "email_due_at",
              postgresql_where=text("email_due_at is not null and emailed_at is null")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(128))
    group_key: Mapped[str] = mapped_column(String(128), default="")
    window_start: Mapped[int] = mapped_column(BigInteger)  # unix seconds of the grouping window's start
    actor_count: Mapped[int] = mapped_column(Integer, default=0)
    event_count: Mapped[int] = mapped_column(Integer, default=1)
    latest_actor_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), default=list)
    data: Mapped[dict] = mapped_column(JSONB, default=dict)  # of the newest event (title, amounts, ...)
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)  # listed in the app (preference not off)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # E-mail: due once the delay after the first unread event has passed; sent only if still unread then.
    email_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NotificationActor(Base):
    """Who caused a notification: one row per distinct actor, so a second like by the same fan counts once."""

    __tablename__ = "notification_actors"

    notification_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"),
                                                       primary_key=True)
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class NotificationPreference(Base):
    """A user's choice for one kind on one channel; no row means the kind's default."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        CheckConstraint(_in("kind", NotificationKind), name="kind_known"),
        CheckConstraint(_in("channel", Channel), name="channel_known"),
        CheckConstraint(_in("delivery", Delivery), name="delivery_known"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                 onupdate=func.now())


class SuppressionReason(StrEnum):
    bounce = "bounce"
    complaint = "complaint"
    manual = "manual"


class EmailSuppression(Base):
    """An address the sender never mails again (a hard bounce, a spam complaint)."""

    __tablename__ = "email_suppressions"
    __table_args__ = (CheckConstraint("address = lower(address)", name="address_lower_case"),
                      CheckConstraint(_in("reason", SuppressionReason), name="reason_known"))

    address: Mapped[str] = mapped_column(String(320), primary_key=True)
    reason: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ExportStatus(StrEnum):
    pending = "pending"
    ready = "ready"
    failed = "failed"


class DataExport(Base):
    """A user's request for everything the platform holds about them; the zip is under the data dir."""

    __tablename__ = "data_exports"
    __table_args__ = (CheckConstraint(_in("status", ExportStatus), name="status_known"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ready_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # of the download link
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(500))


class AccountErasure(Base):
    """That an account was erased: its e-mail and profile are gone; `pseudonym` is the keyed hash that replaced
    the address where it had to stay (the key was thrown away)."""

    __tablename__ = "account_erasures"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64))
    erased_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
