"""Partner API keys, webhook endpoints, their deliveries and attempts, and the dispatcher's cursor."""

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
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base


class ApiScope(StrEnum):
    assets_read = "assets:read"
    usage_write = "usage:write"
    webhooks_manage = "webhooks:manage"
    analytics_read = "analytics:read"  # artist analytics of the recordings the key owner's wallets hold


class WebhookEventType(StrEnum):
    asset_registered = "asset.registered"
    split_changed = "split.changed"
    payout_published = "payout.published"


class DeliveryStatus(StrEnum):
    pending = "pending"  # waiting for its first attempt or a retry (`next_attempt_at`)
    succeeded = "succeeded"  # the endpoint answered 2xx
    failed = "failed"  # every attempt failed; no more retries
    cancelled = "cancelled"  # a reorg removed the event before it was delivered


def _known(column: str, values: type[StrEnum]) -> str:
    return f"{column} <@ array[{', '.join(repr(v.value) for v in values)}]::varchar[]"


def _now_column() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class PartnerApiKey(Base):
    """An API key of a partner account. Only the SHA-256 of the key is stored; the prefix is for display."""

    __tablename__ = "partner_api_keys"
    __table_args__ = (CheckConstraint(_known("scopes", ApiScope), name="scopes_known"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    created_at: Mapped[datetime] = _now_column()
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookEndpoint(Base):
    """A URL of a partner that receives the events it subscribed to, signed with its own secret.

    The secret is kept as issued: signing needs it (unlike an API key, which only needs to be recognised).
    """

    __tablename__ = "webhook_endpoints"
    __table_args__ = (CheckConstraint(_known("events", WebhookEventType) + " and cardinality(events) > 0",
                                      name="events_known"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    signing_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = _now_column()


class WebhookDelivery(Base):
    """One event for one endpoint; its body is fixed when created, so every retry sends the same bytes."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        CheckConstraint(f"status in ({', '.join(repr(s.value) for s in DeliveryStatus)})", name="status_known"),
        # What the dispatcher looks for: deliveries due for an attempt.
        Index("ix_webhook_deliveries_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(32))
    # The chain event it stems from: a reorg that removes it cancels the delivery.
    chain_id: Mapped[int] = mapped_column(BigInteger)
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    log_index: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    # Set while a worker has the delivery in flight (claimed, not yet recorded); a dead worker's lease runs out.
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now_column()
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookDeliveryAttempt(Base):
    """The log of one HTTP attempt: what the endpoint answered and how long it took."""

    __tablename__ = "webhook_delivery_attempts"
    __table_args__ = (UniqueConstraint("delivery_id", "attempt"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    delivery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(Integer)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)  # None: no HTTP answer (refused, timeout)
    error: Mapped[str | None] = mapped_column(String(500))
    response_excerpt: Mapped[str] = mapped_column(Text, default="")
    duration_ms: Mapped[int] = mapped_column(Integer)


class WebhookCursor(Base):
    """The last chain event (in chain order) the dispatcher has turned into deliveries."""

    __tablename__ = "webhook_cursors"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    log_index: Mapped[int] = mapped_column(Integer)
    # None after a rewind: the position is then only a block number and log index.
    block_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                 onupdate=func.now())
