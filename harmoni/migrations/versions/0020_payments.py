"""Payments: the Stripe webhook inbox, customers, subscriptions, invoices, recognition into periods, reversals

Revision ID: 0020_payments
Revises: 0019_editions
Create Date: 2026-12-03

Journal entries get the kind `payment` (card clearing, processor fees, deferred subscription revenue, tax payable).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020_payments"
down_revision = "0019_editions"
branch_labels = None
depends_on = None

_KINDS = "'revenue', 'close', 'funding', 'claim'"


def upgrade() -> None:
    op.create_table(
        "payment_counters",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_payment_counters")),
    )
    op.create_table(
        "stripe_events",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_events")),
    )
    op.create_index(
        "ix_stripe_events_due",
        "stripe_events",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("handled_at is null and dead_at is null"),
    )
    op.create_table(
        "payment_invoices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("stripe_invoice_id", sa.String(length=255), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("stripe_subscription_id", sa.String(length=255), nullable=True),
        sa.Column("payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("gross", sa.BigInteger(), nullable=False),
        sa.Column("tax", sa.BigInteger(), nullable=False),
        sa.Column("tax_rate_bps", sa.Integer(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("refunded", sa.BigInteger(), nullable=False),
        sa.Column("reversed_net", sa.BigInteger(), nullable=False),
        sa.Column("recognised", sa.BigInteger(), nullable=False),
        sa.Column("buyer_country", sa.String(length=2), nullable=True),
        sa.Column("evidence", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("service_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "gross > 0 and tax >= 0 and fee >= 0 and tax <= gross", name=op.f("ck_payment_invoices_amounts")
        ),
        sa.CheckConstraint("refunded >= 0 and refunded <= gross", name=op.f("ck_payment_invoices_refunded_within")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_payment_invoices_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_payment_invoices_number")),
        sa.UniqueConstraint("payment_intent_id", name=op.f("uq_payment_invoices_payment_intent_id")),
        sa.UniqueConstraint("stripe_invoice_id", name=op.f("uq_payment_invoices_stripe_invoice_id")),
    )
    op.create_index(
        op.f("ix_payment_invoices_stripe_subscription_id"), "payment_invoices", ["stripe_subscription_id"], unique=False
    )
    op.create_index(op.f("ix_payment_invoices_user_id"), "payment_invoices", ["user_id"], unique=False)
    op.create_table(
        "stripe_customers",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_stripe_customers_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_stripe_customers")),
        sa.UniqueConstraint("customer_id", name=op.f("uq_stripe_customers_customer_id")),
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("stripe_subscription_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("interval", sa.String(length=8), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.String(length=255), nullable=False),
        sa.Column("product_id", sa.String(length=255), nullable=False),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        sa.Column("current_period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latest_invoice_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("interval in ('month', 'year')", name=op.f("ck_subscriptions_interval_known")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_subscriptions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("stripe_subscription_id", name=op.f("uq_subscriptions_stripe_subscription_id")),
    )
    op.create_index(op.f("ix_subscriptions_user_id"), "subscriptions", ["user_id"], unique=False)
    op.create_table(
        "payment_invoice_recognitions",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("period_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["payment_invoices.id"],
            name=op.f("fk_payment_invoice_recognitions_invoice_id_payment_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["royalty_periods.period_id"],
            name=op.f("fk_payment_invoice_recognitions_period_id_royalty_periods"),
        ),
        sa.PrimaryKeyConstraint("invoice_id", "period_id", name=op.f("pk_payment_invoice_recognitions")),
    )
    op.create_table(
        "payment_reversals",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind in ('refund', 'dispute')", name=op.f("ck_payment_reversals_kind_known")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["payment_invoices.id"],
            name=op.f("fk_payment_reversals_invoice_id_payment_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_reversals")),
    )
    op.create_index(op.f("ix_payment_reversals_invoice_id"), "payment_reversals", ["invoice_id"], unique=False)
    op.drop_constraint(op.f("ck_journal_entries_kind_known"), "journal_entries", type_="check")
    op.create_check_constraint("kind_known", "journal_entries", f"kind in ({_KINDS}, 'payment')")


def downgrade() -> None:
    op.execute("DELETE FROM journal_entries WHERE kind = 'payment'")
    op.drop_constraint(op.f("ck_journal_entries_kind_known"), "journal_entries", type_="check")
    op.create_check_constraint("kind_known", "journal_entries", f"kind in ({_KINDS})")
    op.drop_index(op.f("ix_payment_reversals_invoice_id"), table_name="payment_reversals")
    op.drop_table("payment_reversals")
    op.drop_table("payment_invoice_recognitions")
    op.drop_index(op.f("ix_subscriptions_user_id"), table_name="subscriptions")
    op.drop_table("subscriptions")
    op.drop_table("stripe_customers")
    op.drop_index(op.f("ix_payment_invoices_user_id"), table_name="payment_invoices")
    op.drop_index(op.f("ix_payment_invoices_stripe_subscription_id"), table_name="payment_invoices")
    op.drop_table("payment_invoices")
    op.drop_index(
        "ix_stripe_events_due",
        table_name="stripe_events",
        postgresql_where=sa.text("handled_at is null and dead_at is null"),
    )
    op.drop_table("stripe_events")
    op.drop_table("payment_counters")
