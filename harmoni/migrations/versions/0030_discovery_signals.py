"""discovery signals: the listener's country and the play's source on plays, per-artist daily breakdowns

Revision ID: 0030_discovery_signals
Revises: 0026
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0030_discovery_signals"
down_revision = "0029_social_speed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("playback_sessions", "plays"):
        op.add_column(table, sa.Column("country", sa.String(length=2), nullable=True))
        op.add_column(table, sa.Column("source", sa.String(length=16), nullable=True))
    op.create_table(
        "analytics_daily_artist_breakdown",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("artist", sa.String(length=42), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=16), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.Column("listeners", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "artist", "day", "dimension", "value",
                                name=op.f("pk_analytics_daily_artist_breakdown")),
    )
    op.create_index("ix_analytics_daily_artist_breakdown_day", "analytics_daily_artist_breakdown", ["day"],
                    postgresql_using="brin")


def downgrade() -> None:
    op.drop_table("analytics_daily_artist_breakdown")
    for table in ("plays", "playback_sessions"):
        op.drop_column(table, "source")
        op.drop_column(table, "country")
