"""Indexer bookkeeping: checkpoint, recent canonical blocks, raw decoded events, running stats."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, Index, Integer, LargeBinary, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base


class IndexerCheckpoint(Base):
    """The last block whose rows are in the mirror; written in the same transaction as those rows."""

    __tablename__ = "indexer_checkpoints"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                 onupdate=func.now())


class IndexedBlock(Base):
    """A block the mirror reflects; its parent hash is how a reorg is noticed."""

    __tablename__ = "indexed_blocks"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    parent_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    timestamp: Mapped[int] = mapped_column(BigInteger)
    # Already final when indexed: a reorg that replaces it breaks the node's finality promise.
    final: Mapped[bool] = mapped_column(Boolean, server_default="false")


class ChainEvent(Base):
    """Every decoded log of our contracts, as emitted; the projections are derived from these."""

    __tablename__ = "chain_events"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    tx_index: Mapped[int] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(String(42))
    contract: Mapped[str] = mapped_column(String(40))
    event: Mapped[str] = mapped_column(String(64))
    args: Mapped[dict] = mapped_column(JSONB)

    __table_args__ = (Index("ix_chain_events_block", "chain_id", "block_number", "log_index"),
                      Index("ix_chain_events_contract_event", "chain_id", "contract", "event"))


class IndexerStats(Base):
    """Running totals shown by `harmoni indexer status` (written with the checkpoint)."""

    __tablename__ = "indexer_stats"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    events_indexed: Mapped[int] = mapped_column(BigInteger, default=0)
    reorgs: Mapped[int] = mapped_column(Integer, default=0)
    deepest_reorg: Mapped[int] = mapped_column(Integer, default=0)
    last_reorg_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    events_per_s: Mapped[float] = mapped_column(Float, default=0.0)
