import contextlib
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from eth_account import Account
from web3.exceptions import TransactionNotFound

from chain.errors import IdempotencyConflict, RpcError, TxTimeout
from chain.node import rpc_call
from chain.sender import OperationStatus, TransactionSender
from chain.wallets import anvil_dev_account
from tests.chain.conftest import SENDER_INDEX

GWEI = 10**9
PAYEE = anvil_dev_account(7).address


def _transfer(value: int = 1) -> dict:
    return {"to": PAYEE, "value": value}


def _assert_gap_free(w3, operations, start: int) -> None:
    nonces = sorted(op.nonce for op in operations)
    assert nonces == list(range(start, start + len(operations)))
    assert all(op.status is OperationStatus.included for op in operations)
    assert w3.eth.get_transaction_count(anvil_dev_account(SENDER_INDEX).address) == start + len(operations)
    for op in operations:
        assert w3.eth.get_transaction(op.mined_tx_hash)["nonce"] == op.nonce


def test_same_key_twice_sends_once(chain, make_sender, operation_store):
    w3 = chain.client.w3
    sender = make_sender(w3)
    start = w3.eth.get_transaction_count(sender.address)
    first = sender.send("payout:1", _transfer(5), kind="transfer")
    again = make_sender(w3).send("payout:1", _transfer(5), kind="transfer")  # e.g. a retried job
    assert again == first
    assert w3.eth.get_transaction_count(sender.address) == start + 1
    operation = operation_store.get("payout:1")
    assert operation.status is OperationStatus.included
    assert operation.tx_hashes == (first.tx_hash,) and operation.nonce == start
    assert (operation.block_number, operation.gas_used) == (first.block_number, 21_000)


def test_concurrent_calls_with_one_key_send_once(chain, make_sender, operation_store):
    w3 = chain.client.w3
    start = w3.eth.get_transaction_count(anvil_dev_account(SENDER_INDEX).address)
    barrier = threading.Barrier(4)

    def duplicate_delivery(_):
        sender = make_sender(w3)
        barrier.wait()
        return sender.send("payout:dup", _transfer(7))

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(duplicate_delivery, range(4)))
    assert len(set(results)) == 1
    assert w3.eth.get_transaction_count(anvil_dev_account(SENDER_INDEX).address) == start + 1
    assert operation_store.get("payout:dup").tx_hashes == (results[0].tx_hash,)


def test_a_key_reused_for_another_transaction_is_refused(chain, make_sender):
    sender = make_sender(chain.client.w3)
    sender.send("payout:2", _transfer(1))
    with pytest.raises(IdempotencyConflict, match="payout:2"):
        sender.send("payout:2", _transfer(2))


def test_priority_fee_floor_is_applied(chain, make_sender):
    w3 = chain.client.w3
    assert w3.eth.max_priority_fee < 25 * GWEI  # anvil suggests 1 gwei
    result = make_sender(w3, min_priority_fee_wei=25 * GWEI).send("floor", _transfer())
    mined = w3.eth.get_transaction(result.tx_hash)
    assert mined["maxPriorityFeePerGas"] == 25 * GWEI
    base_fee = w3.eth.get_block(result.block_number - 1)["baseFeePerGas"]
    assert mined["maxFeePerGas"] == 2 * base_fee + 25 * GWEI


def test_crash_between_sign_and_broadcast_resumes_with_the_same_bytes(chain, make_sender, operation_store):
    w3 = chain.client.w3
    signed = make_sender(w3).sign("crash:a", _transfer(3))  # persisted, never broadcast: the process "dies"
    assert signed.status is OperationStatus.pending and signed.signed_raw_tx is not None
    with pytest.raises(TransactionNotFound):
        w3.eth.get_transaction(signed.tx_hashes[0])

    result = make_sender(w3).send("crash:a", _transfer(3))  # the restarted process retries the job
    assert result.tx_hash == signed.tx_hashes[0] and result.nonce == signed.nonce
    assert operation_store.get("crash:a").tx_hashes == signed.tx_hashes
    assert w3.eth.get_transaction_count(anvil_dev_account(SENDER_INDEX).address) == signed.nonce + 1


def test_a_crashed_nonce_does_not_block_the_account(chain, make_sender, operation_store):
    w3 = chain.client.w3
    orphan = make_sender(w3).sign("crash:orphan", _transfer(4))
    # Another sender allocates after the orphan's nonce and hands the orphan's bytes to the node first.
    later = make_sender(w3).send("after-crash", _transfer(5))
    assert later.nonce == orphan.nonce + 1
    assert w3.eth.get_transaction_receipt(orphan.tx_hashes[0])["status"] == 1
    assert make_sender(w3).resume_unfinished()["crash:orphan"].tx_hash == orphan.tx_hashes[0]
    _assert_gap_free(w3, [operation_store.get("crash:orphan"), operation_store.get("after-crash")], orphan.nonce)


def test_node_rejection_releases_the_nonce_and_a_retry_starts_over(chain, make_sender, operation_store):
    w3 = chain.client.w3
    broke = Account.create()  # no funds: the node refuses its transactions
    sender = TransactionSender(w3, broke, operation_store, poll_interval_s=0.02)
    tx = {**_transfer(10**18), "gas": 21_000}
    with pytest.raises(RpcError, match=r"(?i)insufficient funds"):
        sender.send("broke", tx)
    failed = operation_store.get("broke")
    assert failed.status is OperationStatus.failed and failed.nonce is None and len(failed.tx_hashes) == 1

    rpc_call(chain.client.rpc_url, "anvil_setBalance", [broke.address, hex(2 * 10**18)])
    result = sender.send("broke", tx)
    assert result.nonce == 0 and result.tx_hash in operation_store.get("broke").tx_hashes
    assert operation_store.get("broke").status is OperationStatus.included


