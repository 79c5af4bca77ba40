"""Usage tables: playback sessions, plays and partner usage reports.

`plays` is the widest table of the platform (one row per play): keep it narrow, and its indexes few.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, INET
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base
from ledger.models import Uint256


class PlaybackSession(Base):
    """One start of a recording in the platform's player; its token reports the play (at most once)."""

    __tablename__ = "playback_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    listener_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    chain_id: Mapped[int] = mapped_column(BigInteger)
    asset_id: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[int | None] = mapped_column(Integer)  # the track's length, when its metadata says
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ip: Mapped[str | None] = mapped_column(INET)
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2, never finer than that
    source: Mapped[str | None] = mapped_column(String(16))  # where in the app the play started (`PlaySource`)


class Play(Base):
    """A reported play: counted, or kept with the flags that say why not."""

    __tablename__ = "plays"
    __table_args__ = (
        CheckConstraint("played_ms >= 0", name="played_ms_not_negative"),
        CheckConstraint("counted = (cardinality(flags) = 0)", name="counted_iff_unflagged"),
        # The royalty close: counted plays of a period, per asset.
        Index("ix_plays_played_at", "played_at"),
        # Duplicate window and the listener's hourly ceiling look only at counted plays.
        Index("ix_plays_listener_id_played_at", "listener_id", "played_at", postgresql_where=text("counted")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("playback_sessions.id"), unique=True)
    listener_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    asset_id: Mapped[int] = mapped_column(BigInteger)
    played_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    played_ms: Mapped[int] = mapped_column(Integer)
    counted: Mapped[bool] = mapped_column(Boolean)
    flags: Mapped[list[str]] = mapped_column(ARRAY(String(32)), server_default=text("'{}'"))
    ip: Mapped[str | None] = mapped_column(INET)
    country: Mapped[str | None] = mapped_column(String(2))  # the listener's country at play time (code only)
    source: Mapped[str | None] = mapped_column(String(16))


class UsageReport(Base):
    """A partner's usage report for one period, accepted whole; the same bytes twice are the same report."""

    __tablename__ = "usage_reports"
    __table_args__ = (
        UniqueConstraint("owner_id", "period_id", "sha256"),
        CheckConstraint("line_count > 0", name="not_empty"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    period_id: Mapped[int] = mapped_column(ForeignKey("royalty_periods.period_id"), index=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))  # the partner account
    key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner_api_keys.id", ondelete="SET NULL"))
    chain_id: Mapped[int] = mapped_column(BigInteger)  # whose `assets` the ISRCs were resolved in
    filename: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[bytes] = mapped_column(LargeBinary(32))
    line_count: Mapped[int] = mapped_column(Integer)  # data lines
    total_usage: Mapped[Decimal] = mapped_column(Uint256)
    total_net_revenue: Mapped[Decimal] = mapped_column(Uint256)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class UsageReportLine(Base):
    """One data line of a report; `line_no` is its line in the file (the header is line 1)."""

    __tablename__ = "usage_report_lines"
    __table_args__ = (
        CheckConstraint("usage_count > 0", name="usage_count_positive"),
        CheckConstraint("net_revenue >= 0", name="net_revenue_not_negative"),
    )

    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("usage_reports.id", ondelete="CASCADE"),
                                                 primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    isrc: Mapped[str] = mapped_column(String(12))
    asset_id: Mapped[int] = mapped_column(BigInteger)
    territory: Mapped[str] = mapped_column(String(2))
    usage_count: Mapped[int] = mapped_column(BigInteger)
    net_revenue: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
