"""Discovery: trending lists, related recordings and artists, recommendation models, analytics rollups

Revision ID: 0024_discovery
Revises: 0023_search
Create Date: 2026-12-03

Every table here is derived (rebuilt by periodic jobs from plays and the mirror): nothing in them is a source
of truth, so a downgrade loses nothing that cannot be computed again. Partner keys may hold `analytics:read`.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0024_discovery"
down_revision = "0023_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trending_entries",
        sa.Column("formula_version", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("window", sa.String(4), primary_key=True),
        sa.Column("genre", sa.String(64), primary_key=True),
        sa.Column("territory", sa.String(2), primary_key=True),
        sa.Column("rank", sa.Integer, primary_key=True),
        sa.Column("chain_id", sa.BigInteger, nullable=False),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("listeners", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("formula_version", "kind", "window", "genre", "territory", "rank",
                                name="pk_trending_entries"),
    )
    op.create_table(
        "trending_runs",
        sa.Column("formula_version", sa.String(16), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("formula_version", name="pk_trending_runs"),
    )
    op.create_table(
        "related_recordings",
        sa.Column("chain_id", sa.BigInteger, nullable=False),
        sa.Column("asset_id", sa.BigInteger, nullable=False),
        sa.Column("related_asset_id", sa.BigInteger, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("listeners", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "asset_id", "related_asset_id", name="pk_related_recordings"),
    )
    op.create_table(
        "related_artists",
        sa.Column("chain_id", sa.BigInteger, nullable=False),
        sa.Column("artist", sa.String(42), nullable=False),
        sa.Column("related_artist", sa.String(42), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("listeners", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "artist", "related_artist", name="pk_related_artists"),
    )
    op.create_table(
        "recommendation_models",
        sa.Column("version", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("chain_id", sa.BigInteger, nullable=False),
        sa.Column("algorithm", sa.String(32), nullable=False),
        sa.Column("params", postgresql.JSONB, nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blob", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("version", name="pk_recommendation_models"),
    )


    for table, key in (("analytics_daily_recording_plays", ("asset_id", sa.BigInteger)),
                       ("analytics_daily_artist_plays", ("artist", sa.String(42)))):
        op.create_table(
            table,
            sa.Column("chain_id", sa.BigInteger, nullable=False),
            sa.Column(key[0], key[1], nullable=False),
            sa.Column("day", sa.Date, nullable=False),
            sa.Column("plays", sa.Integer, nullable=False),
            sa.Column("listeners", sa.Integer, nullable=False),
            sa.PrimaryKeyConstraint("chain_id", key[0], "day", name=f"pk_{table}"),
        )
        op.create_index(f"ix_{table}_day", table, ["day"], postgresql_using="brin")
    op.create_table(
        "discovery_job_runs",
        sa.Column("job", sa.String(32), nullable=False),
        sa.Column("chain_id", sa.BigInteger, nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job", "chain_id", name="pk_discovery_job_runs"),
    )
    _scopes([*SCOPES, "analytics:read"])


SCOPES = ["assets:read", "usage:write", "webhooks:manage"]


def _scopes(scopes: list[str]) -> None:
    op.drop_constraint(op.f("ck_partner_api_keys_scopes_known"), "partner_api_keys", type_="check")
    op.create_check_constraint(op.f("ck_partner_api_keys_scopes_known"), "partner_api_keys",
                               f"scopes <@ array[{', '.join(repr(s) for s in scopes)}]::varchar[]")


def downgrade() -> None:
    op.execute("update partner_api_keys set scopes = array_remove(scopes, 'analytics:read')")
    _scopes(SCOPES)
    for table in ("discovery_job_runs", "analytics_daily_artist_plays", "analytics_daily_recording_plays",
                  "recommendation_models", "related_artists", "related_recordings", "trending_runs",
                  "trending_entries"):
        op.drop_table(table)
