"""Trending tables: one ranked list per (formula version, kind, window, genre, territory), replaced per run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base


class TrendingEntry(Base):
    """One ranked entity of one list; `genre`/`territory` are '' for the list over everything."""

    __tablename__ = "trending_entries"

    formula_version: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # recording | artist | edition
    window: Mapped[str] = mapped_column(String(4), primary_key=True)  # 24h | 7d | 30d
    genre: Mapped[str] = mapped_column(String(64), primary_key=True)
    territory: Mapped[str] = mapped_column(String(2), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    entity: Mapped[str] = mapped_column(String(64))  # asset id, artist address or edition id, as text
    score: Mapped[float] = mapped_column(Float)
    listeners: Mapped[int] = mapped_column(Integer)  # distinct listeners (buyers for editions) that counted


class TrendingRun(Base):
    """When a formula's lists were last computed (readers show it; the periodic job waits out the interval)."""

    __tablename__ = "trending_runs"

    formula_version: Mapped[str] = mapped_column(String(16), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    entries: Mapped[int] = mapped_column(Integer)
