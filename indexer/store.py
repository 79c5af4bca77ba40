"""Reads and writes of the indexer's tables. Backfill writes with COPY; the head with INSERTs that
ignore rows already present, so a replayed block is a no-op."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from chain.client import BlockRef
from discovery.search import repository as search_outbox
from harmoni.db import copy_rows
from indexer.models import ChainEvent, IndexedBlock, IndexerCheckpoint, IndexerStats
from indexer.projector import Batch
from ledger.models import Asset, Edition, SplitVersion


@dataclass(frozen=True)
class Checkpoint:
    block_number: int
    block_hash: bytes


def load_checkpoint(session: Session, chain_id: int) -> Checkpoint | None:
    row = session.get(IndexerCheckpoint, chain_id)
    return Checkpoint(row.block_number, row.block_hash) if row else None


def save_checkpoint(session: Session, chain_id: int, number: int, block_hash: bytes) -> None:
    stmt = insert(IndexerCheckpoint).values(chain_id=chain_id, block_number=number, block_hash=block_hash)
    session.execute(stmt.on_conflict_do_update(
        index_elements=[IndexerCheckpoint.chain_id],
        set_={"block_number": number, "block_hash": block_hash, "updated_at": func.now()}))


def record_block(session: Session, chain_id: int, block: BlockRef, final: bool) -> None:
    """Remember an applied block, for the parent-hash check of the next one and for finding ancestors."""
    session.execute(insert(IndexedBlock).values(
        chain_id=chain_id, number=block.number, hash=block.hash, parent_hash=block.parent_hash,
        timestamp=block.timestamp, final=final).on_conflict_do_nothing())


def prune_blocks(session: Session, chain_id: int, below: int) -> None:
    """Blocks under finality can no longer be reorged away: forget them."""
    session.query(IndexedBlock).filter(IndexedBlock.chain_id == chain_id, IndexedBlock.number < below).delete()


def bump_stats(session: Session, chain_id: int, events: int, rate: float | None = None, reorg_depth: int = 0) -> None:
    values: dict[str, Any] = {"chain_id": chain_id, "events_indexed": events, "reorgs": 1 if reorg_depth else 0,
                              "deepest_reorg": reorg_depth, "events_per_s": rate or 0.0}
    stmt = insert(IndexerStats).values(**values)
    update: dict[str, Any] = {"events_indexed": IndexerStats.events_indexed + events}
    if rate is not None:
        update["events_per_s"] = rate
    if reorg_depth:
        update.update(reorgs=IndexerStats.reorgs + 1, deepest_reorg=func.greatest(IndexerStats.deepest_reorg,
                                                                                  reorg_depth),
                      last_reorg_at=func.now())
    session.execute(stmt.on_conflict_do_update(index_elements=[IndexerStats.chain_id], set_=update))


def load_assets(session: Session, chain_id: int, asset_ids: set[int]) -> dict[int, dict[str, Any]]:
    if not asset_ids:
        return {}
    columns = Asset.__table__.columns
    rows = session.execute(select(Asset.__table__).where(Asset.chain_id == chain_id,
                                                          Asset.asset_id.in_(asset_ids))).mappings()
    return {row["asset_id"]: {c.name: row[c.name] for c in columns} for row in rows}


def load_splits(session: Session, chain_id: int, keys: set[tuple[int, int]]) -> dict[tuple[int, int], tuple]:
    if not keys:
        return {}
    rows = session.execute(select(SplitVersion.asset_id, SplitVersion.version, SplitVersion.recipients,
                                  SplitVersion.allocations)
                           .where(SplitVersion.chain_id == chain_id,
                                  tuple_(SplitVersion.asset_id, SplitVersion.version).in_(list(keys))))
    return {(r.asset_id, r.version): (list(r.recipients), list(r.allocations)) for r in rows}


UPSERT_CHUNK = 1_000  # rows per statement: PostgreSQL takes at most 65,535 bind parameters


def upsert_assets(session: Session, assets: list[dict[str, Any]]) -> None:
    keys = {"chain_id", "asset_id"}
    for start in range(0, len(assets), UPSERT_CHUNK):
        stmt = insert(Asset).values(assets[start:start + UPSERT_CHUNK])
        session.execute(stmt.on_conflict_do_update(
            index_elements=[Asset.chain_id, Asset.asset_id],
            set_={c.name: stmt.excluded[c.name] for c in Asset.__table__.columns if c.name not in keys}))


def write_batch(session: Session, batch: Batch, bulk: bool) -> None:
    """Write every row of the batch and the touched assets (caller owns the transaction)."""
    for model, rows in batch.rows.items():
        if not rows:
            continue
        table = model.__table__
        if bulk:
            copy_rows(session, table, rows)
        else:
            session.execute(insert(table).on_conflict_do_nothing(), rows)
    # Assets first seen in this batch can be copied; the others already have a row to update.
    new = [a for asset_id, a in batch.assets.items() if asset_id not in batch.stored_asset_ids]
    known = [a for asset_id, a in batch.assets.items() if asset_id in batch.stored_asset_ids]
    if bulk and new:
        copy_rows(session, Asset.__table__, new)
    else:
        known += new
    upsert_assets(session, known)
    # The search index hears of every asset the batch touched (editions are documents of their asset).
    search_outbox.announce_assets(session, [*batch.assets, *(e["asset_id"] for e in batch.rows.get(Edition, ()))])


def stored_event_count(session: Session, chain_id: int) -> int:
    return session.scalar(select(func.count()).select_from(ChainEvent).where(ChainEvent.chain_id == chain_id))
