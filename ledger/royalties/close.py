"""Closing a period: stop its intake, compute its statement and Merkle tree, store them, record the result.

Exactly once by construction: one transaction marks the period `closing`; the inputs are read in another, which
writes nothing; the last one writes the tree, the entitlements, the journal entries, the statement and the status
`closed` together, and stores the content-addressed documents on the way (writing them again writes the same
bytes). A close killed anywhere is finished by running it again, which computes the same statement from the same
inputs.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.storage import get_content_addressed, put_content_addressed
from harmoni.db import copy_rows
from harmoni.failpoints import failpoint
from harmoni.processes import in_forks
from ledger.merkle import StandardMerkleTree
from ledger.royalties import adjustments, inputs, journal
from ledger.royalties.context import RoyaltyContext
from ledger.royalties.errors import PeriodNotOver, PeriodOutOfOrder, PeriodTooLarge
from ledger.royalties.models import (
    PayeeEntitlement,
    PayoutTree,
    PeriodStatus,
    RevenueEntry,
    RoyaltyPeriod,
    StoredStatement,
)
from ledger.royalties.periods import get_period
from ledger.royalties.statement import Statement, StatementInputs, compute
from ledger.usage.models import UsageReport, UsageReportLine

UINT256_MAX = 2**256 - 1

LEAF_ENCODING = ("address", "uint256")
ZERO_ROOT = "0x" + "00" * 32
STATEMENTS = "statements"
SETTLED = (PeriodStatus.closed, PeriodStatus.published)


@dataclass(frozen=True)
class ClosedPeriod:
    statement: Statement
    tree: StandardMerkleTree | None
    json_bytes: bytes
    csv_bytes: bytes
    tree_bytes: bytes  # the tree's standard-v1 dump ("null" when nobody has earned yet)


def payout_tree(cumulative: dict[str, int]) -> StandardMerkleTree | None:
    """The cumulative tree over every payee with something earned so far (None before anyone earned)."""
    leaves = [(account, amount) for account, amount in sorted(cumulative.items()) if amount > 0]
    return StandardMerkleTree.of(leaves, LEAF_ENCODING) if leaves else None


def tree_document(tree: StandardMerkleTree | None) -> bytes:
    """The tree's standard-v1 dump as stored ("null" while nobody has earned anything)."""
    return json.dumps(tree.dump() if tree else None, sort_keys=True).encode()


def render(statement: Statement,
           record: Callable[[StandardMerkleTree | None], object] | None = None) -> ClosedPeriod:
    """The statement's JSON and CSV, rendered in a forked process while this one builds the payout tree, hands it
    to `record` (the close writes it with the entitlements) and renders the tree's document: 3 s of work in one
    process at 100k assets, about half in each."""

    def tree_here() -> tuple[StandardMerkleTree | None, bytes]:
        tree = payout_tree(statement.cumulative)
        if record is not None:
            record(tree)
        return tree, tree_document(tree)

    # Two processes, not three: on two cores a third only adds switching and copy-on-write faults.
    (tree, tree_bytes), (json_bytes, csv_bytes) = in_forks(tree_here, lambda: (statement.to_json(), statement.to_csv()))
    return ClosedPeriod(statement, tree, json_bytes, csv_bytes, tree_bytes)


