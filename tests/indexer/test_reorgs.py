"""Reorg differential: random activity and anvil reorgs while the indexer runs; afterwards the mirror
equals a replay of the canonical chain into an empty database."""

import random
import threading

from sqlalchemy import create_engine, text

from chain.errors import RpcError
from harmoni.db import normalize_url
from indexer.reorg import ReorgBeyondFinality
from tests.indexer.conftest import make_indexer, mirror_snapshot

ROUNDS = int(__import__("os").environ.get("REORG_ROUNDS", "50"))


def test_mirror_survives_random_reorgs(private_chain, private_workload, fresh_db):
    chain, workload = private_chain, private_workload
    live_url = fresh_db()
    indexer = make_indexer(live_url, chain.client.rpc_url, chain.deployment, initial_range=8)
    stop = threading.Event()
    failures: list[BaseException] = []
    steps, rpc_errors = [], []

    def run():
        while not stop.is_set():
            try:
                indexer.step()
                steps.append(1)
            except RpcError as err:
                rpc_errors.append(err)  # a block vanished under us mid-step: the next step sees the new chain
            except BaseException as err:
                failures.append(err)
                return
            stop.wait(0.005)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    rng = random.Random(11)
    floor = int(workload.rpc.call("eth_blockNumber", []), 16)  # never reorg the deployment away
    next_id = workload.next_asset_id()
    depths = []
    try:
        for _ in range(ROUNDS):
            for _ in range(rng.randint(2, 8)):
                tx, next_id = workload.random_action(next_id)
                workload.send([tx])
            head = int(workload.rpc.call("eth_blockNumber", []), 16)
            depth = rng.randint(1, min(20, head - floor))
            replacement = []
            for _ in range(rng.randint(0, 3)):
                tx, next_id = workload.random_action(next_id)
                replacement.append([tx, rng.randint(0, depth - 1)])
            workload.rpc.call("anvil_reorg", [depth, replacement])
            depths.append(depth)
            workload.resync()
            next_id = workload.next_asset_id()
            stop.wait(rng.choice([0, 0.01, 0.05]))
    finally:
        stop.set()
        thread.join(30)
    assert not failures, failures
    print(f"steps {len(steps)} rpc errors {len(rpc_errors)} {rpc_errors[:3]}")
    indexer.run_until_caught_up()

    replay_url = fresh_db()
    make_indexer(replay_url, chain.client.rpc_url, chain.deployment).run_until_caught_up()
    live, replay = mirror_snapshot(live_url), mirror_snapshot(replay_url)
    assert live["chain_events"], "no events indexed"
    for table in live:
        assert live[table] == replay[table], table
    engine = create_engine(normalize_url(live_url))
    with engine.connect() as conn:
        reorgs, deepest = conn.execute(text("select reorgs, deepest_reorg from indexer_stats")).one()
    engine.dispose()
    assert reorgs >= 1 and 1 <= deepest <= 20
    assert len(depths) == ROUNDS


def test_reorg_below_finality_stops_the_indexer(private_chain, private_workload, fresh_db):
    chain, workload = private_chain, private_workload
    url = fresh_db()
    for _ in range(5):
        workload.send([workload.register(workload.next_asset_id())])
    indexer = make_indexer(url, chain.client.rpc_url, chain.deployment, finality_depth=2)
    indexer.run_until_caught_up()
    workload.rpc.call("anvil_reorg", [4, []])
    workload.rpc.call("anvil_mine", ["0x1"])
    try:
        indexer.run_until_caught_up()
    except ReorgBeyondFinality as err:
        assert "final when indexed" in err.detail and "replay" in err.detail
    else:
        raise AssertionError("a reorg deeper than finality must stop the indexer")
