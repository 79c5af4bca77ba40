"""The indexer process and its commands: `harmoni indexer run | status | replay --from-block N`."""

from __future__ import annotations

import logging
import signal
import time

from prometheus_client import start_http_server
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from chain import deployments
from chain.errors import RpcError
from chain.rpc import JsonRpc
from harmoni import embedded_db, heartbeats
from harmoni.db import check_connection, get_engine, session_factory
from harmoni.errors import ConfigurationError
from harmoni.settings import Settings
from indexer import store
from indexer.models import IndexerStats
from indexer.reorg import rollback_to
from indexer.service import Indexer, IndexerConfig, chain_lock_key

log = logging.getLogger(__name__)

INDEXED_CONTRACTS = ("RightsRegistry", "SplitVault", "PayoutDistributor", "HarmoniEditions")
HEARTBEAT_EVERY_S = 5.0


def build_indexer(settings: Settings, sessions: sessionmaker[Session]) -> Indexer:
    deployment = deployments.load(settings.chain_id, settings.data_dir)
    if deployment is None:
        raise ConfigurationError(f"no deployment recorded for chain {settings.chain_id}: deploy the contracts first")
    config = IndexerConfig(
        chain_id=settings.chain_id, start_block=deployment.start_block,
        addresses={name: deployment.address(name) for name in INDEXED_CONTRACTS if name in deployment.contracts},
        finality_depth=settings.finality_depth, initial_range=min(settings.indexer_initial_range,
                                                                  settings.indexer_max_range),
        max_range=settings.indexer_max_range)
    return Indexer(sessions, JsonRpc(settings.effective_rpc_url, settings.rpc_timeout_s), config)


def run(settings: Settings) -> int:
    stop = False

    def _stop(_signum, _frame):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with embedded_db.database_url(settings) as url:
        check_connection(url)
        sessions = session_factory(url)
        indexer = build_indexer(settings, sessions)
        with get_engine(url).connect() as guard:
            # One indexer per chain: a second one is refused instead of racing the first. A session-level lock on an
            # autocommit connection: no transaction stays open beside it, so vacuum is never held back.
            guard.execution_options(isolation_level="AUTOCOMMIT")
            key = chain_lock_key(settings.chain_id) + (1 << 40)
            if not guard.execute(text("select pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                raise ConfigurationError(f"another indexer is already running for chain {settings.chain_id}")
            dropped = indexer.recheck_confirmed()
            if dropped:
                log.warning("confirmed operations missing from the chain", extra={"operations": dropped})
            if settings.indexer_metrics_port:
                try:
                    start_http_server(settings.indexer_metrics_port, addr="127.0.0.1")
                except OSError as err:
                    log.warning("metrics port unavailable", extra={"port": settings.indexer_metrics_port,
                                                                    "error": str(err)})
            log.info("indexer started", extra={"chain_id": settings.chain_id})
            last_beat = 0.0
            while not stop:
                try:
                    applied = indexer.step()
                except RpcError as err:  # retries exhausted: the node is down; keep trying, never skip
                    log.warning("rpc unavailable", extra={"error": err.detail})
                    applied = 0
                    time.sleep(settings.indexer_poll_interval_s * 4)
                if time.monotonic() - last_beat > HEARTBEAT_EVERY_S:
                    _check_lock_held(guard, key)
                    with sessions.begin() as session:
                        heartbeats.beat(session, "indexer", {"finalized": indexer.finalized_number})
                    last_beat = time.monotonic()
                if applied == 0:
                    time.sleep(settings.indexer_poll_interval_s)
    log.info("indexer stopped")
    return 0


def _check_lock_held(guard, key: int) -> None:
    """The lock lives as long as its connection: if the server dropped it, another indexer may start, so stop."""
    try:
        held = guard.execute(text("select count(*) from pg_locks where locktype = 'advisory' and granted "
                                  "and pid = pg_backend_pid() and ((classid::bigint << 32) | objid::bigint) = :k"),
                             {"k": key}).scalar()
    except DBAPIError as err:
        raise ConfigurationError("the indexer lost its database connection (and with it the single-indexer lock)"
                                 ) from err
    if not held:
        raise ConfigurationError("the indexer no longer holds its single-indexer lock")


def status(settings: Settings) -> int:
    with embedded_db.database_url(settings) as url:
        check_connection(url)
        sessions = session_factory(url)
        indexer = build_indexer(settings, sessions)
        head = indexer.header("latest")
        finalized = indexer.finalized(head)
        with sessions() as session:
            checkpoint = store.load_checkpoint(session, settings.chain_id)
            stats = session.get(IndexerStats, settings.chain_id)
    indexed = checkpoint.block_number if checkpoint else None
    print(f"chain        {settings.chain_id}")
    print(f"head         {head.number} (0x{head.hash.hex()})")
    print(f"finalized    {finalized}")
    print(f"indexed      {indexed} ({'0x' + checkpoint.block_hash.hex() if checkpoint else '-'})")
    print(f"lag          {head.number - indexed if indexed is not None else '-'} blocks")
    print(f"events       {stats.events_indexed if stats else 0} indexed, "
          f"{stats.events_per_s if stats else 0:.0f} events/s in the last backfill batch")
    print(f"reorgs       {stats.reorgs if stats else 0} seen, deepest {stats.deepest_reorg if stats else 0} blocks")
    return 0


def replay(settings: Settings, from_block: int) -> int:
    """Forget everything from `from_block` on and index it again from the chain."""
    with embedded_db.database_url(settings) as url:
        check_connection(url)
        sessions = session_factory(url)
        indexer = build_indexer(settings, sessions)
        start = max(from_block, indexer.config.start_block)
        keep = indexer.header(start - 1) if start > indexer.config.start_block else None
        with sessions.begin() as session:
            session.execute(text("select pg_advisory_xact_lock(:key)"), {"key": chain_lock_key(settings.chain_id)})
            removed = rollback_to(session, settings.chain_id, start - 1, keep.hash if keep else None)
            store.bump_stats(session, settings.chain_id, -removed)
        print(f"removed {removed} events from block {start} on; indexing again")
        indexer.run_until_caught_up()
        with sessions() as session:
            checkpoint = store.load_checkpoint(session, settings.chain_id)
        print(f"indexed up to block {checkpoint.block_number if checkpoint else '-'}")
    return 0
