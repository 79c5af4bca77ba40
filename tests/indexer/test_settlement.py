"""Operations settle with the mirror: `included` until their block is indexed and final, back to `submitted` (and
sent again, the same bytes) when their block leaves the chain."""

from sqlalchemy.orm import sessionmaker

from chain.rpc import JsonRpc
from chain.sender import OperationStatus, TransactionSender
from chain.wallets import anvil_dev_account
from harmoni.db import get_engine
from indexer.settlement import recheck_confirmed
from ledger.operations import PostgresOperationStore
from tests.indexer.conftest import make_indexer

PAYEE = "0x000000000000000000000000000000000000bEEF"


def _sender(chain, store) -> TransactionSender:
    return TransactionSender(chain.client.w3, anvil_dev_account(7), store, poll_interval_s=0.02,
                             receipt_timeout_s=20)


def test_confirmed_only_once_final_and_sent_again_after_a_reorg(private_chain, fresh_db):
    url = fresh_db()
    store = PostgresOperationStore.from_url(url)
    rpc = JsonRpc(private_chain.client.rpc_url)
    indexer = make_indexer(url, private_chain.client.rpc_url, private_chain.deployment, finality_depth=3)
    sent = _sender(private_chain, store).send("pay:1", {"to": PAYEE, "value": 7})
    included = store.get("pay:1")
    assert included.status is OperationStatus.included and included.block_number == sent.block_number
    assert included.block_hash == rpc.call("eth_getBlockByNumber", [hex(sent.block_number), False])["hash"]

    indexer.run_until_caught_up()
    assert store.get("pay:1").status is OperationStatus.included  # indexed, but not final yet

    rpc.call("anvil_reorg", [1, []])  # the block with our transaction is replaced by an empty one
    rpc.call("anvil_mine", ["0x1"])
    indexer.run_until_caught_up()
    dropped = store.get("pay:1")
    assert dropped.status is OperationStatus.submitted and dropped.mined_tx_hash is None
    assert rpc.call("eth_getTransactionReceipt", [sent.tx_hash]) is None

    again = _sender(private_chain, store).resume_unfinished()["pay:1"]
    assert again.tx_hash == sent.tx_hash  # the recorded bytes, not a new transaction
    assert store.get("pay:1").status is OperationStatus.included
    indexer.run_until_caught_up()
    assert store.get("pay:1").status is OperationStatus.included
    rpc.call("anvil_mine", ["0x3"])
    indexer.run_until_caught_up()
    final = store.get("pay:1")
    assert final.status is OperationStatus.confirmed and final.tx_hashes == (sent.tx_hash,)
    balance = private_chain.client.w3.eth.get_balance(PAYEE)
    assert balance == 7  # paid exactly once


def test_a_confirmed_transaction_the_node_lost_is_sent_again(private_chain, fresh_db):
    url = fresh_db()
    store = PostgresOperationStore.from_url(url)
    rpc = JsonRpc(private_chain.client.rpc_url)
    indexer = make_indexer(url, private_chain.client.rpc_url, private_chain.deployment, finality_depth=0)
    kept = _sender(private_chain, store).send("pay:kept", {"to": PAYEE, "value": 1})
    snapshot = rpc.call("evm_snapshot", [])
    lost = _sender(private_chain, store).send("pay:lost", {"to": PAYEE, "value": 2})
    indexer.run_until_caught_up()
    assert {store.get(k).status for k in ("pay:kept", "pay:lost")} == {OperationStatus.confirmed}

    rpc.call("evm_revert", [snapshot])  # as a node restored from a state written before the last block
    head = int(rpc.call("eth_blockNumber", []), 16)
    with sessionmaker(bind=get_engine(url)).begin() as session:
        assert recheck_confirmed(session, rpc, 31337, head) == 1
    assert store.get("pay:kept").status is OperationStatus.confirmed
    assert store.get("pay:lost").status is OperationStatus.submitted
    assert _sender(private_chain, store).resume_unfinished()["pay:lost"].tx_hash == lost.tx_hash
    assert rpc.call("eth_getTransactionReceipt", [kept.tx_hash]) is not None