def period_inputs(ctx: RoyaltyContext, session: Session, period: RoyaltyPeriod, cut: inputs.Cut, *,
                  tallied: bool = True) -> StatementInputs:
    """What the statement of `period` is computed from, as the database and chain hold it (no writes).
    `tallied=False` counts the period's plays one by one instead of reading the period's tallies (the audit's way)."""
    describe = {"chain_id": ctx.deployment.chain_id, "distributor": ctx.deployment.address("PayoutDistributor"),
                "registry": ctx.deployment.address("RightsRegistry"), "token": ctx.deployment.payout_token,
                "currency": ctx.settings.payout_currency, "previous_root": previous_root(session, period.period_id)}
    found = inputs.gather(session, ctx.sessions, period, chain_id=ctx.deployment.chain_id, cut=cut,
                          unit_factor=ctx.unit_factor, fee_bps=ctx.settings.royalty_fee_bps, describe=describe,
                          tallied=tallied)
    owed, sources = adjustments.for_period(
        session, period, lambda uri: get_content_addressed(ctx.store, STATEMENTS, uri, ".json"))
    return replace(found, adjustments=owed, adjustment_sources=sources) if owed or sources else found


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic GC while a close builds its millions of small objects: they all stay alive, so every pass over
    them (several seconds in all for 100k assets) would free nothing; reference counting still frees the rest."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def previous_root(session: Session, period_id: int) -> str:
    root = session.scalar(select(StoredStatement.root).where(StoredStatement.period_id == period_id - 1))
    return root or ZERO_ROOT


@_gc_paused()
def close_period(ctx: RoyaltyContext, period_id: int, *, now: datetime | None = None) -> StoredStatement:
    """Close `period_id` (or finish closing it); a closed or published period is returned as it is."""
    now = now or datetime.now(UTC)
    with ctx.sessions.begin() as session:
        period = get_period(session, period_id, lock=True)
        if period.status in SETTLED:
            return _stored(session, period_id)
        if period.status == PeriodStatus.open:
            check_closable(session, period, now, timedelta(seconds=ctx.settings.period_close_grace_s),
                           ctx.unit_factor)
            period.status = PeriodStatus.closing.value
        ends_at = period.ends_at
    failpoint("close:closing")

    cut = inputs.find_cut(ctx.client, ends_at)
    with ctx.sessions() as session:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        inputs.check_mirrored(session, ctx.deployment.chain_id, cut)
        statement = compute(period_inputs(ctx, session, get_period(session, period_id), cut))
        session.rollback()
    failpoint("close:computed")

    with ctx.sessions.begin() as session:
        period = get_period(session, period_id, lock=True)
        if period.status != PeriodStatus.closing:  # another run finished first
            return _stored(session, period_id)
        # The documents are rendered in another process while this one writes the tree and its entitlements.
        closed = render(statement, partial(_record_payouts, session, period_id, statement))
        uris = store_documents(ctx, closed)
        failpoint("close:stored")  # killed here, the transaction is rolled back: only the documents stay
        stored = _record(session, ctx, period, cut, closed, uris)
    failpoint("close:recorded")
    return stored


def check_closable(session: Session, period: RoyaltyPeriod, now: datetime, grace: timedelta,
                   unit_factor: int = 1) -> None:
    """Refuse to close a period before its end plus the grace, before the period ahead of it is closed, or when
    its payout could not fit the contract (checked while the period is open, so a wrong entry can still go)."""
    if now < period.ends_at + grace:
        raise PeriodNotOver(f"period {period.period_id} ends at {period.ends_at.isoformat()}; it can close "
                            f"{int(grace.total_seconds())} s later", period_id=period.period_id)
    if period.period_id > 1:
        before = get_period(session, period.period_id - 1)
        if before.status not in SETTLED:
            raise PeriodOutOfOrder(f"close period {before.period_id} first", period_id=period.period_id)
    previous = session.scalar(select(StoredStatement.cumulative_total)
                              .where(StoredStatement.period_id == period.period_id - 1)) or 0
    revenue = session.scalar(select(func.coalesce(func.sum(RevenueEntry.amount), 0))
                             .where(RevenueEntry.period_id == period.period_id, RevenueEntry.voided_at.is_(None)))
    partner = session.scalar(select(func.coalesce(func.sum(UsageReportLine.net_revenue), 0))
                             .join(UsageReport, UsageReport.id == UsageReportLine.report_id)
                             .where(UsageReport.period_id == period.period_id))
    if int(previous) + (int(revenue) + int(partner)) * unit_factor > UINT256_MAX:
        raise PeriodTooLarge(f"period {period.period_id}'s cumulative total would exceed the payout contract's "
                             "uint256; void the wrong revenue entry first (POST /v1/periods/{id}/revenue/{entry}/void)",
                             period_id=period.period_id)


