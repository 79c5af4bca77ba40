"""recording_gates: recordings exclusive to holders of an edition

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recording_gates",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("edition_id", sa.BigInteger(), nullable=False),
        sa.Column("set_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["set_by"], ["users.id"], name=op.f("fk_recording_gates_set_by_users")),
        sa.PrimaryKeyConstraint("chain_id", "asset_id", name=op.f("pk_recording_gates")),
    )


def downgrade() -> None:
    op.drop_table("recording_gates")
