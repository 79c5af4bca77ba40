"""Analytics rollups kept by a periodic job: one row per recording (and per artist) per day.

BRIN on `day`: rows are appended in day order (each rollup inserts them sorted by day), so range scans of the
rollup (and its re-rolls of recent days) stay cheap however many years the table holds.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base


class DailyRecordingPlays(Base):
    __tablename__ = "analytics_daily_recording_plays"
    __table_args__ = (Index("ix_analytics_daily_recording_plays_day", "day", postgresql_using="brin"),)

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # UTC
    plays: Mapped[int] = mapped_column(Integer)  # counted plays
    listeners: Mapped[int] = mapped_column(Integer)  # distinct listeners of counted plays


class DailyArtistPlays(Base):
    """The same per artist (a recording's controller): listeners are distinct across the artist's recordings."""

    __tablename__ = "analytics_daily_artist_plays"
    __table_args__ = (Index("ix_analytics_daily_artist_plays_day", "day", postgresql_using="brin"),)

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    artist: Mapped[str] = mapped_column(String(42), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    plays: Mapped[int] = mapped_column(Integer)
    listeners: Mapped[int] = mapped_column(Integer)


class DailyArtistBreakdown(Base):
    """An artist's counted plays of one day split one way: by the listener's `country` or by the play's `source`
    (`unknown` where the play did not say)."""

    __tablename__ = "analytics_daily_artist_breakdown"
    __table_args__ = (Index("ix_analytics_daily_artist_breakdown_day", "day", postgresql_using="brin"),)

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    artist: Mapped[str] = mapped_column(String(42), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(8), primary_key=True)  # country | source
    value: Mapped[str] = mapped_column(String(16), primary_key=True)
    plays: Mapped[int] = mapped_column(Integer)
    listeners: Mapped[int] = mapped_column(Integer)
