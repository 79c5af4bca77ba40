"""card_orders: fans' card purchases of edition tokens, their payment, refund and mint states

Revision ID: 0027_card_orders
Revises: 0026
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0027_card_orders"
down_revision = "0026"
branch_labels = None
depends_on = None

STATES = "'payment-pending', 'payment-failed', 'sold-out-refunded', 'mint-pending', 'mint-failed', 'minted'"


def upgrade() -> None:
    op.create_table(
        "card_orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("edition_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("wallet", sa.String(length=42), nullable=False),
        sa.Column("wallet_kind", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("tax", sa.BigInteger(), nullable=False),
        sa.Column("tax_rate_bps", sa.Integer(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("buyer_country", sa.String(length=2), nullable=True),
        sa.Column("evidence", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.Column("checkout_session_id", sa.String(length=255), nullable=True),
        sa.Column("checkout_url", sa.Text(), nullable=True),
        sa.Column("payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("refund_id", sa.String(length=255), nullable=True),
        sa.Column("revenue_entry_id", sa.Uuid(), nullable=True),
        sa.Column("tx_hash", sa.String(length=66), nullable=True),
        sa.Column("mint_attempts", sa.Integer(), nullable=False),
        sa.Column("mint_next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("minted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(f"state in ({STATES})", name=op.f("ck_card_orders_state_known")),
        sa.CheckConstraint("quantity > 0 and amount > 0 and tax >= 0 and fee >= 0 and tax <= amount",
                           name=op.f("ck_card_orders_amounts")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_card_orders_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_orders")),
        sa.UniqueConstraint("checkout_session_id", name=op.f("uq_card_orders_checkout_session_id")),
        sa.UniqueConstraint("payment_intent_id", name=op.f("uq_card_orders_payment_intent_id")),
    )
    op.create_index(op.f("ix_card_orders_user_id"), "card_orders", ["user_id"])
    op.create_index("ix_card_orders_mint_due", "card_orders", ["mint_next_at"],
                    postgresql_where=sa.text("state in ('mint-pending', 'mint-failed')"))
    op.create_index("ix_card_orders_edition_state", "card_orders", ["chain_id", "edition_id", "state"])


def downgrade() -> None:
    op.drop_table("card_orders")
