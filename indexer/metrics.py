"""Prometheus metrics of the indexer process."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HEAD = Gauge("harmoni_indexer_head_block", "Chain head block number")
FINALIZED = Gauge("harmoni_indexer_finalized_block", "Finalized block number")
INDEXED = Gauge("harmoni_indexer_indexed_block", "Last block reflected in the mirror")
LAG = Gauge("harmoni_indexer_lag_blocks", "Blocks the mirror trails the head")
EVENTS = Counter("harmoni_indexer_events_total", "Events indexed")
EVENTS_PER_S = Gauge("harmoni_indexer_events_per_second", "Throughput of the last backfill batch")
REORGS = Counter("harmoni_indexer_reorgs_total", "Reorgs handled")
REORG_DEPTH = Histogram("harmoni_indexer_reorg_depth_blocks", "Depth of handled reorgs",
                        buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256))
DEEPEST_REORG = Gauge("harmoni_indexer_deepest_reorg_blocks", "Deepest reorg handled since start")


_head = 0


def observe_heads(head: int, finalized: int, indexed: int | None) -> None:
    global _head
    _head = head
    HEAD.set(head)
    FINALIZED.set(finalized)
    if indexed is not None:
        INDEXED.set(indexed)
        LAG.set(max(head - indexed, 0))


def observe_written(count: int, indexed: int) -> None:
    EVENTS.inc(count)
    INDEXED.set(indexed)
    LAG.set(max(_head - indexed, 0))


def observe_batch(count: int, seconds: float) -> None:
    if seconds > 0:
        EVENTS_PER_S.set(count / seconds)


_deepest = 0


def observe_reorg(depth: int) -> None:
    global _deepest
    REORGS.inc()
    REORG_DEPTH.observe(depth)
    _deepest = max(_deepest, depth)
    DEEPEST_REORG.set(_deepest)
