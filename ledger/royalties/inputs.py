"""Gather what a period's statement is computed from: the cut block, usage, revenue and splits at the cut.

The cut is the last block whose timestamp is before the period's end. The statement uses the split version and
freeze state each asset had at that block, so the block after it must be final on chain and mirrored.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from chain.client import ChainClient
from harmoni.db import fetch_all, snapshot_twin
from ledger.royalties.errors import ChainNotCaughtUp
from ledger.royalties.models import PayeeEntitlement, PeriodPlayTally, RevenueEntry, RevenueSource, RoyaltyPeriod
from ledger.royalties.statement import DirectSale, PartnerLine, SplitAtCut, StatementInputs
from ledger.usage.models import UsageReport, UsageReportLine
from ledger.usage.plays import counted_plays_per_asset


@dataclass(frozen=True)
class Cut:
    number: int
    hash: str
    timestamp: int


def find_cut(client: ChainClient, ends_at: datetime) -> Cut:
    """The last block before `ends_at`, once a block at or after it is final (binary search over timestamps)."""
    end = int(ends_at.timestamp())
    head = client.head()
    if head.timestamp < end:
        raise ChainNotCaughtUp(f"the chain has no block at or after the period's end yet (head {head.number} "
                               f"is at {head.timestamp}, the period ends at {end})")
    low, high = 0, head.number  # invariant: block `high` is at or after the end
    while high - low > 1:
        middle = (low + high) // 2
        if client.block(middle).timestamp < end:
            low = middle
        else:
            high = middle
    cut = client.block(low)
    finalized = client.finalized()
    final_number = finalized.number if finalized is not None else -1
    if final_number < cut.number + 1:
        raise ChainNotCaughtUp(f"block {cut.number + 1}, the first after the period's end, is not final yet "
                               f"(finalized: {final_number}); close again once it is", cut_block=cut.number,
                               finalized_block=final_number)
    return Cut(number=cut.number, hash="0x" + cut.hash.hex(), timestamp=cut.timestamp)


_MIRRORED = text("SELECT block_number FROM indexer_checkpoints WHERE chain_id = :chain_id")


def check_mirrored(session: Session, chain_id: int, cut: Cut) -> None:
    mirrored = session.scalar(_MIRRORED, {"chain_id": chain_id})
    if mirrored is None or mirrored <= cut.number:
        raise ChainNotCaughtUp(f"the indexer has not mirrored block {cut.number + 1} yet (it is at {mirrored}); "
                               "close again once it has", cut_block=cut.number)


def counted_plays(session: Session, chain_id: int, period: RoyaltyPeriod, *, tallied: bool = True) -> dict[int, int]:
    """Counted plays per asset in the period: its tallies (100k rows, not 10M plays), or with `tallied=False`
    the plays themselves, counted one by one (the audit's independent count)."""
    if not tallied:
        return counted_plays_per_asset(session, chain_id, period.starts_at, period.ends_at)
    rows = session.execute(select(PeriodPlayTally.asset_id, PeriodPlayTally.plays).where(
        PeriodPlayTally.period_id == period.period_id, PeriodPlayTally.chain_id == chain_id, PeriodPlayTally.plays > 0))
    return {asset_id: plays for asset_id, plays in rows}


def partner_lines(session: Session, chain_id: int, period_id: int, unit_factor: int) -> list[PartnerLine]:
    rows = session.execute(
        select(UsageReportLine.report_id, UsageReportLine.line_no, UsageReportLine.asset_id,
               UsageReportLine.usage_count, UsageReportLine.net_revenue)
        .join(UsageReport, UsageReport.id == UsageReportLine.report_id)
        .where(UsageReport.period_id == period_id, UsageReport.chain_id == chain_id))
    return [PartnerLine(str(r.report_id), r.line_no, r.asset_id, r.usage_count, r.net_revenue * unit_factor)
            for r in rows]


def revenue(session: Session, period_id: int, unit_factor: int) -> tuple[int, list[DirectSale], list[str]]:
    """The subscription pool, the direct sales, and the references of the pooled entries."""
    pool, sales, references = 0, [], []
    for entry in session.scalars(select(RevenueEntry).where(RevenueEntry.period_id == period_id,
                                                            RevenueEntry.voided_at.is_(None))):
        amount = int(entry.amount) * unit_factor
        if entry.source == RevenueSource.subscriptions:
            pool += amount
            references.append(entry.reference)
        else:
            settled = None if entry.settled_fee is None else int(entry.settled_fee)
            sales.append(DirectSale(entry.reference, entry.asset_id, amount, settled))
    return pool, sales, sorted(references)


# The split heads and freezes of the whole catalog at the cut: read beside the usage aggregate (see `gather`), so
# they cannot wait for its asset list; a catalog read costs far less than the usage scan it runs next to.
_SPLITS_AT = """
    SELECT DISTINCT ON (asset_id) asset_id, version, block_number, tx_hash, recipients, allocations
    FROM split_versions WHERE chain_id = %(chain_id)s AND block_number <= %(cut)s
    ORDER BY asset_id, block_number DESC, log_index DESC"""
_FROZEN_AT = text("""
    SELECT asset_id FROM (
      SELECT DISTINCT ON (asset_id) asset_id, frozen FROM asset_freezes
      WHERE chain_id = :chain_id AND block_number <= :cut
      ORDER BY asset_id, block_number DESC, log_index DESC) latest
    WHERE frozen""")


def splits_at(session: Session, chain_id: int, cut: int) -> dict[int, SplitAtCut]:
    """Every asset's split version in force at block `cut`."""
    rows = fetch_all(session, _SPLITS_AT, {"chain_id": chain_id, "cut": cut})
    return {asset_id: SplitAtCut(version, block_number, tx_hash, tuple(recipients), tuple(allocations))
            for asset_id, version, block_number, tx_hash, recipients, allocations in rows}


def frozen_at(session: Session, chain_id: int, cut: int) -> frozenset[int]:
    """The assets frozen at block `cut`."""
    return frozenset(session.scalars(_FROZEN_AT, {"chain_id": chain_id, "cut": cut}))


def cumulative_before(session: Session, period_id: int) -> dict[str, int]:
    rows = session.execute(select(PayeeEntitlement.account, PayeeEntitlement.cumulative_amount)
                           .where(PayeeEntitlement.period_id == period_id - 1))
    return {account: int(amount) for account, amount in rows}


@dataclass(frozen=True)
class _BesideUsage:
    """The inputs read on the second connection while the usage aggregate runs."""

    lines: list[PartnerLine]
    revenue: tuple[int, list[DirectSale], list[str]]
    splits: dict[int, SplitAtCut]
    frozen: frozenset[int]
    cumulative: dict[str, int]


def _beside_usage(session: Session, period_id: int, chain_id: int, cut: int, unit_factor: int) -> _BesideUsage:
    return _BesideUsage(partner_lines(session, chain_id, period_id, unit_factor),
                        revenue(session, period_id, unit_factor), splits_at(session, chain_id, cut),
                        frozen_at(session, chain_id, cut), cumulative_before(session, period_id))


def gather(session: Session, sessions: sessionmaker[Session], period: RoyaltyPeriod, *, chain_id: int, cut: Cut,
           unit_factor: int, fee_bps: int, describe: dict, tallied: bool = True) -> StatementInputs:
    """Read every input of `period` as of one moment: `session` must be in a REPEATABLE READ transaction.

    The play counts run on `session` (from the period's tallies unless `tallied` is False, then a scan of every
    play); everything else meanwhile on a second connection (from `sessions`) that shares its snapshot."""
    with snapshot_twin(session, sessions) as twin, ThreadPoolExecutor(1, "close-inputs") as pool:
        beside = pool.submit(_beside_usage, twin, period.period_id, chain_id, cut.number, unit_factor)
        plays = counted_plays(session, chain_id, period, tallied=tallied)
        rest = beside.result()
    pool_total, sales, pool_references = rest.revenue
    found = StatementInputs(
        period_id=period.period_id, fee_bps=fee_bps, subscription_pool=pool_total, plays=plays,
        partner_lines=tuple(rest.lines), direct_sales=tuple(sales), splits={}, frozen=frozenset(),
        previous_cumulative=rest.cumulative,
        describe={**describe, "window": {"starts_at": period.starts_at.isoformat(),
                                         "ends_at": period.ends_at.isoformat()},
                  "cut": {"block": cut.number, "hash": cut.hash, "timestamp": cut.timestamp},
                  "unit_factor": unit_factor, "subscription_references": pool_references})
    assets = found.asset_ids()
    return replace(found, splits={asset_id: split for asset_id, split in rest.splits.items() if asset_id in assets},
                   frozen=rest.frozen & assets)
