"""Related recordings/artists (computed by a periodic job) and the stored recommendation models."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, Identity, Integer, LargeBinary, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base


class RelatedRecording(Base):
    """`related_asset_id` was played in the same listening sessions as `asset_id` (cosine over distinct listeners)."""

    __tablename__ = "related_recordings"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    related_asset_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    listeners: Mapped[int] = mapped_column(Integer)  # distinct listeners who played both in one session


class RelatedArtist(Base):
    """Artists (controller addresses) whose recordings the same listeners play."""

    __tablename__ = "related_artists"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    artist: Mapped[str] = mapped_column(String(42), primary_key=True)
    related_artist: Mapped[str] = mapped_column(String(42), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    listeners: Mapped[int] = mapped_column(Integer)


class RecommendationModel(Base):
    """A trained ALS model: factors and their keys in one `numpy.savez` blob; the highest version serves."""

    __tablename__ = "recommendation_models"

    version: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    algorithm: Mapped[str] = mapped_column(String(32))  # implicit-als-0.7
    params: Mapped[dict] = mapped_column(JSONB)  # factors, regularization, iterations, alpha, listeners, items
    trained_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    blob: Mapped[bytes] = mapped_column(LargeBinary)


class DiscoveryJobRun(Base):
    """When a periodic discovery job (related, analytics rollup) last ran for a chain: the interval is kept in the
    database, so every worker and replica agrees on it."""

    __tablename__ = "discovery_job_runs"

    job: Mapped[str] = mapped_column(String(32), primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
