import threading
import uuid

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from chain.sender import Operation, OperationStatus
from harmoni.db import normalize_url
from harmoni.errors import ServiceUnavailable
from ledger.operations import ChainOperation, PostgresOperationStore, nonce_lock_key

ACCOUNT = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
TARGET = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955"


@pytest.fixture
def store(database_url):
    store = PostgresOperationStore.from_url(database_url, lock_timeout_s=0.3)
    yield store
    with store.engine.begin() as conn:
        conn.execute(text("delete from chain_operations"))


def _operation(key: str, chain_id: int = 31337) -> Operation:
    return Operation(idempotency_key=key, kind="transfer", chain_id=chain_id, from_address=ACCOUNT.lower(),
                     to_address=TARGET, data=b"\x01\x02", value=2**255)


def test_the_migration_creates_the_table_as_modelled(database_url):
    engine = create_engine(normalize_url(database_url))
    inspector = inspect(engine)
    columns = {c["name"] for c in inspector.get_columns("chain_operations")}
    assert columns == set(ChainOperation.__table__.columns.keys())
    indexes = {i["name"]: i for i in inspector.get_indexes("chain_operations")}
    assert indexes["ix_chain_operations_account_nonce"]["unique"]
    assert [u["name"] for u in inspector.get_unique_constraints("chain_operations")] == [
        "uq_chain_operations_idempotency_key"]
    assert inspector.get_check_constraints("chain_operations")[0]["name"] == "ck_chain_operations_status"
    engine.dispose()


def test_create_is_idempotent_and_round_trips_values(store):
    created, inserted = store.create(_operation("op:1"))
    again, inserted_again = store.create(_operation("op:1"))
    assert inserted and not inserted_again
    assert again.id == created.id and isinstance(again.id, uuid.UUID)
    assert again.status is OperationStatus.pending and again.value == 2**255 and again.data == b"\x01\x02"
    assert again.from_address == ACCOUNT  # stored checksummed


def test_signed_hashes_accumulate_and_failures_keep_or_release_the_nonce(store):
    store.create(_operation("op:2"))
    store.record_signed("op:2", nonce=4, tx_hash="0xaa", signed_raw_tx=b"first")
    store.record_signed("op:2", nonce=4, tx_hash="0xbb", signed_raw_tx=b"bumped")
    signed = store.record_signed("op:2", nonce=4, tx_hash="0xbb", signed_raw_tx=b"bumped")
    assert signed.tx_hashes == ("0xaa", "0xbb") and signed.signed_raw_tx == b"bumped"
    assert store.highest_nonce(31337, ACCOUNT) == 4

    args = {"sum": 2**200, "who": TARGET, "code": "0x54"}
    reverted = store.mark_failed("op:2", error_name="SplitAllocationsSum", error_args=args, detail="reverted",
                                 release_nonce=False, tx_hash="0xbb", block_number=9, gas_used=30_000)
    assert (reverted.nonce, reverted.error_args, reverted.block_number) == (4, args, 9)

    store.create(_operation("op:3"))
    store.record_signed("op:3", nonce=5, tx_hash="0xcc", signed_raw_tx=b"x")
    rejected = store.mark_failed("op:3", error_name=None, error_args=None, detail="rejected", release_nonce=True)
    assert rejected.nonce is None and rejected.signed_raw_tx is None and rejected.error_args is None
    assert store.highest_nonce(31337, ACCOUNT) == 4
    reopened = store.reopen("op:3")
    assert reopened.status is OperationStatus.pending and reopened.error_detail is None


def test_two_operations_cannot_hold_the_same_nonce(store):
    store.create(_operation("op:4"))
    store.create(_operation("op:5"))
    store.record_signed("op:4", nonce=1, tx_hash="0x01", signed_raw_tx=b"a")
    with pytest.raises(IntegrityError, match="ix_chain_operations_account_nonce"):
        store.record_signed("op:5", nonce=1, tx_hash="0x02", signed_raw_tx=b"b")
    store.create(_operation("op:6", chain_id=137))
    assert store.record_signed("op:6", nonce=1, tx_hash="0x03", signed_raw_tx=b"c").nonce == 1  # other chain


def test_unfinished_lists_open_operations_by_nonce(store):
    for key, nonce in (("a", 3), ("b", None), ("c", 2), ("d", 1)):
        store.create(_operation(key))
        if nonce is not None:
            store.record_signed(key, nonce=nonce, tx_hash=f"0x{key}", signed_raw_tx=b"r")
    store.mark_submitted("c")
    store.mark_included("d", tx_hash="0xd", block_number=1, block_hash="0x" + "d" * 64, gas_used=21_000)
    assert [op.idempotency_key for op in store.unfinished(31337, ACCOUNT)] == ["c", "a", "b"]


def test_the_account_lock_excludes_other_connections_and_times_out(store):
    key = nonce_lock_key(31337, ACCOUNT)
    probe = "select pg_try_advisory_lock(hashtextextended(:k, 0))"
    with store.account_lock(31337, ACCOUNT), store.engine.connect() as other:
        assert other.execute(text(probe), {"k": key}).scalar() is False
        outcome: dict = {}

        def contender():
            try:
                with store.account_lock(31337, ACCOUNT.lower()):
                    outcome["got"] = True
            except ServiceUnavailable as err:
                outcome["error"] = err

        thread = threading.Thread(target=contender)
        thread.start()
        thread.join(5)
        assert "got" not in outcome and "held for more than" in str(outcome["error"])
    with store.engine.connect() as other:
        assert other.execute(text(probe), {"k": key}).scalar() is True  # released on exit
        other.execute(text("select pg_advisory_unlock(hashtextextended(:k, 0))"), {"k": key})
