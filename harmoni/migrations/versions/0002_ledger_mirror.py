"""ledger mirror: raw chain events, indexer stats, projections of every contract event, balance views

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 08:26:58.276663
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Balances are views over append-only logs, so a reorg that deletes log rows corrects them for free.
VAULT_BALANCES = """
create view vault_balances as
select chain_id, account, token, sum(amount)::numeric(78, 0) as balance
from (
    select chain_id, account, token, amount from vault_credits
    union all
    select chain_id, account, token, -amount from vault_withdrawals
) movements
group by chain_id, account, token
"""

EDITION_BALANCES = """
create view edition_balances as
select chain_id, edition_id, holder, sum(amount)::numeric(78, 0) as balance
from (
    select chain_id, edition_id, recipient as holder, amount from edition_transfers
    where recipient <> '0x0000000000000000000000000000000000000000'
    union all
    select chain_id, edition_id, sender, -amount from edition_transfers
    where sender <> '0x0000000000000000000000000000000000000000'
) movements
group by chain_id, edition_id, holder
having sum(amount) <> 0
"""


def upgrade() -> None:
    op.add_column("indexed_blocks", sa.Column("final", sa.Boolean(), server_default="false", nullable=False))
    op.create_table(
        "asset_freezes",
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("arbiter", sa.String(length=42), nullable=False),
        sa.Column("reason_hash", sa.String(length=66), nullable=True),
        sa.Column("controller", sa.String(length=42), nullable=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "block_number", "log_index", name=op.f("pk_asset_freezes")),
    )
    op.create_index(op.f("ix_asset_freezes_asset_id"), "asset_freezes", ["asset_id"], unique=False)
    op.create_table(
        "asset_history",
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "block_number", "log_index", name=op.f("pk_asset_history")),
    )
    op.create_index(op.f("ix_asset_history_asset_id"), "asset_history", ["asset_id"], unique=False)
    op.create_table(
        "assets",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("controller", sa.String(length=42), nullable=False),
        sa.Column("pending_controller", sa.String(length=42), nullable=True),
        sa.Column("industry_code", sa.String(length=12), nullable=False),
        sa.Column("content_hash", sa.String(length=66), nullable=True),
        sa.Column("work_ids", postgresql.ARRAY(sa.BigInteger()), nullable=False),
        sa.Column("metadata_uri", sa.String(), nullable=False),
        sa.Column("split_version", sa.Integer(), nullable=False),
        sa.Column("split_hash", sa.String(length=66), nullable=False),
        sa.Column("split_recipients", postgresql.ARRAY(sa.String(length=42)), nullable=False),
        sa.Column("split_allocations", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("split_locked", sa.Boolean(), nullable=False),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("registered_block", sa.BigInteger(), nullable=False),
        sa.Column("registered_tx", sa.String(length=66), nullable=False),
        sa.Column("updated_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "asset_id", name=op.f("pk_assets")),
    )
    op.create_index(op.f("ix_assets_controller"), "assets", ["controller"], unique=False)
    op.create_index(op.f("ix_assets_industry_code"), "assets", ["industry_code"], unique=False)
    op.create_index("ix_assets_split_recipients", "assets", ["split_recipients"], unique=False, postgresql_using="gin")
    op.create_table(
        "chain_events",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("tx_index", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("contract", sa.String(length=40), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("args", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "block_hash", "log_index", name=op.f("pk_chain_events")),
    )
    op.create_index("ix_chain_events_block", "chain_events", ["chain_id", "block_number", "log_index"], unique=False)
    op.create_index("ix_chain_events_contract_event", "chain_events", ["chain_id", "contract", "event"], unique=False)
    op.create_table(
        "controller_changes",
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("previous_controller", sa.String(length=42), nullable=False),
        sa.Column("new_controller", sa.String(length=42), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "block_number", "log_index", name=op.f("pk_controller_changes")),
    )
    op.create_index(op.f("ix_controller_changes_asset_id"), "controller_changes", ["asset_id"], unique=False)
    op.create_table(
        "edition_mints",
        sa.Column("edition_id", sa.BigInteger(), nullable=False),
        sa.Column("recipient", sa.String(length=42), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("paid", sa.Numeric(precision=78, scale=0), nullable=False),
        sa.Column("fee", sa.Numeric(precision=78, scale=0), nullable=False),
        sa.Column("order_id", sa.String(length=66), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "block_number", "log_index", name=op.f("pk_edition_mints")),
    )
    op.create_index(op.f("ix_edition_mints_edition_id"), "edition_mints", ["edition_id"], unique=False)
    op.create_table(
        "edition_transfers",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("edition_id", sa.BigInteger(), nullable=False),
        sa.Column("sender", sa.String(length=42), nullable=False),
        sa.Column("recipient", sa.String(length=42), nullable=False),
        sa.Column("amount", sa.Numeric(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "block_number", "log_index", "position", name=op.f("pk_edition_transfers")),
    )
    op.create_index(op.f("ix_edition_transfers_edition_id"), "edition_transfers", ["edition_id"], unique=False)
    op.create_table(
        "editions",
        sa.Column("edition_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("creator", sa.String(length=42), nullable=False),
        sa.Column("payment_token", sa.String(length=42), nullable=False),
        sa.Column("price", sa.Numeric(precision=78, scale=0), nullable=False),
        sa.Column("max_supply", sa.BigInteger(), nullable=False),
        sa.Column("sale_start", sa.BigInteger(), nullable=False),
        sa.Column("sale_end", sa.BigInteger(), nullable=False),
        sa.Column("per_wallet_cap", sa.BigInteger(), nullable=False),
        sa.Column("royalty_bps", sa.Integer(), nullable=False),
        sa.Column("royalty_receiver", sa.String(length=42), nullable=False),
        sa.Column("platform_fee_bps", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "block_number", "log_index", name=op.f("pk_editions")),
    )
    op.create_index(op.f("ix_editions_asset_id"), "editions", ["asset_id"], unique=False)
    op.create_index("ix_editions_edition", "editions", ["chain_id", "edition_id"], unique=True)
    op.create_table(
        "indexer_stats",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("events_indexed", sa.BigInteger(), nullable=False),
        sa.Column("reorgs", sa.Integer(), nullable=False),
        sa.Column("deepest_reorg", sa.Integer(), nullable=False),
        sa.Column("last_reorg_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("events_per_s", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", name=op.f("pk_indexer_stats")),
    )
    op.create_table(
        "payout_claims",
        sa.Column("distributor", sa.String(length=42), nullable=False),
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("amount", sa.Numeric(precision=78, scale=0), nullable=False),
        sa.Column("cumulative_amount", sa.Numeric(precision=78, scale=0), nullable=False),
        sa.Column("root", sa.String(length=66), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "block_number", "log_index", name=op.f("pk_payout_claims")),
    )
    op.create_index(op.f("ix_payout_claims_account"), "payout_claims", ["account"], unique=False)
    op.create_table(
        "payout_periods",
        sa.Column("distributor", sa.String(length=42), nullable=False),
        sa.Column("period_id", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.String(length=66), nullable=False),
        sa.Column("previous_root", sa.String(length=66), nullable=False),
        sa.Column("cumulative_total", sa.Numeric(precision=78, scale=0), nullable=False),
        sa.Column("funded", sa.Numeric(precision=78, scale=0), nullable=False),
        sa.Column("statement_hash", sa.String(length=66), nullable=False),
        sa.Column("statement_uri", sa.String(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "block_number", "log_index", name=op.f("pk_payout_periods")),
    )
    op.create_index("ix_payout_periods_period", "payout_periods", ["chain_id", "distributor", "period_id"], unique=True)
    op.create_table(
        "split_versions",
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("split_hash", sa.String(length=66), nullable=False),
        sa.Column("recipients", postgresql.ARRAY(sa.String(length=42)), nullable=False),
        sa.Column("allocations", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "block_number", "log_index", name=op.f("pk_split_versions")),
    )
    op.create_index(
        "ix_split_versions_asset_version", "split_versions", ["chain_id", "asset_id", "version"], unique=True
    )
    op.create_index(
        "ix_split_versions_recipients", "split_versions", ["recipients"], unique=False, postgresql_using="gin"
    )
    op.create_table(
        "vault_credits",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("amount", sa.Numeric(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "block_number", "log_index", "position", name=op.f("pk_vault_credits")),
    )
    op.create_index(op.f("ix_vault_credits_account"), "vault_credits", ["account"], unique=False)
    op.create_table(
        "vault_deposits",
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("depositor", sa.String(length=42), nullable=False),
        sa.Column("amount", sa.Numeric(precision=78, scale=0), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "block_number", "log_index", name=op.f("pk_vault_deposits")),
    )
    op.create_index(op.f("ix_vault_deposits_asset_id"), "vault_deposits", ["asset_id"], unique=False)
    op.create_table(
        "vault_distributions",
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("amount", sa.Numeric(precision=78, scale=0), nullable=False),
        sa.Column("split_version", sa.Integer(), nullable=False),
        sa.Column("split_hash", sa.String(length=66), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "block_number", "log_index", name=op.f("pk_vault_distributions")),
    )
    op.create_index(op.f("ix_vault_distributions_asset_id"), "vault_distributions", ["asset_id"], unique=False)
    op.create_table(
        "vault_withdrawals",
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("amount", sa.Numeric(precision=78, scale=0), nullable=False),
        sa.Column("caller", sa.String(length=42), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "block_number", "log_index", name=op.f("pk_vault_withdrawals")),
    )
    op.create_index(op.f("ix_vault_withdrawals_account"), "vault_withdrawals", ["account"], unique=False)
    op.execute(VAULT_BALANCES)
    op.execute(EDITION_BALANCES)


def downgrade() -> None:
    op.execute("drop view if exists edition_balances")
    op.execute("drop view if exists vault_balances")
    op.drop_column("indexed_blocks", "final")
    op.drop_index(op.f("ix_vault_withdrawals_account"), table_name="vault_withdrawals")
    op.drop_table("vault_withdrawals")
    op.drop_index(op.f("ix_vault_distributions_asset_id"), table_name="vault_distributions")
    op.drop_table("vault_distributions")
    op.drop_index(op.f("ix_vault_deposits_asset_id"), table_name="vault_deposits")
    op.drop_table("vault_deposits")
    op.drop_index(op.f("ix_vault_credits_account"), table_name="vault_credits")
    op.drop_table("vault_credits")
    op.drop_index("ix_split_versions_recipients", table_name="split_versions", postgresql_using="gin")
    op.drop_index("ix_split_versions_asset_version", table_name="split_versions")
    op.drop_table("split_versions")
    op.drop_index("ix_payout_periods_period", table_name="payout_periods")
    op.drop_table("payout_periods")
    op.drop_index(op.f("ix_payout_claims_account"), table_name="payout_claims")
    op.drop_table("payout_claims")
    op.drop_table("indexer_stats")
    op.drop_index("ix_editions_edition", table_name="editions")
    op.drop_index(op.f("ix_editions_asset_id"), table_name="editions")
    op.drop_table("editions")
    op.drop_index(op.f("ix_edition_transfers_edition_id"), table_name="edition_transfers")
    op.drop_table("edition_transfers")
    op.drop_index(op.f("ix_edition_mints_edition_id"), table_name="edition_mints")
    op.drop_table("edition_mints")
    op.drop_index(op.f("ix_controller_changes_asset_id"), table_name="controller_changes")
    op.drop_table("controller_changes")
    op.drop_index("ix_chain_events_contract_event", table_name="chain_events")
    op.drop_index("ix_chain_events_block", table_name="chain_events")
    op.drop_table("chain_events")
    op.drop_index("ix_assets_split_recipients", table_name="assets", postgresql_using="gin")
    op.drop_index(op.f("ix_assets_industry_code"), table_name="assets")
    op.drop_index(op.f("ix_assets_controller"), table_name="assets")
    op.drop_table("assets")
    op.drop_index(op.f("ix_asset_history_asset_id"), table_name="asset_history")
    op.drop_table("asset_history")
    op.drop_index(op.f("ix_asset_freezes_asset_id"), table_name="asset_freezes")
    op.drop_table("asset_freezes")
