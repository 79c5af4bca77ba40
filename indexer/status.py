"""Where the mirror stands against the chain: used by /readyz and `harmoni status`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from chain.client import ChainClient
from chain.errors import RpcError
from indexer.store import load_checkpoint


@dataclass(frozen=True)
class Readiness:
    database: str | None  # None when fine, else the reason
    chain: str | None
    indexer: str | None
    head_block: int | None
    indexed_block: int | None
    indexed_hash: str | None

    @property
    def ready(self) -> bool:
        return self.database is None and self.chain is None and self.indexer is None

    @property
    def lag(self) -> int | None:
        if self.head_block is None or self.indexed_block is None:
            return None
        return max(self.head_block - self.indexed_block, 0)

    def failing(self) -> list[str]:
        return [name for name in ("database", "chain", "indexer") if getattr(self, name) is not None]


def readiness(session: Session, client: ChainClient, chain_id: int, max_lag: int) -> Readiness:
    database = chain = indexer = None
    head = indexed = indexed_hash = None
    try:
        session.execute(text("select 1"))
        checkpoint = load_checkpoint(session, chain_id)
    except SQLAlchemyError as err:
        database = f"unreachable: {type(err).__name__}"
        checkpoint = None
    try:
        head = client.head().number
    except RpcError as err:
        chain = err.detail
    if checkpoint is not None:
        indexed, indexed_hash = checkpoint.block_number, "0x" + checkpoint.block_hash.hex()
    if database is None and chain is None:
        if checkpoint is None:
            indexer = "has not indexed any block yet"
        elif head - checkpoint.block_number > max_lag:
            indexer = f"lags {head - checkpoint.block_number} blocks behind the head (bound {max_lag})"
    return Readiness(database, chain, indexer, head, indexed, indexed_hash)
