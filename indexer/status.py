"""Where the mirror stands against the chain: used by /readyz and `harmoni status`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

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
    database = chain = None
    head = None
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
    return _combine(database, chain, checkpoint, head, max_lag)


def _combine(database: str | None, chain: str | None, checkpoint, head: int | None, max_lag: int) -> Readiness:
    indexer = indexed = indexed_hash = None
    if checkpoint is not None:
        indexed, indexed_hash = checkpoint.block_number, "0x" + checkpoint.block_hash.hex()
    if database is None and chain is None:
        if checkpoint is None:
            indexer = "has not indexed any block yet"
        elif head - checkpoint.block_number > max_lag:
            indexer = f"lags {head - checkpoint.block_number} blocks behind the head (bound {max_lag})"
    return Readiness(database, chain, indexer, head, indexed, indexed_hash)


class BoundedReadiness:
    """`readiness` that answers within `timeout_s` even while the database or the chain hangs.

    Each part is asked on a thread of its own; a part that has not answered in time is reported as not answering.
    At most one question per part is in flight: while an earlier one still hangs, later probes wait on it rather than
    pile up threads and connections.
    """

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readyz")
        self._inflight: dict[str, Future] = {}
        self._mutex = threading.Lock()

    def check(self, sessions: sessionmaker[Session], client: ChainClient, chain_id: int, max_lag: int) -> Readiness:
        database = self._ask("database", lambda: _database_state(sessions, chain_id))
        chain = self._ask("chain", lambda: client.head().number)
        wait([database, chain], timeout=self.timeout_s)
        late = f"no answer within {self.timeout_s:g} s"
        db_error, checkpoint = database.result() if database.done() else (late, None)
        head, chain_error = None, None
        if not chain.done():
            chain_error = late
        elif isinstance(chain.exception(), RpcError):
            chain_error = chain.exception().detail
        else:
            head = chain.result()
        return _combine(db_error, chain_error, checkpoint, head, max_lag)

    def _ask(self, part: str, question: Callable) -> Future:
        with self._mutex:
            current = self._inflight.get(part)
            if current is None or current.done():
                current = self._inflight[part] = self._pool.submit(question)
            return current


def _database_state(sessions: sessionmaker[Session], chain_id: int):
    try:
        with sessions() as session:
            session.execute(text("select 1"))
            return None, load_checkpoint(session, chain_id)
    except SQLAlchemyError as err:
        return f"unreachable: {type(err).__name__}", None