def store_documents(ctx: RoyaltyContext, closed: ClosedPeriod) -> dict[str, str]:
    return {
        "statement": put_content_addressed(ctx.store, STATEMENTS, closed.json_bytes, ".json", "application/json"),
        "csv": put_content_addressed(ctx.store, STATEMENTS, closed.csv_bytes, ".csv", "text/csv"),
        "tree": put_content_addressed(ctx.store, STATEMENTS, closed.tree_bytes, ".json", "application/json"),
    }


def _record_payouts(session: Session, period_id: int, statement: Statement, tree: StandardMerkleTree | None) -> None:
    """The tree's nodes, every payee's entitlement and leaf, and the close's journal entries."""
    if tree is not None:
        # The nodes, not 50k proofs of ~16 hashes each: a proof is read back from ~17 of them (`claims.proof_of`).
        session.add(PayoutTree(period_id=period_id, nodes=b"".join(tree.nodes)))
        copy_rows(session, PayeeEntitlement.__table__, (
            {"period_id": period_id, "account": account, "amount": statement.earned.get(account, 0),
             "cumulative_amount": amount, "tree_index": tree.tree_index(index)}
            for index, (account, amount) in tree.entries()))
    _journal_close(session, period_id, statement)
    adjustments.record_applied(session, period_id, statement)
    session.flush()


def _record(session: Session, ctx: RoyaltyContext, period: RoyaltyPeriod, cut: inputs.Cut, closed: ClosedPeriod,
            uris: dict[str, str]) -> StoredStatement:
    statement, tree = closed.statement, closed.tree
    stored = StoredStatement(
        period_id=period.period_id, chain_id=ctx.deployment.chain_id, cut_block=cut.number,
        cut_block_hash=cut.hash, cut_timestamp=cut.timestamp, gross=statement.gross,
        platform_fee=statement.platform_fee, held=statement.held, unallocated=statement.unallocated,
        allocated=statement.allocated, cumulative_total=statement.cumulative_total,
        root=tree.root if tree else ZERO_ROOT, previous_root=str(statement.inputs.describe["previous_root"]),
        statement_hash="0x" + hashlib.sha256(closed.json_bytes).hexdigest(), statement_uri=uris["statement"],
        csv_uri=uris["csv"], tree_uri=uris["tree"])
    session.add(stored)
    period.status = PeriodStatus.closed.value
    return stored


def _journal_close(session: Session, period_id: int, statement: Statement) -> None:
    revenue = statement.revenue_by_source()
    journal.post(session, kind="revenue", key=f"partner-revenue:{period_id}", period_id=period_id,
                 memo=f"partner usage reports of period {period_id}",
                 postings=[journal.debit(journal.Account.cash, revenue["partner"]),
                           journal.credit(journal.Account.revenue_partner, revenue["partner"])])
    journal.post(session, kind="close", key=f"close:{period_id}", period_id=period_id,
                 memo=f"period {period_id} closed: revenue to fees, payees, held and unallocated",
                 postings=[*(journal.debit(journal.revenue_account(source), amount)
                             for source, amount in revenue.items()),
                           journal.credit(journal.Account.platform_fee, statement.platform_fee),
                           journal.credit(journal.Account.rights_holders_payable, statement.allocated),
                           journal.credit(journal.Account.held, statement.held),
                           journal.credit(journal.Account.unallocated, statement.unallocated),
                           # refunds of settled periods taken back from payees (given back when negative)
                           journal.credit(journal.Account.subscription_refunds, max(statement.adjusted, 0)),
                           journal.debit(journal.Account.subscription_refunds, max(-statement.adjusted, 0))])


def _stored(session: Session, period_id: int) -> StoredStatement:
    return session.get(StoredStatement, period_id)
