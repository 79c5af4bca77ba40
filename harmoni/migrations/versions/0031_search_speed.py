"""Search speed: indexes that hand each ranking tier its most played candidates without a pass over every match

Revision ID: 0031_search_speed
Revises: 0026
Create Date: 2026-12-04

`ix_search_documents_title_plays` (title_key, plays desc): exact titles, most played first.
`ix_search_documents_prefix_1`..`_6` (left(title_key, n), plays desc): titles starting with a 1 to 6 letter
prefix, most played first (suggest, and the "starts with" tier); longer prefixes are few and use the
`text_pattern_ops` index of 0023.
`ix_search_documents_artists_plays` (artists_key, plays desc): a sole artist's exact name, most played first.
`ix_search_documents_artists_trgm`: artist names anywhere in the list, equal to or starting with the query.
`ix_search_terms_prefix`: whether a query word is the prefix of an indexed word (no typo correction needed).
"""

import sqlalchemy as sa
from alembic import op

revision = "0031_search_speed"
down_revision = "0030_discovery_signals"
branch_labels = None
depends_on = None

PREFIX_LENGTHS = range(1, 7)


def upgrade() -> None:
    op.create_index("ix_search_documents_title_plays", "search_documents", ["title_key", sa.text("plays desc")])
    for n in PREFIX_LENGTHS:
        op.create_index(f"ix_search_documents_prefix_{n}", "search_documents",
                        [sa.text(f"left(title_key, {n})"), sa.text("plays desc")])
    op.create_index("ix_search_documents_artists_plays", "search_documents", ["artists_key", sa.text("plays desc")])
    op.create_index("ix_search_documents_artists_trgm", "search_documents", ["artists_key"], postgresql_using="gin",
                    postgresql_ops={"artists_key": "gin_trgm_ops"})
    op.create_index("ix_search_terms_prefix", "search_terms", ["term"], postgresql_ops={"term": "text_pattern_ops"})


def downgrade() -> None:
    op.drop_index("ix_search_terms_prefix", "search_terms")
    op.drop_index("ix_search_documents_artists_trgm", "search_documents")
    op.drop_index("ix_search_documents_artists_plays", "search_documents")
    for n in PREFIX_LENGTHS:
        op.drop_index(f"ix_search_documents_prefix_{n}", "search_documents")
    op.drop_index("ix_search_documents_title_plays", "search_documents")
