"""Fixtures for the sender: a committed operation store, senders on the shared node, a node that mines on demand.

The store commits for real (threads and processes must see each other's rows), so its table is emptied
after each test; the shared anvil is reverted by the `chain` fixture.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text
from web3 import Web3

from chain.client import ChainClient
from chain.node import AnvilNode, rpc_call
from chain.sender import TransactionSender
from chain.wallets import anvil_dev_account
from ledger.operations import PostgresOperationStore
from tests.conftest import free_port, reverting_client

# A dev account no fixture deploys or relays with, so tests own its nonces.
SENDER_INDEX = 2
MANUAL_CHAIN_ID = 31338


@pytest.fixture
def operation_store(database_url) -> Iterator[PostgresOperationStore]:
    store = PostgresOperationStore.from_url(database_url, lock_timeout_s=20)
    yield store
    with store.engine.begin() as conn:
        conn.execute(text("delete from chain_operations"))


@pytest.fixture
def make_sender(operation_store) -> Callable[..., TransactionSender]:
    def make(w3: Web3, account_index: int = SENDER_INDEX, **options) -> TransactionSender:
        options = {"poll_interval_s": 0.02, "receipt_timeout_s": 20.0, **options}
        return TransactionSender(w3, anvil_dev_account(account_index), operation_store, **options)

    return make


@pytest.fixture(scope="session")
def manual_node() -> Iterator[AnvilNode]:
    """A node of our own that mines only when told (`evm_mine`), for stuck and replaced transactions."""
    node = AnvilNode(free_port(), MANUAL_CHAIN_ID, state_path=None)
    node.start()
    rpc_call(node.url, "evm_setAutomine", [False])
    yield node
    node.stop()


@pytest.fixture
def manual_client(manual_node) -> Iterator[ChainClient]:
    yield from reverting_client(manual_node.url)
