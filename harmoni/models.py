"""Kernel tables: liveness of the platform's long-running components."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base


class ComponentHeartbeat(Base):
    """Last sign of life of a component (worker, indexer), for `harmoni status` and /readyz."""

    __tablename__ = "component_heartbeats"

    component: Mapped[str] = mapped_column(String(64), primary_key=True)
    pid: Mapped[int]
    details: Mapped[dict] = mapped_column(JSONB, default=dict)
    beat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
