"""Search: the outbox that feeds the index, the PostgreSQL backend's documents and terms, catalog documents

Revision ID: 0023_search
Revises: 0022_notifications
Create Date: 2026-12-03

`harmoni_fold(text)`: lower-cased `unaccent` declared IMMUTABLE (unaccent itself is only STABLE, because its
dictionary could change), so generated columns and indexes may use it: "Café" → "cafe", "MØ" → "mo".
`harmoni_key` / `harmoni_keys`: the forms exact matches compare (see below).
`asset_metadata.document`: the whole metadata document (genres, moods, contributors, release) for the index.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0023_search"
down_revision = "0022_notifications"
branch_labels = None
depends_on = None

_TEXT = ("setweight(to_tsvector('simple'::regconfig, harmoni_fold(title)), 'A') || "
         "setweight(to_tsvector('simple'::regconfig, harmoni_fold(artists_text)), 'B') || "
         "setweight(to_tsvector('simple'::regconfig, harmoni_fold(release)), 'C') || "
         "setweight(to_tsvector('simple'::regconfig, harmoni_fold(tags_text)), 'D')")


def upgrade() -> None:
    op.execute("create extension if not exists unaccent")
    op.execute("create extension if not exists pg_trgm")
    schema = op.get_bind().scalar(sa.text(
        "select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace "
        "where e.extname = 'unaccent'"))
    op.execute(f"""
        create function harmoni_fold(text) returns text language sql immutable parallel safe strict as
        $$ select lower({schema}.unaccent('{schema}.unaccent'::regdictionary, $1)) $$""")
    # The comparable form of a title: folded, punctuation and runs of spaces as one space ("Don't  Stop!" → "don t
    # stop"); and of a list of names, each between bars ("|mo|major lazer|"), so an exact name is `like '%|mo|%'`.
    op.execute("""
        create function harmoni_key(text) returns text language sql immutable parallel safe strict as
        $$ select trim(regexp_replace(harmoni_fold($1), '[^[:alnum:]]+', ' ', 'g')) $$""")
    op.execute("""
        create function harmoni_keys(text[]) returns text language sql immutable parallel safe strict as
        $$ select '|' || coalesce(string_agg(harmoni_key(name), '|'), '') || '|' from unnest($1) as name $$""")
    op.add_column("asset_metadata", sa.Column("document", postgresql.JSONB(), nullable=True))
    op.create_table(
        "search_outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "search_documents",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("ref", sa.String(80), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("artists", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("artists_text", sa.Text(), nullable=False),
        sa.Column("release", sa.Text(), nullable=False),
        sa.Column("genres", postgresql.ARRAY(sa.String(40)), nullable=False),
        sa.Column("moods", postgresql.ARRAY(sa.String(40)), nullable=False),
        sa.Column("tags_text", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("has_edition", sa.Boolean(), nullable=False),
        sa.Column("plays", sa.BigInteger(), nullable=False),
        sa.Column("account_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("title_key", sa.Text(), sa.Computed("harmoni_key(title)", persisted=True), nullable=False),
        sa.Column("artists_key", sa.Text(), sa.Computed("harmoni_keys(artists)", persisted=True),
                  nullable=False),
        sa.Column("search_text", postgresql.TSVECTOR(), sa.Computed(_TEXT, persisted=True), nullable=False),
    )
    op.create_index("ix_search_documents_text", "search_documents", ["search_text"], postgresql_using="gin")
    op.create_index("ix_search_documents_title_trgm", "search_documents", ["title_key"], postgresql_using="gin",
                    postgresql_ops={"title_key": "gin_trgm_ops"})
    op.create_index("ix_search_documents_title_prefix", "search_documents", ["title_key"],
                    postgresql_ops={"title_key": "text_pattern_ops"})
    op.create_table("search_terms", sa.Column("term", sa.Text(), primary_key=True))
    op.create_index("ix_search_terms_trgm", "search_terms", ["term"], postgresql_using="gin",
                    postgresql_ops={"term": "gin_trgm_ops"})


def downgrade() -> None:
    op.drop_table("search_terms")
    op.drop_table("search_documents")
    op.drop_table("search_outbox")
    op.drop_column("asset_metadata", "document")
    op.execute("drop function harmoni_keys(text[])")
    op.execute("drop function harmoni_key(text)")
    op.execute("drop function harmoni_fold(text)")
