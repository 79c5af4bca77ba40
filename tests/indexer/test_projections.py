"""The mirror equals the chain: every projection checked against the contracts' own views."""

from prometheus_client import REGISTRY
from sqlalchemy import create_engine, text

from harmoni.db import normalize_url
from tests.indexer.conftest import make_indexer, mirror_snapshot


def _run_workload(workload, actions: int) -> None:
    next_id = workload.next_asset_id()
    txs = []
    for _ in range(actions):
        tx, next_id = workload.random_action(next_id)
        txs.append(tx)
    for tx in txs:  # automine: one block per transaction
        workload.send([tx])
    workload.send(workload.claim_latest())


def test_projections_match_contract_state(chain, workload, fresh_db):
    _run_workload(workload, 150)
    url = fresh_db()
    make_indexer(url, chain.client.rpc_url, chain.deployment).run_until_caught_up()
    assert REGISTRY.get_sample_value("harmoni_indexer_indexed_block") == chain.client.head().number
    assert REGISTRY.get_sample_value("harmoni_indexer_lag_blocks") == 0
    assert REGISTRY.get_sample_value("harmoni_indexer_events_total") > 0
    assert REGISTRY.get_sample_value("harmoni_rpc_requests_total", {"method": "eth_getLogs"}) > 0
    w3 = chain.client.w3
    contract = {n: chain.client.contract(chain.deployment, n)
                for n in ("RightsRegistry", "SplitVault", "PayoutDistributor", "HarmoniEditions")}
    engine = create_engine(normalize_url(url))
    with engine.connect() as conn:
        assets = conn.execute(text("select asset_id, controller, split_hash, split_version, frozen, split_locked "
                                   "from assets order by asset_id")).all()
        assert len(assets) == contract["RightsRegistry"].functions.assetCount().call() > 10
        for asset_id, controller, split_hash, version, frozen, _locked in assets:
            assert controller == contract["RightsRegistry"].functions.controllerOf(asset_id).call()
            onchain_hash, onchain_version, onchain_frozen = (
                contract["RightsRegistry"].functions.splitState(asset_id).call())
            assert (split_hash, version, frozen) == ("0x" + onchain_hash.hex(), onchain_version, onchain_frozen)
        balances = conn.execute(text("select account, token, balance from vault_balances")).all()
        assert balances, "the workload distributed nothing"
        for account, token, balance in balances:
            assert balance == contract["SplitVault"].functions.balanceOf(account, token).call()
        claimed = conn.execute(text("select coalesce(sum(amount), 0) from payout_claims")).scalar()
        assert claimed == contract["PayoutDistributor"].functions.totalClaimed().call()
        total = conn.execute(text("select max(cumulative_total) from payout_periods")).scalar()
        assert total == contract["PayoutDistributor"].functions.cumulativeTotal().call()
        holders = conn.execute(text("select edition_id, holder, balance from edition_balances")).all()
        for edition_id, holder, balance in holders:
            assert balance == contract["HarmoniEditions"].functions.balanceOf(holder, edition_id).call()
        head = conn.execute(text("select block_number, block_hash from indexer_checkpoints")).one()
        assert head.block_number == w3.eth.block_number
        assert bytes(head.block_hash) == bytes(w3.eth.get_block("latest")["hash"])
    engine.dispose()


def test_replaying_the_same_chain_gives_the_same_mirror(chain, workload, fresh_db):
    _run_workload(workload, 60)
    first, second = fresh_db(), fresh_db()
    make_indexer(first, chain.client.rpc_url, chain.deployment).run_until_caught_up()
    make_indexer(second, chain.client.rpc_url, chain.deployment, initial_range=3).run_until_caught_up()
    snapshot = mirror_snapshot(first)
    assert snapshot == mirror_snapshot(second)
    assert all(snapshot[name] for name in ("chain_events", "assets", "split_versions", "vault_deposits"))
