"""disputes: claims against an asset's registration and the arbiter's decision

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_OPEN = "status in ('open', 'frozen')"


def upgrade() -> None:
    op.create_table(
        "disputes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("opened_by", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence_uri", sa.String(2048), nullable=True),
        sa.Column("reason_hash", sa.String(66), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("freeze_operation_id", sa.Uuid(), nullable=True),
        sa.Column("unfreeze_operation_id", sa.Uuid(), nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status in ('open', 'frozen', 'upheld', 'rejected')",
                           name=op.f("ck_disputes_status_known")),
        sa.CheckConstraint(f"({_OPEN}) = (resolved_at is null)", name=op.f("ck_disputes_resolved_when_closed")),
        sa.ForeignKeyConstraint(["opened_by"], ["users.id"], name=op.f("fk_disputes_opened_by_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["resolved_by"], ["users.id"], name=op.f("fk_disputes_resolved_by_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["freeze_operation_id"], ["rights_operations.id"],
                                name=op.f("fk_disputes_freeze_operation_id_rights_operations"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["unfreeze_operation_id"], ["rights_operations.id"],
                                name=op.f("fk_disputes_unfreeze_operation_id_rights_operations"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    op.create_index(op.f("ix_disputes_opened_by"), "disputes", ["opened_by"])
    op.create_index("ix_disputes_asset", "disputes", ["chain_id", "asset_id"])
    op.create_index("ix_disputes_open_per_opener", "disputes", ["chain_id", "asset_id", "opened_by"], unique=True,
                    postgresql_where=sa.text(_OPEN))


def downgrade() -> None:
    op.drop_index("ix_disputes_open_per_opener", table_name="disputes")
    op.drop_index("ix_disputes_asset", table_name="disputes")
    op.drop_index(op.f("ix_disputes_opened_by"), table_name="disputes")
    op.drop_table("disputes")
