"""Royalty periods and what closing and publishing them leaves behind."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base
from ledger.models import Address, Hash, Uint256


class PeriodStatus(enum.StrEnum):
    open = "open"            # usage and revenue are still coming in
    closing = "closing"      # the statement is being computed; nothing more comes in
    closed = "closed"        # statement and tree are stored; not yet on chain
    published = "published"  # root and funding are on chain


_STATUSES = ", ".join(f"'{s.value}'" for s in PeriodStatus)


class RoyaltyPeriod(Base):
    """A span of time whose usage and revenue are settled together; its id is the PayoutDistributor period id."""

    __tablename__ = "royalty_periods"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"status in ({_STATUSES})", name="status_known"),
    )

    period_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default=PeriodStatus.open.value)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The last publish attempt failed (the period stays `closed`): when and why, shown on the period until a publish
    # succeeds, so a failing job is not only a line in a log.
    publish_failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    publish_error: Mapped[str | None] = mapped_column(Text)


class RevenueSource(enum.StrEnum):
    subscriptions = "subscriptions"  # pooled, shared by counted plays
    direct_sales = "direct_sales"    # one asset's own sales
    partner = "partner"              # partners' usage report lines (recorded by `ledger.usage`)


class RevenueEntry(Base):
    """Money a period earned, in the currency's smallest unit; `reference` makes recording it idempotent."""

    __tablename__ = "royalty_revenue"
    __table_args__ = (
        UniqueConstraint("period_id", "reference"),
        CheckConstraint("source in ('subscriptions', 'direct_sales')", name="source_known"),
        CheckConstraint("(source = 'direct_sales') = (asset_id is not null)", name="asset_for_direct_sales"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    period_id: Mapped[int] = mapped_column(ForeignKey("royalty_periods.period_id"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    asset_id: Mapped[int | None] = mapped_column(BigInteger)
    amount: Mapped[Decimal] = mapped_column(Uint256)
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Voided by an admin before the period closed (a reversal is journaled): kept for the record, counted nowhere.
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    voided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    void_reason: Mapped[str | None] = mapped_column(Text)
    # A direct sale the edition contract settled on chain (fee to the treasury, the rest into the SplitVault): the
    # fee it took, in token units. The statement shows such a sale but never pays it again through the root.
    settled_fee: Mapped[Decimal | None] = mapped_column(Uint256)


class JournalEntry(Base):
    """One balanced posting of the double-entry journal; its lines' debits equal its credits (a trigger checks)."""

    __tablename__ = "journal_entries"
    __table_args__ = (CheckConstraint("kind in ('revenue', 'close', 'funding', 'claim', 'payment')",
                                      name="kind_known"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    period_id: Mapped[int | None] = mapped_column(ForeignKey("royalty_periods.period_id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    memo: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class JournalLine(Base):
    __tablename__ = "journal_lines"
    __table_args__ = (
        CheckConstraint("debit >= 0 and credit >= 0 and (debit = 0) <> (credit = 0)", name="one_sided"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id", ondelete="CASCADE"), index=True)
    account: Mapped[str] = mapped_column(String(64), index=True)
    debit: Mapped[Decimal] = mapped_column(Uint256)
    credit: Mapped[Decimal] = mapped_column(Uint256)


class StoredStatement(Base):
    """What closing a period produced: where its inputs were cut, its totals, documents and Merkle root."""

    __tablename__ = "royalty_statements"

    period_id: Mapped[int] = mapped_column(ForeignKey("royalty_periods.period_id"), primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    cut_block: Mapped[int] = mapped_column(BigInteger)
    cut_block_hash: Mapped[str] = mapped_column(Hash)
    cut_timestamp: Mapped[int] = mapped_column(BigInteger)
    gross: Mapped[Decimal] = mapped_column(Uint256)
    platform_fee: Mapped[Decimal] = mapped_column(Uint256)
    held: Mapped[Decimal] = mapped_column(Uint256)
    unallocated: Mapped[Decimal] = mapped_column(Uint256)
    allocated: Mapped[Decimal] = mapped_column(Uint256)
    cumulative_total: Mapped[Decimal] = mapped_column(Uint256)
    root: Mapped[str] = mapped_column(Hash)
    previous_root: Mapped[str] = mapped_column(Hash)
    statement_hash: Mapped[str] = mapped_column(Hash)
    statement_uri: Mapped[str] = mapped_column(String)
    csv_uri: Mapped[str] = mapped_column(String)
    tree_uri: Mapped[str] = mapped_column(String)
    published_tx: Mapped[str | None] = mapped_column(Hash)
    published_block: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PeriodPlayTally(Base):
    """Counted plays of an asset in a period. Written only by triggers (migration 0013): on `plays`, in the same
    transaction as the plays they count, and on opening a period (`open_period` counts the plays already in it)."""

    __tablename__ = "period_play_tallies"
    __table_args__ = (CheckConstraint("plays >= 0", name="plays_not_negative"),)

    period_id: Mapped[int] = mapped_column(ForeignKey("royalty_periods.period_id"), primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    plays: Mapped[int] = mapped_column(BigInteger)


class PayeeEntitlement(Base):
    """A payee's leaf in a period's tree: what the period added, the cumulative amount, where the leaf sits."""

    __tablename__ = "payee_entitlements"

    period_id: Mapped[int] = mapped_column(ForeignKey("royalty_periods.period_id"), primary_key=True)
    account: Mapped[str] = mapped_column(Address, primary_key=True, index=True)
    amount: Mapped[Decimal] = mapped_column(Uint256)
    cumulative_amount: Mapped[Decimal] = mapped_column(Uint256)
    tree_index: Mapped[int] = mapped_column(Integer)


class PayoutTree(Base):
    """A period's Merkle tree: every node's 32 bytes in the standard-v1 order (root first), one value.

    Stored uncompressed out of line, so reading a proof's ~17 nodes with `substring` fetches only their chunks."""

    __tablename__ = "payout_trees"
    __table_args__ = (CheckConstraint("length(nodes) % 64 = 32", name="whole_nodes"),)

    period_id: Mapped[int] = mapped_column(ForeignKey("royalty_periods.period_id"), primary_key=True)
    nodes: Mapped[bytes] = mapped_column(LargeBinary)


class RoyaltyClawback(Base):
    """The payees' part of revenue taken back (a refund, a lost dispute) after its period's statement was fixed:
    the next period to close applies it as a negative adjustment (a negative amount gives it back: a dispute won
    later). Token units of the origin period's subscription pool; shared out by that period's plays and splits."""

    __tablename__ = "royalty_clawbacks"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    reference: Mapped[str] = mapped_column(String(200), unique=True)  # makes recording it idempotent
    source: Mapped[str] = mapped_column(String(255), index=True)       # what was reversed (a Stripe invoice id)
    origin_period_id: Mapped[int] = mapped_column(ForeignKey("royalty_periods.period_id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Uint256)  # signed
    applied_period_id: Mapped[int | None] = mapped_column(ForeignKey("royalty_periods.period_id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AdjustmentCarry(Base):
    """What a payee still owes after a period's adjustments (more than the period earned them): the next period
    takes it up first. Cumulative amounts never go down, so an adjustment never exceeds what a period adds."""

    __tablename__ = "royalty_adjustment_carry"

    period_id: Mapped[int] = mapped_column(ForeignKey("royalty_periods.period_id"), primary_key=True)
    account: Mapped[str] = mapped_column(Address, primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Uint256)
