"""Reorgs: find where our stored chain and the node's chain part, and roll the mirror back to there.

Append-only projections drop their rows above the ancestor; assets touched by those rows are
rebuilt from the raw events that survive, through the same projection function as the live path.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from chain.client import BlockRef
from discovery.search import repository as search_outbox
from harmoni.errors import HarmoniError
from indexer.decoder import DecodedEvent, RawLog
from indexer.models import ChainEvent, IndexedBlock, IndexerCheckpoint
from indexer.projector import REGISTRY, apply_to_asset
from indexer.store import save_checkpoint, upsert_assets
from ledger.models import LOGGED_TABLES, Asset, Edition


class ReorgBeyondFinality(HarmoniError):
    slug = "reorg-beyond-finality"
    title = "Reorg deeper than finality"


def find_common_ancestor(session: Session, chain_id: int, below: int,
                         canonical: Callable[[int], BlockRef | None]) -> BlockRef:
    """Walk back from block `below` until a stored block hash equals the node's block at that height.

    Raises ReorgBeyondFinality when the walk passes a block that was final when indexed, or finds no
    common block at all: the node broke its finality promise and the mirror must not guess.
    """
    stored = session.execute(select(IndexedBlock.number, IndexedBlock.hash, IndexedBlock.final)
                             .where(IndexedBlock.chain_id == chain_id, IndexedBlock.number <= below)
                             .order_by(IndexedBlock.number.desc())).all()
    for number, block_hash, final in stored:
        block = canonical(number)
        if block is not None and block.hash == block_hash:
            return block
        if final:
            raise ReorgBeyondFinality(
                f"chain {chain_id} replaced block {number}, which was final when indexed: the mirror stops; "
                "check the node, then run `harmoni indexer replay --from-block N`")
    raise ReorgBeyondFinality(
        f"chain {chain_id} shares no block with the mirror at or below {below}: the mirror stops; "
        "check the node, then run `harmoni indexer replay --from-block N`")


def rollback_to(session: Session, chain_id: int, ancestor_number: int, ancestor_hash: bytes | None) -> int:
    """Remove everything the mirror holds above `ancestor_number`; returns how many raw events went.

    With `ancestor_hash` None the checkpoint is removed (the mirror starts again from scratch).
    """
    above = ChainEvent.block_number > ancestor_number
    touched = {
        int(value) for (value,) in session.execute(
            select(ChainEvent.args["assetId"].astext)
            .where(ChainEvent.chain_id == chain_id, above, ChainEvent.contract == REGISTRY,
                   ChainEvent.args.has_key("assetId")))
    }
    # The search index hears of them, and of the assets whose editions go with the dropped blocks.
    search_outbox.announce_assets(session, touched | set(session.scalars(select(Edition.asset_id).where(
        Edition.chain_id == chain_id, Edition.block_number > ancestor_number))))
    for model in LOGGED_TABLES:
        session.execute(delete(model).where(model.chain_id == chain_id, model.block_number > ancestor_number))
    removed = session.execute(delete(ChainEvent).where(ChainEvent.chain_id == chain_id, above)).rowcount
    session.execute(delete(IndexedBlock).where(IndexedBlock.chain_id == chain_id,
                                               IndexedBlock.number > ancestor_number))
    if touched:
        session.execute(delete(Asset).where(Asset.chain_id == chain_id, Asset.asset_id.in_(touched)))
        upsert_assets(session, rebuild_assets(session, chain_id, touched))
    if ancestor_hash is None:
        session.execute(delete(IndexerCheckpoint).where(IndexerCheckpoint.chain_id == chain_id))
    else:
        save_checkpoint(session, chain_id, ancestor_number, ancestor_hash)
    return removed


def rebuild_assets(session: Session, chain_id: int, asset_ids: set[int]) -> list[dict]:
    """Replay the stored registry events of `asset_ids`, in chain order, into fresh asset rows."""
    rows = session.execute(
        select(ChainEvent).where(ChainEvent.chain_id == chain_id, ChainEvent.contract == REGISTRY,
                                 ChainEvent.args["assetId"].astext.in_([str(i) for i in asset_ids]))
        .order_by(ChainEvent.block_number, ChainEvent.log_index)).scalars()
    assets: dict[int, dict] = {}
    for row in rows:
        log = RawLog(row.block_number, row.block_hash, row.tx_hash, row.tx_index, row.log_index, row.address, (), b"")
        event = DecodedEvent(log, row.contract, row.event, row.args)
        after = apply_to_asset(assets.get(row.args["assetId"]), chain_id, event)
        if after is not None:
            assets[row.args["assetId"]] = after
    return list(assets.values())