def test_nonce_taken_by_a_foreign_transaction_is_signed_again(chain, make_sender, operation_store):
    w3 = chain.client.w3
    sender = make_sender(w3)
    ours = sender.sign("foreign", _transfer(6))
    # Someone uses the same key outside this store, with the nonce we recorded.
    fees = sender.fees()
    foreign = sender.account.sign_transaction({
        "type": 2, "chainId": 31337, "nonce": ours.nonce, "to": PAYEE, "value": 99, "gas": 21_000,
        "maxFeePerGas": fees.max_fee_per_gas, "maxPriorityFeePerGas": fees.max_priority_fee_per_gas})
    w3.eth.send_raw_transaction(foreign.raw_transaction)

    result = sender.send("foreign", _transfer(6))
    assert result.nonce == ours.nonce + 1 and result.tx_hash != ours.tx_hashes[0]
    operation = operation_store.get("foreign")
    assert operation.tx_hashes == (ours.tx_hashes[0], result.tx_hash)
    with pytest.raises(TransactionNotFound):
        w3.eth.get_transaction_receipt(ours.tx_hashes[0])


def test_threads_sharing_an_account_get_unique_gap_free_nonces(chain, make_sender, operation_store):
    w3 = chain.client.w3
    sender = make_sender(w3)
    start = w3.eth.get_transaction_count(sender.address)
    keys = [f"thread:{t}:{i}" for t in range(4) for i in range(10)]

    def worker(t: int) -> list:
        return [sender.send(key, _transfer(i + 1)) for i, key in enumerate(keys[t * 10:(t + 1) * 10])]

    with ThreadPoolExecutor(4) as pool:
        results = [r for batch in pool.map(worker, range(4)) for r in batch]
    assert len({r.tx_hash for r in results}) == 40
    _assert_gap_free(w3, [operation_store.get(k) for k in keys], start)


def test_processes_sharing_an_account_get_unique_gap_free_nonces(chain, make_sender, operation_store, database_url):
    w3 = chain.client.w3
    start = w3.eth.get_transaction_count(anvil_dev_account(SENDER_INDEX).address)
    workers = [subprocess.Popen([sys.executable, "-m", "tests.chain.sender_worker", chain.client.rpc_url,
                                 database_url, f"proc{p}", "10"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for p in range(2)]
    local = [make_sender(w3).send(f"parent:{i}", _transfer(i + 1)) for i in range(10)]  # a third sender
    for worker in workers:
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        assert len(out.splitlines()) == 10
    keys = [f"proc{p}:{i}" for p in range(2) for i in range(10)] + [f"parent:{i}" for i in range(10)]
    _assert_gap_free(w3, [operation_store.get(k) for k in keys], start)
    assert len(local) == 10


def _wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def test_a_stuck_transaction_is_replaced_with_higher_fees(manual_client, make_sender, operation_store):
    w3 = manual_client.w3
    sender = make_sender(w3, stuck_after_s=0.2, max_bumps=4)
    first_priority = sender.fees().max_priority_fee_per_gas
    outcome: dict = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("result", sender.send("bump", _transfer(8))))
    thread.start()
    def replacement_in_pool() -> bool:
        # A hash is recorded before it is broadcast: wait until the node really holds the replacement.
        op = operation_store.get("bump")
        if op is None or len(op.tx_hashes) < 2:
            return False
        with contextlib.suppress(TransactionNotFound):
            return w3.eth.get_transaction(op.tx_hashes[-1]) is not None
        return False

    _wait_for(replacement_in_pool)
    rpc_call(manual_client.rpc_url, "evm_mine")
    thread.join(10)
    result = outcome["result"]

    operation = operation_store.get("bump")
    assert operation.status is OperationStatus.included and result.tx_hash in operation.tx_hashes
    mined = []
    for tx_hash in operation.tx_hashes:
        with contextlib.suppress(TransactionNotFound):
            mined.append(w3.eth.get_transaction_receipt(tx_hash))
    assert [r["transactionHash"].to_0x_hex() for r in mined] == [result.tx_hash]
    first = operation.tx_hashes[0]
    assert result.tx_hash != first  # a replacement won, the original is gone
    replacement = w3.eth.get_transaction(result.tx_hash)
    assert replacement["nonce"] == operation.nonce
    assert replacement["maxPriorityFeePerGas"] * 8 >= 9 * first_priority  # at least +12.5% over the first


def test_timeout_then_the_same_key_keeps_watching(manual_client, make_sender, operation_store):
    w3 = manual_client.w3
    sender = make_sender(w3, receipt_timeout_s=0.3, max_bumps=0)
    with pytest.raises(TxTimeout, match="call again with the same key"):
        sender.send("slow", _transfer(9))
    submitted = operation_store.get("slow")
    assert submitted.status is OperationStatus.submitted and len(submitted.tx_hashes) == 1
    rpc_call(manual_client.rpc_url, "evm_mine")
    result = make_sender(w3).send("slow", _transfer(9))
    assert result.tx_hash == submitted.tx_hashes[0]
    assert operation_store.get("slow").status is OperationStatus.included
