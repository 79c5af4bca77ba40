"""tax_carry: clawbacks of settled periods, tax rates as a table, unconverted invoices, the inbox's order index

Revision ID: 0028_tax_carry
Revises: 0026
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0028_tax_carry"
down_revision = "0027_card_orders"
branch_labels = None
depends_on = None

_UINT = sa.Numeric(precision=78, scale=0)


def _period_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["royalty_periods.period_id"],
                                   name=op.f(f"fk_{table}_{column}_royalty_periods"))


def upgrade() -> None:
    op.create_table(
        "royalty_clawbacks",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("origin_period_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", _UINT, nullable=False),
        sa.Column("applied_period_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        _period_fk("royalty_clawbacks", "origin_period_id"),
        _period_fk("royalty_clawbacks", "applied_period_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_royalty_clawbacks")),
        sa.UniqueConstraint("reference", name=op.f("uq_royalty_clawbacks_reference")),
    )
    for column in ("source", "origin_period_id", "applied_period_id"):
        op.create_index(op.f(f"ix_royalty_clawbacks_{column}"), "royalty_clawbacks", [column])
    op.create_table(
        "royalty_adjustment_carry",
        sa.Column("period_id", sa.BigInteger(), nullable=False),
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("amount", _UINT, nullable=False),
        _period_fk("royalty_adjustment_carry", "period_id"),
        sa.PrimaryKeyConstraint("period_id", "account", name=op.f("pk_royalty_adjustment_carry")),
    )

    op.create_table(
        "tax_rates",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("rate_bps", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("rate_bps >= 0 and rate_bps <= 10000", name=op.f("ck_tax_rates_rate_within")),
        sa.CheckConstraint("effective_to is null or effective_to > effective_from",
                           name=op.f("ck_tax_rates_ends_after_start")),
        sa.CheckConstraint("country ~ '^[A-Z]{2}$'", name=op.f("ck_tax_rates_country_code")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_rates")),
    )
    op.create_index("ix_tax_rates_country_from", "tax_rates", ["country", "effective_from"], unique=True)
    op.add_column("payment_invoices", sa.Column("payout_note", sa.Text(), nullable=True))
    op.create_index("ix_stripe_events_pending", "stripe_events", ["created", "id"],
                    postgresql_where=sa.text("handled_at is null and dead_at is null"))


def downgrade() -> None:
    op.drop_index("ix_stripe_events_pending", table_name="stripe_events")
    op.drop_column("payment_invoices", "payout_note")
    op.drop_table("tax_rates")
    op.drop_table("royalty_adjustment_carry")
    op.drop_table("royalty_clawbacks")
