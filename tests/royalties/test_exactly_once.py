"""Close and publish killed (SIGKILL) between every two steps, then run again: the period ends up closed and
published once, funded once, with one journal entry per step."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ledger.royalties.models import JournalEntry, PayeeEntitlement, RoyaltyPeriod, StoredStatement
from ledger.royalties.periods import record_revenue
from tests.royalties.conftest import A, B, period_bounds

CLOSE_STEPS = ["close:closing", "close:computed", "close:stored", "close:recorded"]
PUBLISH_STEPS = ["publish:minted", "publish:funded", "publish:sent"]


def _harmoni(world, *args: str, failpoint: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "HARMONI_ENV": "test", "HARMONI_DATABASE_URL": world.database_url,
           "HARMONI_RPC_URL": world.ctx.client.rpc_url, "HARMONI_DATA_DIR": str(world.settings.data_dir),
           "HARMONI_STORAGE_PATH": str(world.settings.storage_path), "HARMONI_PERIOD_CLOSE_GRACE_S": "0",
           "HARMONI_FAILPOINTS": failpoint}
    env.pop("HARMONI_REDIS_URL", None)
    return subprocess.run([sys.executable, "-m", "harmoni.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def _state(world, period: int) -> tuple[str, int, int, int]:
    with world.sessions() as session:
        return (session.get(RoyaltyPeriod, period).status,
                session.scalar(select(func.count()).select_from(StoredStatement)),
                session.scalar(select(func.count()).select_from(PayeeEntitlement)),
                session.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.kind != "revenue")))


def test_close_and_publish_finish_exactly_once_after_a_kill_at_every_step(world):
    asset = world.register("USHRM2600021", [(A, 750_000), (B, 250_000)])
    starts, ends = period_bounds(world.ctx.client.head().timestamp)
    period = world.open(starts, ends)
    world.plays(asset, 4, starts + timedelta(minutes=1))
    with world.sessions.begin() as session:
        record_revenue(session, period, source="subscriptions", amount=12_345, currency="USD", reference="subs",
                       chain_id=31337, payout_currency="USD", unit_factor=world.ctx.unit_factor)
    world.mine_past(ends)
    world.index()
    while datetime.now(UTC) < ends:
        time.sleep(0.1)
    relayer_before = world.ctx.token.functions.balanceOf(world.ctx.distributor.address).call()

    seen = []
    for step in CLOSE_STEPS:
        killed = _harmoni(world, "periods", "close", str(period), failpoint=step)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        seen.append(_state(world, period))
    assert seen == [("closing", 0, 0, 0)] * 3 + [("closed", 1, 2, 1)]  # one close entry (no partner revenue)
    done = _harmoni(world, "periods", "close", str(period))
    assert done.returncode == 0, done.stderr
    assert _state(world, period) == ("closed", 1, 2, 1)

    for step in PUBLISH_STEPS:
        killed = _harmoni(world, "periods", "publish", str(period), failpoint=step)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _state(world, period)[0] == "closed"  # the publication is mined, not yet recorded
    done = _harmoni(world, "periods", "publish", str(period))
    assert done.returncode == 0, done.stderr
    again = _harmoni(world, "periods", "publish", str(period))
    assert again.returncode == 0 and "tx" in again.stdout

    # $123.45 = 123_450_000 units, 30% fee: 86_415_000 funded, once.
    distributor = world.ctx.distributor
    assert distributor.functions.currentPeriodId().call() == period
    assert distributor.functions.cumulativeTotal().call() == 86_415_000
    assert world.ctx.token.functions.balanceOf(distributor.address).call() - relayer_before == 86_415_000
    published = distributor.events.PeriodPublished().get_logs(from_block=0)
    assert [e["args"]["periodId"] for e in published] == [period]
    assert _state(world, period) == ("published", 1, 2, 2)  # close and funding
    audit = _harmoni(world, "audit", "verify", "--period", str(period))
    assert audit.returncode == 0 and "PASS" in audit.stdout, audit.stdout + audit.stderr
