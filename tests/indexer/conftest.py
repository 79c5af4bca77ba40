"""Indexer fixtures: databases of their own (the indexer commits), a workload on the shared anvil."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import sessionmaker

from chain.client import ChainClient
from chain.deploy import deploy_all
from chain.node import AnvilNode
from chain.rpc import JsonRpc
from chain.wallets import anvil_dev_account
from harmoni.db import get_engine, normalize_url
from indexer.runner import INDEXED_CONTRACTS
from indexer.service import Indexer, IndexerConfig
from ledger.models import LOGGED_TABLES, Asset
from scripts.workload import Workload
from tests.conftest import LocalChain, free_port

MIRROR_TABLES = ["chain_events", Asset.__tablename__, *(m.__tablename__ for m in LOGGED_TABLES)]
MIRROR_VIEWS = ["vault_balances", "edition_balances"]


def make_indexer(url: str, rpc_url: str, deployment, **overrides) -> Indexer:
    config = IndexerConfig(chain_id=31337, start_block=deployment.start_block,
                           addresses={n: deployment.address(n) for n in INDEXED_CONTRACTS}, **overrides)
    return Indexer(sessionmaker(bind=get_engine(url)), JsonRpc(rpc_url, timeout_s=5), config)


def mirror_snapshot(url: str) -> dict[str, list[tuple]]:
    """Every mirror table and view, rows sorted, ready to compare between two databases."""
    engine = create_engine(normalize_url(url))
    snapshot = {}
    with engine.connect() as conn:
        for name in MIRROR_TABLES + MIRROR_VIEWS:
            columns = [c["name"] for c in inspect(conn).get_columns(name)]
            rows = conn.execute(text(f"select {', '.join(columns)} from {name}")).all()  # noqa: S608
            snapshot[name] = sorted((tuple(_plain(v) for v in row) for row in rows), key=repr)
    engine.dispose()
    return snapshot


def _plain(value):
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, list):
        return tuple(value)
    return value


@pytest.fixture
def workload(chain):
    work = Workload(chain.client.rpc_url, chain.deployment, seed=7)
    work.setup_payouts()
    return work


@pytest.fixture
def private_chain(tmp_path, deployed):
    """A node of its own with the contracts deployed, for tests that reorg (a reorg voids evm snapshots)."""
    node = AnvilNode(free_port(), 31337, state_path=None, extra_args=("--order", "fifo"))
    node.start()
    client = ChainClient(node.url)
    deployment = deploy_all(client, anvil_dev_account(0), anvil_dev_account(1).address, tmp_path)
    yield LocalChain(client, deployment, tmp_path)
    node.stop()


@pytest.fixture
def private_workload(private_chain):
    work = Workload(private_chain.client.rpc_url, private_chain.deployment, seed=7)
    work.setup_payouts()
    return work
