"""`harmoni indexer status | replay` as a user runs them."""

import os
import subprocess
import sys
import time

from sqlalchemy import create_engine, text

from harmoni.db import normalize_url
from tests.indexer.conftest import make_indexer, mirror_snapshot


def _cli(env, *args):
    return subprocess.run([sys.executable, "-m", "harmoni.cli", "indexer", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_status_and_replay(private_chain, private_workload, fresh_db):
    private_workload.bulk(300, per_block=30)
    url = fresh_db()
    make_indexer(url, private_chain.client.rpc_url, private_chain.deployment).run_until_caught_up()
    before = mirror_snapshot(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONI_")}
    env.update(HARMONI_DATABASE_URL=url, HARMONI_RPC_URL=private_chain.client.rpc_url,
               HARMONI_DATA_DIR=str(private_chain.data_dir))

    status = _cli(env, "status")
    assert status.returncode == 0, status.stderr
    head = private_chain.client.head()
    lines = dict(line.split(None, 1) for line in status.stdout.splitlines())
    assert lines["head"].startswith(str(head.number)) and f"0x{head.hash.hex()}" in lines["head"]
    assert lines["indexed"].startswith(str(head.number)) and lines["lag"].startswith("0 ")
    assert lines["events"].startswith(str(len(before["chain_events"])))

    middle = (private_chain.deployment.start_block + head.number) // 2
    engine = create_engine(normalize_url(url))
    with engine.connect() as conn:  # damage the mirror above `middle`: replay must repair it
        conn.execute(text("delete from vault_credits where block_number >= :b"), {"b": middle})
        conn.commit()
    replay = _cli(env, "replay", "--from-block", str(middle))
    assert replay.returncode == 0, replay.stderr
    assert f"indexed up to block {head.number}" in replay.stdout
    after = mirror_snapshot(url)
    assert after["vault_credits"] == before["vault_credits"]
    with engine.connect() as conn:
        stats = conn.execute(text("select events_indexed from indexer_stats")).scalar()
    engine.dispose()
    assert stats == len(before["chain_events"])


def test_run_holds_its_lock_without_an_open_transaction_and_stops_when_it_loses_it(private_chain, fresh_db):
    url = fresh_db()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONI_")}
    env.update(HARMONI_DATABASE_URL=url, HARMONI_RPC_URL=private_chain.client.rpc_url,
               HARMONI_DATA_DIR=str(private_chain.data_dir), HARMONI_INDEXER_METRICS_PORT="0")
    proc = subprocess.Popen([sys.executable, "-m", "harmoni.cli", "indexer", "run"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            deadline = time.monotonic() + 60
            while conn.execute(text("select count(*) from indexer_checkpoints")).scalar() == 0:
                assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
                time.sleep(0.2)
                conn.rollback()
            time.sleep(2.5)  # several idle polls
            # A poll may be caught between two statements of its own short transaction; what must
            # never happen is a transaction that stays open across polls (the lock held inside one).
            sessions = conn.execute(text(
                "select state, extract(epoch from now() - xact_start) from pg_stat_activity "
                "where datname = current_database() and pid <> pg_backend_pid()"
            )).all()
            assert sessions, sessions
            assert all(age is None or age < 2.0 for _state, age in sessions), sessions
            holder = conn.execute(text("select pid from pg_locks where locktype = 'advisory' and granted "
                                       "and classid = 256 and objid = :low"), {"low": 0x4A524D00 + 31337}).scalar()
            assert holder is not None
            conn.execute(text("select pg_terminate_backend(:p)"), {"p": holder})
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        engine.dispose()
    assert proc.returncode == 2
    assert err.strip().splitlines()[-1].startswith("harmoni: error: the indexer lost its database connection"), err
