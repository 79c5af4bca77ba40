"""Crash: SIGKILL the indexer process at random moments of a backfill; the result equals an uninterrupted run."""

import os
import random
import signal
import subprocess
import sys
import time

from sqlalchemy import create_engine, text

from harmoni.db import normalize_url
from tests.indexer.conftest import make_indexer, mirror_snapshot

MIN_EVENTS = 10_000


def _checkpoint(engine) -> int | None:
    with engine.connect() as conn:
        return conn.execute(text("select block_number from indexer_checkpoints")).scalar()


def _beat_from(engine, pid: int) -> bool:
    """The indexer process `pid` is past its start-up (it reported a heartbeat)."""
    with engine.connect() as conn:
        return conn.execute(text("select pid from component_heartbeats where component = 'indexer'")).scalar() == pid


def test_sigkill_during_backfill_loses_and_duplicates_nothing(private_chain, private_workload, fresh_db, tmp_path):
    events = private_workload.bulk(MIN_EVENTS, per_block=60)
    assert events >= MIN_EVENTS
    private_workload.rpc.call("anvil_mine", [hex(70)])  # everything below anvil's finalized tag (head - 64)
    head = private_chain.client.head().number

    reference = fresh_db()
    make_indexer(reference, private_chain.client.rpc_url, private_chain.deployment).run_until_caught_up()

    crashed = fresh_db()
    engine = create_engine(normalize_url(crashed))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONI_")}
    env.update(HARMONI_DATABASE_URL=crashed, HARMONI_RPC_URL=private_chain.client.rpc_url,
               HARMONI_DATA_DIR=str(private_chain.data_dir), HARMONI_INDEXER_METRICS_PORT="0",
               HARMONI_INDEXER_INITIAL_RANGE="4", HARMONI_INDEXER_MAX_RANGE="8", HARMONI_LOG_LEVEL="WARNING")
    rng = random.Random(5)
    start = private_chain.deployment.start_block
    kills, log = [], open(tmp_path / "indexer.log", "ab")  # noqa: SIM115

    def start_indexer() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "harmoni.cli", "indexer", "run"], env=env,
                                stdout=log, stderr=subprocess.STDOUT)

    for _ in range(5):
        at = _checkpoint(engine) or start
        target = at + rng.randint(1, max((head - at) // 3, 1))  # a random point of what is left
        proc = start_indexer()
        while (_checkpoint(engine) or start) < target and proc.poll() is None:
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.05))  # sometimes between two batches, sometimes inside one
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills.append(_checkpoint(engine))
    proc = start_indexer()
    deadline = time.monotonic() + 300
    while _checkpoint(engine) != head or not _beat_from(engine, proc.pid):
        assert proc.poll() is None, (tmp_path / "indexer.log").read_text()[-3000:]
        assert time.monotonic() < deadline, "the restarted indexer did not finish"
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    engine.dispose()

    assert sum(1 for at in kills if at is not None and at < head) == 5, kills  # every kill hit the backfill
    got, want = mirror_snapshot(crashed), mirror_snapshot(reference)
    assert len(want["chain_events"]) >= MIN_EVENTS
    for table in want:
        assert got[table] == want[table], table
