"""Answers from the mirror say which indexed block they reflect, in a header and in the body."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from fastapi import Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from harmoni.errors import ServiceUnavailable
from indexer.store import load_checkpoint

BLOCK_HEADER = "X-Harmoni-Block"
BLOCK_HASH_HEADER = "X-Harmoni-Block-Hash"


class ReflectedBlock(BaseModel):
    number: int = Field(description="Last block the mirror has indexed")
    hash: str = Field(description="Its hash (0x hex)")


def reflected_block(session: Session, response: Response, chain_id: int) -> ReflectedBlock:
    """Pin one snapshot for the rest of the request, then report the block it reflects.

    REPEATABLE READ makes the checkpoint and every later query of the request see the same commit,
    so the block named is exactly the one the data reflects.
    """
    if not session.in_transaction() and isinstance(session.get_bind(), Engine):
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    # else: joined to an outer transaction (tests, nested use), whose snapshot rules apply.
    checkpoint = load_checkpoint(session, chain_id)
    if checkpoint is None:
        raise ServiceUnavailable("the ledger mirror has not indexed any block yet; retry shortly",
                                 failing=["indexer"])
    block = ReflectedBlock(number=checkpoint.block_number, hash="0x" + checkpoint.block_hash.hex())
    response.headers[BLOCK_HEADER] = str(block.number)
    response.headers[BLOCK_HASH_HEADER] = block.hash
    return block


Render = Callable[[Session, Response], BaseModel]
Answer = tuple[bytes, dict[str, str]]  # the JSON body and the block headers


class MirrorCache:
    """Rendered answers keyed by (request, indexed block hash): the mirror changes only when a block is
    indexed, so an answer made at block N stays exact for every request that reflects block N.

    The checkpoint is re-read at most every `checkpoint_ttl_s`, by one request at a time while the others
    keep answering from the block last seen; an answer may therefore reflect a block up to that long after
    a newer one was indexed (it always names the block it reflects). Concurrent misses of one answer share
    one render: when a block is indexed, a popular answer is rendered once, not once per waiting client.
    """

    def __init__(self, checkpoint_ttl_s: float = 0.25, max_entries: int = 10_000) -> None:
        self.checkpoint_ttl_s = checkpoint_ttl_s
        self.max_entries = max_entries
        self._checked_at = float("-inf")
        self._block_hash: str | None = None
        self._answers: OrderedDict[tuple[str, str], Answer] = OrderedDict()
        self._rendering: dict[tuple[str, str | None], asyncio.Future[Answer]] = {}
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()

    def expire(self) -> None:
        """Re-read the checkpoint on the next request (for a caller that has just indexed a block itself)."""
        with self._lock:
            self._checked_at = float("-inf")

    async def answer(self, key: str, sessions: sessionmaker[Session], chain_id: int, render: Render,
                     response: Response | None = None) -> Response:
        """A cached answer for `key` at the current block, or `render(session, response)` stored for it.

        A hit never leaves the event loop; a miss renders in the thread pool with a session of its own.
        Headers the request's dependencies set on `response` (rate-limit counters) are added to the answer.
        """
        if time.monotonic() - self._checked_at >= self.checkpoint_ttl_s and self._refreshing.acquire(blocking=False):
            try:
                await run_in_threadpool(self._refresh, sessions, chain_id)
            finally:
                self._refreshing.release()
        hit = self._lookup(key)
        if hit is None:
            hit = await self._render_once(key, sessions, render)
        answer = Response(hit[0], media_type="application/json", headers=hit[1])
        if response is not None:
            answer.headers.raw.extend(response.headers.raw)
        return answer

    def _refresh(self, sessions: sessionmaker[Session], chain_id: int) -> None:
        with sessions() as session:
            checkpoint = load_checkpoint(session, chain_id)
        with self._lock:
            self._block_hash = "0x" + checkpoint.block_hash.hex() if checkpoint else None
            self._checked_at = time.monotonic()

    def _lookup(self, key: str) -> Answer | None:
        with self._lock:
            if self._block_hash is None:
                return None
            hit = self._answers.get((key, self._block_hash))
            if hit is not None:
                self._answers.move_to_end((key, self._block_hash))
            return hit

    async def _render_once(self, key: str, sessions: sessionmaker[Session], render: Render) -> Answer:
        # Requests that miss while the same block is current join the render already under way.
        flight = (key, self._block_hash)
        pending = self._rendering.get(flight)
        if pending is None:
            pending = asyncio.ensure_future(run_in_threadpool(self._render, key, sessions, render))
            self._rendering[flight] = pending
            pending.add_done_callback(lambda done: self._landed(flight, done))
        # A waiter that goes away (client disconnected) must not cancel the render the others wait for.
        return await asyncio.shield(pending)

    def _landed(self, flight: tuple[str, str | None], done: asyncio.Future[Answer]) -> None:
        self._rendering.pop(flight, None)
        if not done.cancelled():
            done.exception()  # retrieved: every waiter may have gone away, that is no error of its own

    def _render(self, key: str, sessions: sessionmaker[Session], render: Render) -> Answer:
        response = Response(media_type="application/json")
        with sessions() as session:
            model = render(session, response)
        body = model.model_dump_json().encode()
        headers = {name: response.headers[name] for name in (BLOCK_HEADER, BLOCK_HASH_HEADER)}
        with self._lock:
            self._answers[(key, headers[BLOCK_HASH_HEADER])] = (body, headers)
            while len(self._answers) > self.max_entries:
                self._answers.popitem(last=False)
        return body, headers
