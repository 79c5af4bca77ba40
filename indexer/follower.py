"""Follows the chain head block by block, keeping the checkpoint and the recent canonical blocks.

The event decoding and projections ride on this loop; reorg handling lives in `indexer.reorg`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from chain.client import BlockRef, ChainClient
from harmoni import heartbeats
from indexer.models import IndexedBlock, IndexerCheckpoint

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checkpoint:
    block_number: int
    block_hash: bytes


def load_checkpoint(session: Session, chain_id: int) -> Checkpoint | None:
    row = session.get(IndexerCheckpoint, chain_id)
    return Checkpoint(row.block_number, row.block_hash) if row else None


def _save_checkpoint(session: Session, chain_id: int, block: BlockRef) -> None:
    stmt = insert(IndexerCheckpoint).values(chain_id=chain_id, block_number=block.number, block_hash=block.hash)
    session.execute(stmt.on_conflict_do_update(
        index_elements=[IndexerCheckpoint.chain_id],
        set_={"block_number": block.number, "block_hash": block.hash, "updated_at": stmt.excluded.updated_at}))


def apply_block(session: Session, chain_id: int, block: BlockRef) -> None:
    """Record one canonical block and move the checkpoint to it (caller owns the transaction)."""
    session.execute(insert(IndexedBlock).values(
        chain_id=chain_id, number=block.number, hash=block.hash, parent_hash=block.parent_hash,
        timestamp=block.timestamp).on_conflict_do_nothing())
    _save_checkpoint(session, chain_id, block)


def rewind_to(session: Session, chain_id: int, ancestor: BlockRef) -> None:
    """Drop every block after `ancestor` and point the checkpoint at it."""
    session.execute(delete(IndexedBlock).where(IndexedBlock.chain_id == chain_id,
                                               IndexedBlock.number > ancestor.number))
    _save_checkpoint(session, chain_id, ancestor)


def find_common_ancestor(session: Session, client: ChainClient, chain_id: int, below: int) -> BlockRef | None:
    """Walk back from `below` until a stored block hash matches the chain's."""
    stored = session.execute(
        select(IndexedBlock).where(IndexedBlock.chain_id == chain_id, IndexedBlock.number <= below)
        .order_by(IndexedBlock.number.desc())).scalars()
    for row in stored:
        canonical = client.block(row.number)
        if canonical is not None and canonical.hash == row.hash:
            return canonical
    return None


class Follower:
    def __init__(self, sessions: sessionmaker[Session], client: ChainClient, chain_id: int, start_block: int,
                 poll_interval_s: float = 0.5) -> None:
        self.sessions = sessions
        self.client = client
        self.chain_id = chain_id
        self.start_block = start_block
        self.poll_interval_s = poll_interval_s

    def step(self) -> int:
        """Apply every block up to the head; returns how many were applied."""
        head = self.client.head()
        applied = 0
        with self.sessions.begin() as session:
            checkpoint = load_checkpoint(session, self.chain_id)
        next_number = checkpoint.block_number + 1 if checkpoint else self.start_block
        while next_number <= head.number:
            block = self.client.block(next_number)
            if block is None:
                break
            with self.sessions.begin() as session:
                checkpoint = load_checkpoint(session, self.chain_id)
                if checkpoint and block.parent_hash != checkpoint.block_hash:
                    ancestor = find_common_ancestor(session, self.client, self.chain_id, checkpoint.block_number)
                    if ancestor is None:
                        raise RuntimeError("reorg below every stored block: replay the indexer")
                    log.warning("reorg", extra={"from": checkpoint.block_number, "to": ancestor.number})
                    rewind_to(session, self.chain_id, ancestor)
                    next_number = ancestor.number + 1
                    continue
                apply_block(session, self.chain_id, block)
                heartbeats.beat(session, "indexer", {"block": block.number})
            applied += 1
            next_number += 1
        return applied

    def run_forever(self, should_stop=lambda: False) -> None:
        while not should_stop():
            if self.step() == 0:
                time.sleep(self.poll_interval_s)
