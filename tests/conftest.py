"""Real services for the suite: PostgreSQL, anvil with the contracts deployed, Redis.

- PostgreSQL: the server at HARMONI_TEST_DATABASE_URL, else an embedded one; a fresh database per run,
  migrated to head; each test runs inside a transaction that is rolled back.
- anvil: one node per session with the contracts deployed; each test is wrapped in evm_snapshot/revert.
- Redis: HARMONI_TEST_REDIS_URL, else a redis-server started for the session.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from chain import artifacts
from chain.client import ChainClient
from chain.deploy import deploy_all
from chain.deployments import Deployment
from chain.node import AnvilNode, rpc_call
from chain.wallets import anvil_dev_account
from harmoni import embedded_db, migrate
from harmoni.db import get_engine, normalize_url
from harmoni.settings import get_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def database_server_url(tmp_path_factory) -> Iterator[str]:
    configured = os.environ.get("HARMONI_TEST_DATABASE_URL")
    if configured:
        yield normalize_url(configured)
        return
    data_dir = tmp_path_factory.mktemp("pg")
    url, _ = embedded_db.start(data_dir, database="postgres")
    yield url
    embedded_db.stop(data_dir)


@pytest.fixture(scope="session")
def database_url(database_server_url) -> Iterator[str]:
    """A database of its own for this run, at the newest schema."""
    name = f"harmoni_test_{uuid.uuid4().hex[:10]}"
    admin = make_url(database_server_url).set(drivername="postgresql")
    admin_dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = make_url(database_server_url).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    yield url
    from harmoni.db import get_engine

    get_engine(url).dispose()
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


class FreshDatabases:
    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.admin = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.created: list[str] = []

    def new(self) -> str:
        name = f"harmoni_idx_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'create database "{name}"')
        self.created.append(name)
        url = make_url(self.server_url).set(database=name).render_as_string(hide_password=False)
        migrate.upgrade(url)
        return url

    def drop_all(self) -> None:
        for name in self.created:
            url = make_url(self.server_url).set(database=name).render_as_string(hide_password=False)
            get_engine(url).dispose()
            with psycopg.connect(self.admin, autocommit=True) as conn:
                conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def fresh_db(database_server_url):
    databases = FreshDatabases(database_server_url)
    yield databases.new
    databases.drop_all()


@pytest.fixture(scope="session")
def db_engine(database_url):
    engine = create_engine(normalize_url(database_url))
    yield engine
    engine.dispose()


@pytest.fixture
def db_connection(db_engine):
    """A connection whose outer transaction is rolled back after the test."""
    with db_engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def sessions(db_connection) -> sessionmaker[Session]:
    """Sessions that commit into savepoints of the test's transaction."""
    return sessionmaker(bind=db_connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def db_session(sessions) -> Iterator[Session]:
    with sessions() as session:
        yield session


@pytest.fixture(scope="session")
def anvil(tmp_path_factory) -> Iterator[AnvilNode]:
    node = AnvilNode(free_port(), 31337, state_path=None)
    node.start()
    yield node
    node.stop()


def reverting_client(url: str) -> Iterator[ChainClient]:
    """A client of the node at `url`, which is reverted to its present state afterwards."""
    snapshot = rpc_call(url, "evm_snapshot")
    yield ChainClient(url)
    rpc_call(url, "evm_revert", [snapshot])


@pytest.fixture
def anvil_client(anvil) -> Iterator[ChainClient]:
    """A client of the session's node, reverted to its state before the test."""
    yield from reverting_client(anvil.url)


@dataclass
class LocalChain:
    client: ChainClient
    deployment: Deployment
    data_dir: Path


@pytest.fixture(scope="session")
def deployed(anvil, tmp_path_factory) -> tuple[Deployment, Path]:
    artifacts.ensure_built()
    data_dir = tmp_path_factory.mktemp("chain-data")
    deployment = deploy_all(ChainClient(anvil.url), anvil_dev_account(0), anvil_dev_account(1).address, data_dir)
    return deployment, data_dir


@pytest.fixture
def chain(deployed, anvil_client) -> LocalChain:
    """The session's chain with the contracts deployed, reverted after the test."""
    deployment, data_dir = deployed
    return LocalChain(anvil_client, deployment, data_dir)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    configured = os.environ.get("HARMONI_TEST_REDIS_URL")
    if configured:
        yield _redis_database_of_this_worker(configured)
        return
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("these tests need Redis: set HARMONI_TEST_REDIS_URL or install redis-server")
    port = free_port()
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path_factory.mktemp("redis"))], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(5)


def _redis_database_of_this_worker(url: str) -> str:
    """Parallel test workers (pytest-xdist `gwN`) each use the Redis database N + 1 after the configured one, so
    their queues never mix."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return parts._replace(path=f"/{base + int(worker[2:]) + 1}").geturl()


@pytest.fixture
def harmoni_env(monkeypatch, tmp_path, database_url):
    """Process settings for code that reads get_settings(): test database, a private data dir."""
    monkeypatch.setenv("HARMONI_ENV", "test")
    monkeypatch.setenv("HARMONI_DATABASE_URL", database_url)
    monkeypatch.setenv("HARMONI_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("HARMONI_REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()
