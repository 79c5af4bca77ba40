"""Indexer throughput: backfill of N events from anvil into PostgreSQL, beside two ceilings of the same run.

    python scripts/bench_indexer.py --events 100000

Prints one JSON line: `events_per_s` (end to end: eth_getLogs, decode, project, COPY, checkpoint),
`fetch_events_per_s` (eth_getLogs + ABI decoding of the same range, nothing written) and
`copy_rows_per_s` (COPY of the same raw event rows into an empty table), plus their ratios.
PostgreSQL: HARMONI_DATABASE_URL if set, else an embedded server in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chain import artifacts
from chain.client import ChainClient
from chain.deploy import deploy_all
from chain.node import AnvilNode
from chain.rpc import JsonRpc
from chain.wallets import anvil_dev_account
from harmoni import embedded_db, migrate
from harmoni.db import get_engine, normalize_url
from indexer.models import ChainEvent
from indexer.projector import Batch, raw_row
from indexer.runner import INDEXED_CONTRACTS
from indexer.service import Indexer, IndexerConfig
from indexer.store import write_batch
from scripts.workload import Workload


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(server_url: str) -> str:
    name = f"harmoni_bench_{uuid.uuid4().hex[:8]}"
    admin = make_url(normalize_url(server_url)).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = make_url(normalize_url(server_url)).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--per-block", type=int, default=400, help="transactions per generated block")
    args = parser.parse_args()

    artifacts.ensure_built()
    work_dir = Path(tempfile.mkdtemp(prefix="harmoni-bench-"))
    node = AnvilNode(free_port(), 31337, state_path=None, extra_args=("--order", "fifo"))
    node.start()
    started_pg = False
    try:
        deployment = deploy_all(ChainClient(node.url), anvil_dev_account(0), anvil_dev_account(1).address, work_dir)
        workload = Workload(node.url, deployment, seed=1)
        workload.setup_payouts()
        t0 = time.perf_counter()
        generated = workload.bulk(args.events, per_block=args.per_block)
        generate_s = time.perf_counter() - t0
        workload.rpc.call("anvil_mine", [hex(70)])  # all of it below anvil's finalized tag: a true backfill

        server = os.environ.get("HARMONI_DATABASE_URL")
        if not server:
            server, started_pg = embedded_db.start(work_dir, database="postgres")
        config = IndexerConfig(chain_id=31337, start_block=deployment.start_block,
                               addresses={n: deployment.address(n) for n in INDEXED_CONTRACTS})

        # 1. End to end, into an empty mirror.
        url = fresh_database(server)
        indexer = Indexer(sessionmaker(bind=get_engine(url)), JsonRpc(node.url, timeout_s=120), config)
        t0 = time.perf_counter()
        indexer.run_until_caught_up()
        backfill_s = time.perf_counter() - t0
        with get_engine(url).connect() as conn:
            indexed = conn.exec_driver_sql("select count(*) from chain_events").scalar()

        # 2. Fetch ceiling: the same range, fetched and decoded in the same ranges, nothing written.
        probe = Indexer(sessionmaker(bind=get_engine(url)), JsonRpc(node.url, timeout_s=120), config)
        head = probe.header("latest").number
        t0 = time.perf_counter()
        fetched, start = [], config.start_block
        while start <= head:
            end = min(start + indexer.range_size - 1, head)
            fetched += probe.fetch_logs(start, end)
            start = end + 1
        fetch_s = time.perf_counter() - t0

        # 3. Write ceiling: COPY the same raw rows into an empty table.
        rows = [raw_row(31337, event) for event in fetched]
        copy_url = fresh_database(server)
        session = sessionmaker(bind=get_engine(copy_url))()
        t0 = time.perf_counter()
        only_raw = Batch(31337)
        only_raw.rows[ChainEvent] = rows
        write_batch(session, only_raw, bulk=True)
        session.commit()
        copy_s = time.perf_counter() - t0
        session.close()
    finally:
        node.stop()
        if started_pg:
            embedded_db.stop(work_dir)

    result = {
        "events": indexed,
        "generated_events": generated,
        "generate_s": round(generate_s, 2),
        "backfill_s": round(backfill_s, 3),
        "events_per_s": round(indexed / backfill_s),
        "fetch_events_per_s": round(len(fetched) / fetch_s),
        "copy_rows_per_s": round(len(rows) / copy_s),
        "ratio_to_fetch": round(indexed / backfill_s / (len(fetched) / fetch_s), 3),
        "reference_events_per_s": {"envio": 492, "rindexer": 207, "ponder": 44},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
