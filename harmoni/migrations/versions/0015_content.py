"""content: uploads, their stored objects, matches for rights review, and the fingerprint index

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

An upload moves `uploading -> received -> processing -> ready | rejected | failed`; a worker holds a lease
while processing, and a lease that runs out (its worker died) lets another worker take the upload over.
Objects are content-addressed and shared: `upload_objects` says which upload holds which key.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    jsonb = postgresql.JSONB(astext_type=sa.Text())
    now = sa.text("now()")
    op.create_table(
        "uploads",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("declared_size", sa.BigInteger(), nullable=True),
        sa.Column("received_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("cid", sa.String(64), nullable=True),
        sa.Column("master_key", sa.String(255), nullable=True),
        sa.Column("preview_start_ms", sa.Integer(), nullable=False),
        sa.Column("progress", sa.SmallInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_code", sa.String(32), nullable=True),
        sa.Column("error_message", sa.String(1000), nullable=True),
        sa.Column("duplicate_of", sa.Uuid(), nullable=True),
        sa.Column("probe", jsonb, nullable=True),
        sa.Column("loudness", jsonb, nullable=True),
        sa.Column("tags", jsonb, nullable=True),
        sa.Column("renditions", jsonb, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=now, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=now, nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind in ('audio', 'artwork')", name=op.f("ck_uploads_kind")),
        sa.CheckConstraint("state in ('uploading', 'received', 'processing', 'ready', 'rejected', 'failed')",
                           name=op.f("ck_uploads_state")),
        sa.CheckConstraint("progress between 0 and 100", name=op.f("ck_uploads_progress")),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_uploads_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
    )
    # Workers poll for received uploads and for processing ones whose lease ran out.
    op.create_index("ix_uploads_claimable", "uploads", ["created_at"],
                    postgresql_where=sa.text("state in ('received', 'processing')"))
    op.create_index("ix_uploads_owner_id_created_at", "uploads", ["owner_id", "created_at"])
    op.create_index("ix_uploads_sha256", "uploads", ["sha256"])
    op.create_table(
        "audio_fingerprints",
        sa.Column("upload_id", sa.Uuid(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("items", sa.LargeBinary(), nullable=False),
        sa.Column("terms", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.id"], name=op.f("fk_audio_fingerprints_upload_id_uploads"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("upload_id", name=op.f("pk_audio_fingerprints")),
    )
    op.create_index("ix_audio_fingerprints_terms", "audio_fingerprints", ["terms"], postgresql_using="gin")
    op.create_table(
        "upload_matches",
        sa.Column("upload_id", sa.Uuid(), nullable=False),
        sa.Column("matched_upload_id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("same_owner", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=now, nullable=False),
        sa.CheckConstraint("method in ('exact', 'acoustic')", name=op.f("ck_upload_matches_method")),
        sa.CheckConstraint("status in ('flagged', 'cleared', 'upheld')", name=op.f("ck_upload_matches_status")),
        sa.ForeignKeyConstraint(["matched_upload_id"], ["uploads.id"],
                                name=op.f("fk_upload_matches_matched_upload_id_uploads"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.id"], name=op.f("fk_upload_matches_upload_id_uploads"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("upload_id", "matched_upload_id", name=op.f("pk_upload_matches")),
    )
    op.create_table(
        "upload_objects",
        sa.Column("upload_id", sa.Uuid(), nullable=False),
        sa.Column("path", sa.String(255), nullable=False),
        sa.Column("rendition", sa.String(32), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("cid", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mime", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.id"], name=op.f("fk_upload_objects_upload_id_uploads"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("upload_id", "path", name=op.f("pk_upload_objects")),
    )
    # Deleting an upload asks, per key, whether any other upload still holds it.
    op.create_index("ix_upload_objects_key", "upload_objects", ["key"])


def downgrade() -> None:
    op.drop_index("ix_upload_objects_key", table_name="upload_objects")
    op.drop_table("upload_objects")
    op.drop_table("upload_matches")
    op.drop_index("ix_audio_fingerprints_terms", table_name="audio_fingerprints")
    op.drop_table("audio_fingerprints")
    op.drop_index("ix_uploads_sha256", table_name="uploads")
    op.drop_index("ix_uploads_owner_id_created_at", table_name="uploads")
    op.drop_index("ix_uploads_claimable", table_name="uploads")
    op.drop_table("uploads")
