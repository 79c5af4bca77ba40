"""The indexer: backfill in adaptive `eth_getLogs` ranges up to finality, then block by block at the head.

Every write transaction takes the chain's advisory lock and re-reads the checkpoint, so a replay
or a second process can never interleave with it; the checkpoint is written with the rows it covers.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from chain.client import BlockRef
from chain.errors import RpcError
from chain.rpc import JsonRpc, LogRangeTooLarge
from indexer import metrics, store
from indexer.decoder import DecodedEvent, EventDecoder, RawLog
from indexer.projector import Batch, Projector, asset_ids_touched, split_versions_needed
from indexer.reorg import find_common_ancestor, rollback_to
from indexer.settlement import Settled, recheck_confirmed, settle_inclusions
from notifications import events as notification_events

log = logging.getLogger(__name__)

POLYGON_FINALITY_DEPTH = 256


def chain_lock_key(chain_id: int) -> int:
    return 0x4A524D00 + chain_id  # one advisory lock per chain's mirror


@dataclass
class IndexerConfig:
    chain_id: int
    start_block: int
    addresses: dict[str, str]  # contract name -> address
    # None: trust the node's `finalized` tag, falling back to `fallback_depth` where it has none.
    finality_depth: int | None = None
    fallback_depth: int = POLYGON_FINALITY_DEPTH
    initial_range: int = 2_000
    max_range: int = 100_000
    target_logs_per_range: int = 20_000


def _block(raw: dict | None) -> BlockRef | None:
    if raw is None:
        return None
    return BlockRef(number=int(raw["number"], 16), hash=bytes.fromhex(raw["hash"][2:]),
                    parent_hash=bytes.fromhex(raw["parentHash"][2:]), timestamp=int(raw["timestamp"], 16))


class Indexer:
    def __init__(self, sessions: sessionmaker[Session], rpc: JsonRpc, config: IndexerConfig) -> None:
        self.sessions = sessions
        self.rpc = rpc
        self.config = config
        self.decoder = EventDecoder(config.addresses)
        self.projector = Projector(config.chain_id)
        self.range_size = config.initial_range
        self.range_cap = config.max_range
        self.finalized_number = 0

    # -- chain reads -------------------------------------------------------------------------------------
    def header(self, ref: int | str) -> BlockRef | None:
        return _block(self.rpc.call("eth_getBlockByNumber", [hex(ref) if isinstance(ref, int) else ref, False]))

    def finalized(self, head: BlockRef) -> int:
        if self.config.finality_depth is not None:
            return max(head.number - self.config.finality_depth, 0)
        block = self.header("finalized")
        return block.number if block is not None else max(head.number - self.config.fallback_depth, 0)

    def fetch_logs(self, start: int, end: int) -> list[DecodedEvent]:
        raw = self.rpc.call("eth_getLogs", [{"address": self.decoder.addresses,
                                             "fromBlock": hex(start), "toBlock": hex(end)}])
        return self._decode(raw)

    def _decode(self, raw_logs: list[dict]) -> list[DecodedEvent]:
        events = []
        for raw in raw_logs:
            if raw.get("removed"):
                continue
            event = self.decoder.decode(RawLog.from_rpc(raw))
            if event is not None:
                events.append(event)
        return events

    # -- the loop ----------------------------------------------------------------------------------------
    def step(self) -> int:
        """Do one unit of work (one backfill range or the blocks up to the head), then settle the platform's
        included transactions against what is now indexed; returns events applied."""
        applied = self._advance()
        self.settle_operations()
        return applied

    def settle_operations(self) -> Settled:
        with self.sessions.begin() as session:
            checkpoint = store.load_checkpoint(session, self.config.chain_id)
            if checkpoint is None:
                return Settled()
            return settle_inclusions(session, self.rpc, self.config.chain_id, indexed_block=checkpoint.block_number,
                                     final_block=min(self.finalized_number, checkpoint.block_number))

    def recheck_confirmed(self) -> int:
        """At start: send back confirmed operations the node lost (`indexer.settlement.recheck_confirmed`)."""
        head = self.header("latest")
        with self.sessions.begin() as session:
            return recheck_confirmed(session, self.rpc, self.config.chain_id, head.number)

    def _advance(self) -> int:
        head = self.header("latest")
        self.finalized_number = self.finalized(head)
        with self.sessions() as session:
            checkpoint = store.load_checkpoint(session, self.config.chain_id)
        next_block = checkpoint.block_number + 1 if checkpoint else self.config.start_block
        metrics.observe_heads(head.number, self.finalized_number, checkpoint.block_number if checkpoint else None)
        if checkpoint is not None and checkpoint.block_number > head.number:
            return self._handle_reorg(checkpoint, head.number)
        if next_block <= self.finalized_number:
            # The checkpoint may have been reorged away while we were behind: check before building on it.
            if checkpoint is not None and self.header(checkpoint.block_number).hash != checkpoint.block_hash:
                return self._handle_reorg(checkpoint, checkpoint.block_number)
            return self.backfill_range(next_block, self.finalized_number)
        applied = 0
        for number in range(next_block, head.number + 1):
            result = self.follow_block(number)
            if result is None:  # reorg handled: start over from the new checkpoint
                break
            applied += result
        return applied

    def run_until_caught_up(self, max_idle_steps: int = 50) -> None:
        """Index until the checkpoint equals the head (used by tests, benchmarks and replays)."""
        idle = 0
        while idle < max_idle_steps:
            head = self.header("latest")
            with self.sessions() as session:
                checkpoint = store.load_checkpoint(session, self.config.chain_id)
            if checkpoint is not None and checkpoint.block_number == head.number and checkpoint.block_hash == head.hash:
                self.finalized_number = self.finalized(head)
                self.settle_operations()
                return
            before = checkpoint
            try:
                self.step()
            except RpcError as err:  # retries exhausted: like the runner, try again rather than skip
                log.warning("rpc unavailable", extra={"error": err.detail})
            with self.sessions() as session:
                idle = 0 if store.load_checkpoint(session, self.config.chain_id) != before else idle + 1
        raise RuntimeError(f"indexer made no progress in {max_idle_steps} steps (checkpoint {before}, head {head})")

    def run_forever(self, should_stop, poll_interval_s: float) -> None:
        while not should_stop():
            if self.step() == 0:
                time.sleep(poll_interval_s)

    # -- backfill ----------------------------------------------------------------------------------------
    def backfill_range(self, start: int, limit: int) -> int:
        end = min(start + self.range_size - 1, limit)
        started = time.perf_counter()
        try:
            events = self.fetch_logs(start, end)
        except LogRangeTooLarge as err:
            self._shrink(start, end, err.suggested_to)
            return 0
        last = self.header(end)
        applied = self._write(events, start - 1, bulk=True, last=last)
        if applied is None:
            return 0
        if len(events) < self.config.target_logs_per_range:
            self.range_size = max(min(self.range_size * 2, self.config.max_range, self.range_cap), 1)
        metrics.observe_batch(applied, time.perf_counter() - started)
        return applied

    def _shrink(self, start: int, end: int, suggested_to: int | None) -> None:
        if suggested_to is not None and start <= suggested_to < end:
            self.range_size = suggested_to - start + 1
        else:
            self.range_size = max((end - start + 1) // 2, 1)
        # Never grow back to a size the provider refused: it would refuse again.
        self.range_cap = min(self.range_cap, end - start)
        log.info("log range shrunk", extra={"range": self.range_size})

    # -- head --------------------------------------------------------------------------------------------
    def follow_block(self, number: int) -> int | None:
        block = self.header(number)
        if block is None:
            return 0
        with self.sessions() as session:
            checkpoint = store.load_checkpoint(session, self.config.chain_id)
        if checkpoint is not None and block.parent_hash != checkpoint.block_hash:
            self._handle_reorg(checkpoint, number - 1)
            return None
        events = self._decode(self.rpc.call("eth_getLogs", [{"address": self.decoder.addresses,
                                                             "blockHash": "0x" + block.hash.hex()}]))
        return self._write(events, number - 1, bulk=False, last=block)

    def _handle_reorg(self, checkpoint: store.Checkpoint, below: int) -> int:
        with self.sessions.begin() as session:
            self._lock(session)
            ancestor = find_common_ancestor(session, self.config.chain_id, min(checkpoint.block_number, below),
                                            self.header)
            depth = checkpoint.block_number - ancestor.number
            removed = rollback_to(session, self.config.chain_id, ancestor.number, ancestor.hash)
            store.bump_stats(session, self.config.chain_id, -removed, reorg_depth=max(depth, 1))
        metrics.observe_reorg(depth)
        log.warning("reorg", extra={"depth": depth, "ancestor": ancestor.number, "events_removed": removed})
        return 0

    # -- writing -----------------------------------------------------------------------------------------
    def _lock(self, session: Session) -> None:
        session.execute(text("select pg_advisory_xact_lock(:key)"), {"key": chain_lock_key(self.config.chain_id)})

    def _write(self, events: list[DecodedEvent], expected_checkpoint: int, bulk: bool, last: BlockRef) -> int | None:
        """Project and write `events` and move the checkpoint to `last`, unless someone moved it meanwhile."""
        chain_id = self.config.chain_id
        with self.sessions.begin() as session:
            self._lock(session)
            checkpoint = store.load_checkpoint(session, chain_id)
            current = checkpoint.block_number if checkpoint else self.config.start_block - 1
            if current != expected_checkpoint:
                return None  # a replay or another writer moved it: recompute from the new checkpoint
            batch = Batch(chain_id)
            batch.assets = store.load_assets(session, chain_id, asset_ids_touched(events))
            batch.stored_asset_ids = set(batch.assets)
            splits = store.load_splits(session, chain_id, split_versions_needed(events))
            self.projector.project(events, batch, lambda asset_id, version: splits[(asset_id, version)])
            store.write_batch(session, batch, bulk=bulk)
            # Who the batch concerns is told in the same transaction (a replay tells nobody twice).
            notification_events.chain_batch(session, batch.rows, batch.assets,
                                            [a for a in batch.assets if a not in batch.stored_asset_ids])
            store.record_block(session, chain_id, last, final=last.number <= self.finalized_number)
            store.save_checkpoint(session, chain_id, last.number, last.hash)
            store.bump_stats(session, chain_id, batch.events)
            if not bulk and last.number % 64 == 0:
                store.prune_blocks(session, chain_id, self.finalized_number - 1)
        metrics.observe_written(batch.events, last.number)
        return batch.events
