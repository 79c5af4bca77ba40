"""royalty periods: spans of time settled together, numbered like the PayoutDistributor's periods

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "royalty_periods",
        sa.Column("period_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_royalty_periods_ends_after_start")),
        sa.CheckConstraint("status in ('open', 'closing', 'closed', 'published')",
                           name=op.f("ck_royalty_periods_status_known")),
        sa.PrimaryKeyConstraint("period_id", name=op.f("pk_royalty_periods")),
    )


def downgrade() -> None:
    op.drop_table("royalty_periods")
