"""chain operations: one row per business operation sent on chain, with every transaction signed for it

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chain_operations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("from_address", sa.String(42), nullable=False),
        sa.Column("to_address", sa.String(42), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("value", sa.Numeric(78, 0), nullable=False),
        sa.Column("nonce", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("tx_hashes", postgresql.ARRAY(sa.String(66)), nullable=False),
        sa.Column("signed_raw_tx", sa.LargeBinary(), nullable=True),
        sa.Column("mined_tx_hash", sa.String(66), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("gas_used", sa.BigInteger(), nullable=True),
        sa.Column("error_name", sa.String(128), nullable=True),
        sa.Column("error_args", postgresql.JSONB(), nullable=True),
        sa.Column("error_detail", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("status in ('pending', 'submitted', 'confirmed', 'failed')",
                           name=op.f("ck_chain_operations_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_operations")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_chain_operations_idempotency_key")),
    )
    op.create_index(op.f("ix_chain_operations_account_nonce"), "chain_operations",
                    ["chain_id", "from_address", "nonce"], unique=True, postgresql_where=sa.text("nonce is not null"))
    op.create_index(op.f("ix_chain_operations_account_status"), "chain_operations",
                    ["chain_id", "from_address", "status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_chain_operations_account_status"), table_name="chain_operations")
    op.drop_index(op.f("ix_chain_operations_account_nonce"), table_name="chain_operations")
    op.drop_table("chain_operations")
