"""bonus_files: files attached to a recording (stems, booklets), optionally exclusive to an edition's holders

Revision ID: 0026
Revises: 0025_hardening
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025_hardening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(op.f("ck_uploads_kind"), "uploads", type_="check")
    op.create_check_constraint("kind", "uploads", "kind in ('audio', 'artwork', 'bonus')")
    op.create_table(
        "bonus_files",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("upload_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("edition_id", sa.BigInteger(), nullable=True),
        sa.Column("added_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.id"], name=op.f("fk_bonus_files_upload_id_uploads"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["added_by"], ["users.id"], name=op.f("fk_bonus_files_added_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bonus_files")),
    )
    op.create_index("ix_bonus_files_recording", "bonus_files", ["chain_id", "asset_id", "upload_id"], unique=True)
    op.create_index(op.f("ix_bonus_files_upload_id"), "bonus_files", ["upload_id"])


def downgrade() -> None:
    op.drop_table("bonus_files")
    op.execute("delete from uploads where kind = 'bonus'")
    op.drop_constraint(op.f("ck_uploads_kind"), "uploads", type_="check")
    op.create_check_constraint("kind", "uploads", "kind in ('audio', 'artwork')")
