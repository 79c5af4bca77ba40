"""The ledger as mirrored from the chain. The indexer writes these tables; everything else reads them.

Most tables are append-only logs keyed by (chain_id, block_number, log_index): a reorg deletes the
rows above the common ancestor and nothing else. `assets` is the one current-state table; after a
reorg the touched assets are rebuilt from the surviving raw events. Balances are views over logs.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Index, Integer, Numeric, SmallInteger, String
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base

Uint256 = Numeric(78, 0)
Address = String(42)
Hash = String(66)  # 0x-prefixed 32-byte hex


class _Logged:
    """Columns of every append-only projection row: where on chain it came from."""

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block_number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    tx_hash: Mapped[str] = mapped_column(Hash)


class Asset(Base):
    """Current state of a work or recording, as of the indexed block."""

    __tablename__ = "assets"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # work | recording
    controller: Mapped[str] = mapped_column(Address, index=True)
    pending_controller: Mapped[str | None] = mapped_column(Address)
    industry_code: Mapped[str] = mapped_column(String(12), index=True)
    content_hash: Mapped[str | None] = mapped_column(Hash)
    work_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger))
    metadata_uri: Mapped[str] = mapped_column(String)
    split_version: Mapped[int] = mapped_column(Integer)
    split_hash: Mapped[str] = mapped_column(Hash)
    split_recipients: Mapped[list[str]] = mapped_column(ARRAY(Address))
    split_allocations: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    split_locked: Mapped[bool] = mapped_column(Boolean)
    frozen: Mapped[bool] = mapped_column(Boolean)
    registered_block: Mapped[int] = mapped_column(BigInteger)
    registered_tx: Mapped[str] = mapped_column(Hash)
    updated_block: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_assets_split_recipients", "split_recipients", postgresql_using="gin"),)


class AssetHistory(_Logged, Base):
    """Every registry event about an asset, in chain order."""

    __tablename__ = "asset_history"

    asset_id: Mapped[int] = mapped_column(BigInteger, index=True)
    event: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict] = mapped_column(JSONB)


class SplitVersion(_Logged, Base):
    __tablename__ = "split_versions"

    asset_id: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)
    split_hash: Mapped[str] = mapped_column(Hash)
    recipients: Mapped[list[str]] = mapped_column(ARRAY(Address))
    allocations: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    block_hash: Mapped[str] = mapped_column(Hash)

    __table_args__ = (
        Index("ix_split_versions_asset_version", "chain_id", "asset_id", "version", unique=True),
        Index("ix_split_versions_recipients", "recipients", postgresql_using="gin"),
    )


class ControllerChange(_Logged, Base):
    __tablename__ = "controller_changes"

    asset_id: Mapped[int] = mapped_column(BigInteger, index=True)
    change: Mapped[str] = mapped_column(String(16))  # started | transferred | arbitrated
    previous_controller: Mapped[str] = mapped_column(Address)
    new_controller: Mapped[str] = mapped_column(Address)


class AssetFreeze(_Logged, Base):
    __tablename__ = "asset_freezes"

    asset_id: Mapped[int] = mapped_column(BigInteger, index=True)
    frozen: Mapped[bool] = mapped_column(Boolean)
    arbiter: Mapped[str] = mapped_column(Address)
    reason_hash: Mapped[str | None] = mapped_column(Hash)
    controller: Mapped[str | None] = mapped_column(Address)


class VaultDeposit(_Logged, Base):
    __tablename__ = "vault_deposits"

    asset_id: Mapped[int] = mapped_column(BigInteger, index=True)
    token: Mapped[str] = mapped_column(Address)
    depositor: Mapped[str] = mapped_column(Address)
    amount: Mapped[Decimal] = mapped_column(Uint256)


class VaultDistribution(_Logged, Base):
    __tablename__ = "vault_distributions"

    asset_id: Mapped[int] = mapped_column(BigInteger, index=True)
    token: Mapped[str] = mapped_column(Address)
    amount: Mapped[Decimal] = mapped_column(Uint256)
    split_version: Mapped[int] = mapped_column(Integer)
    split_hash: Mapped[str] = mapped_column(Hash)


class VaultCredit(Base):
    """One recipient's share of a distribution (derived with the contract's rounding rule)."""

    __tablename__ = "vault_credits"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block_number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger)
    token: Mapped[str] = mapped_column(Address)
    account: Mapped[str] = mapped_column(Address, index=True)
    amount: Mapped[Decimal] = mapped_column(Uint256)


class VaultWithdrawal(_Logged, Base):
    __tablename__ = "vault_withdrawals"

    account: Mapped[str] = mapped_column(Address, index=True)
    token: Mapped[str] = mapped_column(Address)
    amount: Mapped[Decimal] = mapped_column(Uint256)
    caller: Mapped[str] = mapped_column(Address)


class PayoutPeriod(_Logged, Base):
    __tablename__ = "payout_periods"

    distributor: Mapped[str] = mapped_column(Address)
    period_id: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[str] = mapped_column(Hash)
    previous_root: Mapped[str] = mapped_column(Hash)
    cumulative_total: Mapped[Decimal] = mapped_column(Uint256)
    funded: Mapped[Decimal] = mapped_column(Uint256)
    statement_hash: Mapped[str] = mapped_column(Hash)
    statement_uri: Mapped[str] = mapped_column(String)

    __table_args__ = (Index("ix_payout_periods_period", "chain_id", "distributor", "period_id", unique=True),)


class PayoutClaim(_Logged, Base):
    __tablename__ = "payout_claims"

    distributor: Mapped[str] = mapped_column(Address)
    account: Mapped[str] = mapped_column(Address, index=True)
    amount: Mapped[Decimal] = mapped_column(Uint256)
    cumulative_amount: Mapped[Decimal] = mapped_column(Uint256)
    root: Mapped[str] = mapped_column(Hash)


class Edition(_Logged, Base):
    __tablename__ = "editions"

    edition_id: Mapped[int] = mapped_column(BigInteger)
    asset_id: Mapped[int] = mapped_column(BigInteger, index=True)
    creator: Mapped[str] = mapped_column(Address)
    payment_token: Mapped[str] = mapped_column(Address)
    price: Mapped[Decimal] = mapped_column(Uint256)
    max_supply: Mapped[int] = mapped_column(BigInteger)
    sale_start: Mapped[int] = mapped_column(BigInteger)
    sale_end: Mapped[int] = mapped_column(BigInteger)
    per_wallet_cap: Mapped[int] = mapped_column(BigInteger)
    royalty_bps: Mapped[int] = mapped_column(Integer)
    royalty_receiver: Mapped[str] = mapped_column(Address)
    platform_fee_bps: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_editions_edition", "chain_id", "edition_id", unique=True),)


class EditionMint(_Logged, Base):
    __tablename__ = "edition_mints"

    edition_id: Mapped[int] = mapped_column(BigInteger, index=True)
    recipient: Mapped[str] = mapped_column(Address)
    quantity: Mapped[int] = mapped_column(BigInteger)
    paid: Mapped[Decimal] = mapped_column(Uint256)
    fee: Mapped[Decimal] = mapped_column(Uint256)
    order_id: Mapped[str] = mapped_column(Hash)


class EditionTransfer(Base):
    """ERC-1155 transfers expanded to one row per token id (mints have a zero sender)."""

    __tablename__ = "edition_transfers"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block_number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    edition_id: Mapped[int] = mapped_column(BigInteger, index=True)
    sender: Mapped[str] = mapped_column(Address)
    recipient: Mapped[str] = mapped_column(Address)
    amount: Mapped[Decimal] = mapped_column(Uint256)


# Tables a reorg rolls back by block number (every projection but `assets`).
LOGGED_TABLES = (AssetHistory, SplitVersion, ControllerChange, AssetFreeze, VaultDeposit, VaultDistribution,
                 VaultCredit, VaultWithdrawal, PayoutPeriod, PayoutClaim, Edition, EditionMint, EditionTransfer)
