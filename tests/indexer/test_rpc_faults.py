"""RPC faults: errors, timeouts, HTTP 429/503 and range limits between the indexer and the node."""

from chain.rpc import JsonRpc
from tests.indexer.conftest import make_indexer, mirror_snapshot
from tests.indexer.fault_proxy import FaultProxy


def test_indexer_finishes_with_the_same_result_through_a_faulty_provider(private_chain, private_workload,
                                                                          fresh_db):
    private_workload.bulk(2_000, per_block=40)
    private_workload.rpc.call("anvil_mine", [hex(80)])  # part backfill (below finality), part head
    reference = fresh_db()
    make_indexer(reference, private_chain.client.rpc_url, private_chain.deployment).run_until_caught_up()

    faulty = fresh_db()
    with FaultProxy(private_chain.client.rpc_url, seed=3) as proxy:
        indexer = make_indexer(faulty, proxy.url, private_chain.deployment, initial_range=64)
        indexer.rpc = JsonRpc(proxy.url, timeout_s=0.5)
        indexer.run_until_caught_up()
        private_workload.send([private_workload.register(private_workload.next_asset_id())])  # one at the head
        indexer.run_until_caught_up()
        make_indexer(reference, private_chain.client.rpc_url, private_chain.deployment).run_until_caught_up()

    for kind in ("rpc_error", "http_429", "http_503", "timeout", "range_limit", "range_limit_hinted"):
        assert proxy.injected[kind] > 0, (kind, proxy.injected)
    assert indexer.rpc.errors > 0 and indexer.range_cap < 64  # learnt the provider limit
    got, want = mirror_snapshot(faulty), mirror_snapshot(reference)
    assert len(want["chain_events"]) >= 2_000
    for table in want:
        assert got[table] == want[table], table

