"""rights operations: a user's registry requests and the relayed operation that carries each out

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rights_operations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("to_address", sa.String(42), nullable=False),
        sa.Column("calldata", sa.String(), nullable=False),
        sa.Column("request", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_rights_operations_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_operations")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_rights_operations_idempotency_key")),
    )
    op.create_index(op.f("ix_rights_operations_user_id"), "rights_operations", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_rights_operations_user_id"), table_name="rights_operations")
    op.drop_table("rights_operations")
