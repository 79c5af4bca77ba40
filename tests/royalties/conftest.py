"""A chain with three recordings, a database that commits, and the royalty context over both."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from eth_utils import keccak
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from chain.rpc import JsonRpc
from chain.wallets import anvil_dev_account
from harmoni.db import get_engine
from harmoni.settings import Settings
from identity.models import User
from indexer.runner import INDEXED_CONTRACTS
from indexer.service import Indexer, IndexerConfig
from ledger.royalties.context import RoyaltyContext
from ledger.royalties.periods import open_period
from scripts.workload import Workload

ACCOUNTS = [anvil_dev_account(i).address for i in range(2, 7)]
A, B, C, D, E = ACCOUNTS


def by_address(pairs):
    """A split as the registry wants it: recipients in ascending address order."""
    ordered = sorted(pairs, key=lambda p: int(p[0], 16))
    return [p[0] for p in ordered], [p[1] for p in ordered]


@dataclass
class RoyaltyWorld:
    ctx: RoyaltyContext
    work: Workload
    database_url: str
    settings: Settings
    listener: uuid.UUID

    @property
    def sessions(self):
        return self.ctx.sessions

    def index(self) -> None:
        deployment = self.ctx.deployment
        config = IndexerConfig(chain_id=31337, start_block=deployment.start_block,
                               addresses={n: deployment.address(n) for n in INDEXED_CONTRACTS})
        Indexer(self.sessions, JsonRpc(self.ctx.client.rpc_url), config).run_until_caught_up()

    def register(self, isrc: str, pairs, controller: str = A) -> int:
        asset_id = self.ctx.registry.functions.assetCount().call() + 1
        recipients, allocations = by_address(pairs)
        self.work.send([self.work.tx(controller, "RightsRegistry", "registerRecording", [
            controller, isrc.encode(), keccak(text=isrc), [], f"ipfs://{isrc}", recipients, allocations])])
        return asset_id

    def update_split(self, asset_id: int, pairs, controller: str = A) -> None:
        recipients, allocations = by_address(pairs)
        self.work.send([self.work.tx(controller, "RightsRegistry", "updateSplit",
                                     [asset_id, recipients, allocations])])

    def mine_past(self, moment: datetime, blocks: int = 70) -> None:
        """Move the chain's clock past `moment` and make the block after it final (anvil: 64 deep)."""
        rpc = JsonRpc(self.ctx.client.rpc_url)
        head = self.ctx.client.head()
        rpc.call("evm_setNextBlockTimestamp", [max(int(moment.timestamp()) + 1, head.timestamp + 1)])
        rpc.call("anvil_mine", [hex(blocks), "0x0"])  # same timestamp: the clock stays near the wall clock

    def plays(self, asset_id: int, count: int, at: datetime, counted: bool = True) -> None:
        with self.sessions.begin() as session:
            for _ in range(count):
                session_id = uuid.uuid4()
                session.execute(text(
                    "insert into playback_sessions (id, listener_id, chain_id, asset_id, started_at, expires_at) "
                    "values (:id, :listener, 31337, :asset, :at, :at)"),
                    {"id": session_id, "listener": self.listener, "asset": asset_id, "at": at})
                session.execute(text(
                    "insert into plays (session_id, listener_id, chain_id, asset_id, played_at, played_ms, counted, "
                    "flags) values (:id, :listener, 31337, :asset, :at, 40000, :counted, :flags)"),
                    {"id": session_id, "listener": self.listener, "asset": asset_id, "at": at, "counted": counted,
                     "flags": [] if counted else ["duplicate_window"]})

    def open(self, starts_at: datetime | None, ends_at: datetime) -> int:
        with self.sessions.begin() as session:
            return open_period(session, ends_at, starts_at).period_id


@pytest.fixture
def world(fresh_db, chain, tmp_path, monkeypatch) -> RoyaltyWorld:
    url = fresh_db()
    monkeypatch.setenv("HARMONI_ENV", "test")
    settings = Settings(_env_file=None, database_url=url, rpc_url=chain.client.rpc_url, data_dir=chain.data_dir,
                        storage_path=tmp_path / "objects", period_close_grace_s=0)
    sessions = sessionmaker(bind=get_engine(url), expire_on_commit=False)
    ctx = RoyaltyContext.from_settings(settings, sessions=sessions, client=chain.client)
    work = Workload(chain.client.rpc_url, chain.deployment, seed=3)
    listener = uuid.uuid4()
    with sessions.begin() as session:
        session.add(User(id=listener, email=f"listener-{listener.hex[:6]}@example.com", password_hash="x",
                         roles=["fan"]))
    return RoyaltyWorld(ctx, work, url, settings, listener)


def period_bounds(chain_now: int) -> tuple[datetime, datetime]:
    """A period that began an hour ago on the chain's clock and ends two seconds from now on it."""
    now = datetime.fromtimestamp(chain_now, UTC)
    return now - timedelta(hours=1), now + timedelta(seconds=2)


LATER = datetime(2100, 1, 1, tzinfo=UTC)  # a wall clock past every test period's end and grace
