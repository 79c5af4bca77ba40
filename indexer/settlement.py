"""Settling the platform's own transactions against the mirror: `included` → `confirmed`, or back to `submitted`.

A sender marks an operation `included` when its transaction is mined. The indexer, which decides what is final,
promotes it to `confirmed` once it has indexed the including block and that block is final by its rule, so an
operation answered as confirmed is always one whose effects the mirror shows. An inclusion whose block left the
canonical chain (a reorg, or a node that lost state in a crash) goes back to `submitted` with its signed bytes
kept: the next resume of that account sends the same bytes again (`chain.sender`).

Whether a block is canonical is read from the blocks the indexer recorded at the head (no RPC); for blocks it did
not record (backfill, pruned) the transaction's receipt is asked for.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from chain.rpc import JsonRpc
from chain.sender import OperationStatus
from indexer.models import IndexedBlock
from ledger.operations import ChainOperation

log = logging.getLogger(__name__)


@dataclass
class Settled:
    confirmed: int = 0
    dropped: int = 0


def settle_inclusions(session: Session, rpc: JsonRpc, chain_id: int, *, indexed_block: int,
                      final_block: int) -> Settled:
    """Confirm the included operations the mirror has indexed under finality; send back those whose block is gone."""
    settled = Settled()
    rows = session.scalars(select(ChainOperation).where(
        ChainOperation.chain_id == chain_id, ChainOperation.status == OperationStatus.included.value,
        ChainOperation.block_number <= indexed_block,
    ).order_by(ChainOperation.block_number).with_for_update(skip_locked=True)).all()
    if not rows:
        return settled
    known = dict(session.execute(select(IndexedBlock.number, IndexedBlock.hash).where(
        IndexedBlock.chain_id == chain_id, IndexedBlock.number.in_({row.block_number for row in rows}))).all())
    for row in rows:
        recorded = known.get(row.block_number)
        if recorded is not None:
            canonical = "0x" + recorded.hex() == row.block_hash
        else:
            canonical = _receipt_block(rpc, row.mined_tx_hash) == (row.block_number, row.block_hash)
        if not canonical:
            _drop(row)
            settled.dropped += 1
        elif row.block_number <= final_block:
            row.status = OperationStatus.confirmed.value
            settled.confirmed += 1
    session.flush()
    return settled


def recheck_confirmed(session: Session, rpc: JsonRpc, chain_id: int, head_block: int) -> int:
    """At start: confirmed operations whose transaction the node no longer has go back to `submitted`.

    Chains lose a suffix (a node restored from an older state, a reorg beyond its finality promise), so the
    check walks from the newest block down and stops at the first transaction that is still there.
    """
    dropped = 0
    rows = session.scalars(select(ChainOperation).where(
        ChainOperation.chain_id == chain_id, ChainOperation.status == OperationStatus.confirmed.value,
        ChainOperation.block_number.is_not(None),
    ).order_by(ChainOperation.block_number.desc()).with_for_update(skip_locked=True))
    for row in rows:
        number, block_hash = _receipt_block(rpc, row.mined_tx_hash) if row.block_number <= head_block else (None, None)
        # Operations confirmed before block hashes were recorded are matched on the number alone.
        if number == row.block_number and row.block_hash in (None, block_hash):
            break
        _drop(row)
        dropped += 1
    session.flush()
    return dropped


def _receipt_block(rpc: JsonRpc, tx_hash: str | None) -> tuple[int, str] | tuple[None, None]:
    receipt = rpc.call("eth_getTransactionReceipt", [tx_hash]) if tx_hash else None
    if not receipt or receipt.get("blockHash") is None:
        return None, None
    return int(receipt["blockNumber"], 16), receipt["blockHash"]


def _drop(row: ChainOperation) -> None:
    log.warning("transaction left the canonical chain; it will be sent again",
                extra={"key": row.idempotency_key, "tx_hash": row.mined_tx_hash, "block": row.block_number})
    row.status = OperationStatus.submitted.value
    row.mined_tx_hash = row.block_number = row.block_hash = row.gas_used = None
