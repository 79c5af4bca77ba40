"""royalties: revenue, the double-entry journal (balanced by a deferred trigger), statements, entitlements, trees

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

AMOUNT = sa.Numeric(78, 0)
HASH = sa.String(66)

# Checked at commit, once every line of the entry is in: a journal entry whose debits and credits differ
# cannot be stored, whoever writes it.
BALANCE_CHECK = """
CREATE FUNCTION journal_entry_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  unbalanced numeric;
BEGIN
  SELECT coalesce(sum(debit), 0) - coalesce(sum(credit), 0) INTO unbalanced
    FROM journal_lines WHERE entry_id = NEW.entry_id;
  IF unbalanced <> 0 THEN
    RAISE EXCEPTION 'journal entry % does not balance (debits - credits = %)', NEW.entry_id, unbalanced
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER journal_lines_balance AFTER INSERT OR UPDATE ON journal_lines
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_balances();
"""


def upgrade() -> None:
    op.create_table(
        "royalty_revenue",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("period_id", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=True),
        sa.Column("amount", AMOUNT, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("source in ('subscriptions', 'direct_sales')", name=op.f("ck_royalty_revenue_source_known")),
        sa.CheckConstraint("(source = 'direct_sales') = (asset_id is not null)",
                           name=op.f("ck_royalty_revenue_asset_for_direct_sales")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_royalty_revenue_amount_positive")),
        sa.ForeignKeyConstraint(["period_id"], ["royalty_periods.period_id"],
                                name=op.f("fk_royalty_revenue_period_id_royalty_periods")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_royalty_revenue_created_by_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_royalty_revenue")),
        sa.UniqueConstraint("period_id", "reference", name=op.f("uq_royalty_revenue_period_id")),
    )
    op.create_index(op.f("ix_royalty_revenue_period_id"), "royalty_revenue", ["period_id"])
    op.create_table(
        "journal_entries",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("period_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("memo", sa.String(300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("kind in ('revenue', 'close', 'funding', 'claim')",
                           name=op.f("ck_journal_entries_kind_known")),
        sa.ForeignKeyConstraint(["period_id"], ["royalty_periods.period_id"],
                                name=op.f("fk_journal_entries_period_id_royalty_periods")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_journal_entries_idempotency_key")),
    )
    op.create_index(op.f("ix_journal_entries_period_id"), "journal_entries", ["period_id"])
    op.create_table(
        "journal_lines",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("debit", AMOUNT, nullable=False),
        sa.Column("credit", AMOUNT, nullable=False),
        sa.CheckConstraint("debit >= 0 and credit >= 0 and (debit = 0) <> (credit = 0)",
                           name=op.f("ck_journal_lines_one_sided")),
        sa.ForeignKeyConstraint(["entry_id"], ["journal_entries.id"],
                                name=op.f("fk_journal_lines_entry_id_journal_entries"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_lines")),
    )
    op.create_index(op.f("ix_journal_lines_entry_id"), "journal_lines", ["entry_id"])
    op.create_index(op.f("ix_journal_lines_account"), "journal_lines", ["account"])
    op.execute(BALANCE_CHECK)
    op.create_table(
        "royalty_statements",
        sa.Column("period_id", sa.BigInteger(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("cut_block", sa.BigInteger(), nullable=False),
        sa.Column("cut_block_hash", HASH, nullable=False),
        sa.Column("cut_timestamp", sa.BigInteger(), nullable=False),
        *[sa.Column(name, AMOUNT, nullable=False)
          for name in ("gross", "platform_fee", "held", "unallocated", "allocated", "cumulative_total")],
        sa.Column("root", HASH, nullable=False),
        sa.Column("previous_root", HASH, nullable=False),
        sa.Column("statement_hash", HASH, nullable=False),
        sa.Column("statement_uri", sa.String(), nullable=False),
        sa.Column("csv_uri", sa.String(), nullable=False),
        sa.Column("tree_uri", sa.String(), nullable=False),
        sa.Column("published_tx", HASH, nullable=True),
        sa.Column("published_block", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["period_id"], ["royalty_periods.period_id"],
                                name=op.f("fk_royalty_statements_period_id_royalty_periods")),
        sa.PrimaryKeyConstraint("period_id", name=op.f("pk_royalty_statements")),
    )
    op.create_table(
        "payee_entitlements",
        sa.Column("period_id", sa.BigInteger(), nullable=False),
        sa.Column("account", sa.String(42), nullable=False),
        sa.Column("amount", AMOUNT, nullable=False),
        sa.Column("cumulative_amount", AMOUNT, nullable=False),
        sa.Column("tree_index", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["period_id"], ["royalty_periods.period_id"],
                                name=op.f("fk_payee_entitlements_period_id_royalty_periods")),
        sa.PrimaryKeyConstraint("period_id", "account", name=op.f("pk_payee_entitlements")),
    )
    op.create_index(op.f("ix_payee_entitlements_account"), "payee_entitlements", ["account"])
    op.create_table(
        "payout_tree_nodes",
        sa.Column("period_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.ForeignKeyConstraint(["period_id"], ["royalty_periods.period_id"],
                                name=op.f("fk_payout_tree_nodes_period_id_royalty_periods")),
        sa.PrimaryKeyConstraint("period_id", "position", name=op.f("pk_payout_tree_nodes")),
    )


def downgrade() -> None:
    op.drop_table("payout_tree_nodes")
    op.drop_index(op.f("ix_payee_entitlements_account"), table_name="payee_entitlements")
    op.drop_table("payee_entitlements")
    op.drop_table("royalty_statements")
    op.execute("DROP TRIGGER journal_lines_balance ON journal_lines")
    op.execute("DROP FUNCTION journal_entry_balances()")
    op.drop_index(op.f("ix_journal_lines_account"), table_name="journal_lines")
    op.drop_index(op.f("ix_journal_lines_entry_id"), table_name="journal_lines")
    op.drop_table("journal_lines")
    op.drop_index(op.f("ix_journal_entries_period_id"), table_name="journal_entries")
    op.drop_table("journal_entries")
    op.drop_index(op.f("ix_royalty_revenue_period_id"), table_name="royalty_revenue")
    op.drop_table("royalty_revenue")
