"""Editions: what an artist says about an edition off chain, and on-chain sales settled by the edition contract

Revision ID: 0019_editions
Revises: 0018
Create Date: 2026-12-03

`edition_listings`: the off-chain side of an edition an artist created through the API (fiat price for the card
flow, metadata document with artwork and description), with the on-chain parameters it was created with; it is
matched to the mirrored `editions` row by those parameters (`ledger.editions`).
`royalty_revenue.settled_fee`: set on direct sales the edition contract already settled on chain (the platform fee
it sent to the treasury, in token units); such an entry is shown by the statement but never paid through the root.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_editions"
down_revision = "0018"
branch_labels = None
depends_on = None

U256 = sa.Numeric(78, 0)


def upgrade() -> None:
    op.create_table(
        "edition_listings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("creator", sa.String(42), nullable=False),
        sa.Column("payment_token", sa.String(42), nullable=False),
        sa.Column("price", U256, nullable=False),
        sa.Column("max_supply", sa.BigInteger(), nullable=False),
        sa.Column("sale_start", sa.BigInteger(), nullable=False),
        sa.Column("sale_end", sa.BigInteger(), nullable=False),
        sa.Column("per_wallet_cap", sa.BigInteger(), nullable=False),
        sa.Column("royalty_bps", sa.Integer(), nullable=False),
        sa.Column("fiat_price_cents", sa.BigInteger(), nullable=True),
        sa.Column("fiat_currency", sa.String(3), nullable=True),
        sa.Column("metadata_uri", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edition_listings")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_edition_listings_user_id_users")),
        sa.CheckConstraint("(fiat_price_cents is null) = (fiat_currency is null)",
                           name=op.f("ck_edition_listings_fiat_price_whole")),
        sa.CheckConstraint("fiat_price_cents is null or fiat_price_cents > 0",
                           name=op.f("ck_edition_listings_fiat_positive")),
        sa.CheckConstraint("royalty_bps between 0 and 1000", name=op.f("ck_edition_listings_royalty_capped")),
    )
    op.create_index(op.f("ix_edition_listings_match"), "edition_listings",
                    ["chain_id", "asset_id", "creator", "created_at"])
    op.add_column("royalty_revenue", sa.Column("settled_fee", U256, nullable=True))


def downgrade() -> None:
    op.drop_column("royalty_revenue", "settled_fee")
    op.drop_index("ix_edition_listings_match", table_name="edition_listings")
    op.drop_table("edition_listings")
