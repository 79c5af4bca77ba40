"""social_speed: time-ordered indexes the home feed reads newest first (posts, reposts, releases), and a small
index of token-gated posts by author

Revision ID: 0029_social_speed
Revises: 0026
Create Date: 2026-12-04
"""

from alembic import op

revision = "0029_social_speed"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_social_posts_created", "social_posts", ["created_at", "id"])
    op.create_index("ix_social_posts_gated", "social_posts", ["author_id", "edition_id"],
                    postgresql_where="visibility = 'holders' and deleted_at is null")
    op.create_index("ix_social_reposts_created", "social_reposts", ["created_at", "id"])
    op.create_index("ix_social_releases_released", "social_releases", ["released_at"])


def downgrade() -> None:
    op.drop_index("ix_social_releases_released", table_name="social_releases")
    op.drop_index("ix_social_reposts_created", table_name="social_reposts")
    op.drop_index("ix_social_posts_gated", table_name="social_posts")
    op.drop_index("ix_social_posts_created", table_name="social_posts")
