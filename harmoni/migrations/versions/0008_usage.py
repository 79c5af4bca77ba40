"""usage: plays, playback sessions and partner usage reports

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "playback_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("listener_id", sa.Uuid(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip", postgresql.INET(), nullable=True),
        sa.ForeignKeyConstraint(["listener_id"], ["users.id"], name=op.f("fk_playback_sessions_listener_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playback_sessions")),
    )
    op.create_table(
        "plays",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("listener_id", sa.Uuid(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("played_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("played_ms", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("flags", postgresql.ARRAY(sa.String(32)), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("ip", postgresql.INET(), nullable=True),
        sa.CheckConstraint("played_ms >= 0", name=op.f("ck_plays_played_ms_not_negative")),
        sa.CheckConstraint("counted = (cardinality(flags) = 0)", name=op.f("ck_plays_counted_iff_unflagged")),
        sa.ForeignKeyConstraint(["session_id"], ["playback_sessions.id"],
                                name=op.f("fk_plays_session_id_playback_sessions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plays")),
        sa.UniqueConstraint("session_id", name=op.f("uq_plays_session_id")),
    )
    # The royalty close: counted plays of a period, per asset.
    op.create_index("ix_plays_played_at", "plays", ["played_at"])
    # Duplicate window and the listener's hourly ceiling look only at counted plays.
    op.create_index("ix_plays_listener_id_played_at", "plays", ["listener_id", "played_at"],
                    postgresql_where=sa.text("counted"))
    op.create_table(
        "usage_reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("period_id", sa.BigInteger(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.Uuid(), nullable=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("sha256", sa.LargeBinary(32), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("total_usage", sa.Numeric(78, 0), nullable=False),
        sa.Column("total_net_revenue", sa.Numeric(78, 0), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("line_count > 0", name=op.f("ck_usage_reports_not_empty")),
        sa.ForeignKeyConstraint(["period_id"], ["royalty_periods.period_id"],
                                name=op.f("fk_usage_reports_period_id_royalty_periods")),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_usage_reports_owner_id_users")),
        sa.ForeignKeyConstraint(["key_id"], ["partner_api_keys.id"],
                                name=op.f("fk_usage_reports_key_id_partner_api_keys"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_reports")),
        sa.UniqueConstraint("owner_id", "period_id", "sha256",
                            name=op.f("uq_usage_reports_owner_id_period_id_sha256")),
    )
    op.create_index(op.f("ix_usage_reports_period_id"), "usage_reports", ["period_id"])
    op.create_table(
        "usage_report_lines",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("isrc", sa.String(12), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("territory", sa.String(2), nullable=False),
        sa.Column("usage_count", sa.BigInteger(), nullable=False),
        sa.Column("net_revenue", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.CheckConstraint("usage_count > 0", name=op.f("ck_usage_report_lines_usage_count_positive")),
        sa.CheckConstraint("net_revenue >= 0", name=op.f("ck_usage_report_lines_net_revenue_not_negative")),
        sa.ForeignKeyConstraint(["report_id"], ["usage_reports.id"],
                                name=op.f("fk_usage_report_lines_report_id_usage_reports"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id", "line_no", name=op.f("pk_usage_report_lines")),
    )


def downgrade() -> None:
    op.drop_table("usage_report_lines")
    op.drop_index(op.f("ix_usage_reports_period_id"), table_name="usage_reports")
    op.drop_table("usage_reports")
    op.drop_index("ix_plays_listener_id_played_at", table_name="plays")
    op.drop_index("ix_plays_played_at", table_name="plays")
    op.drop_table("plays")
    op.drop_table("playback_sessions")
