"""Royalty periods and what closing and publishing them leaves behind."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base


class PeriodStatus(enum.StrEnum):
    open = "open"            # usage and revenue are still coming in
    closing = "closing"      # the statement is being computed; nothing more comes in
    closed = "closed"        # statement and tree are stored; not yet on chain
    published = "published"  # root and funding are on chain


_STATUSES = ", ".join(f"'{s.value}'" for s in PeriodStatus)


class RoyaltyPeriod(Base):
    """A span of time whose usage and revenue are settled together; its id is the PayoutDistributor period id."""

    __tablename__ = "royalty_periods"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"status in ({_STATUSES})", name="status_known"),
    )

    period_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default=PeriodStatus.open.value)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
