"""social_speed: time-ordered indexes the home feed reads newest first (posts, reposts, releases), a small
index of token-gated posts by author; notifications of direct messages (kind `message`)

Revision ID: 0029_social_speed
Revises: 0026
Create Date: 2026-12-04
"""

from alembic import op

revision = "0029_social_speed"
down_revision = "0028_tax_carry"
branch_labels = None
depends_on = None


KINDS = ("follow", "like", "repost", "comment", "mention", "reply", "release", "sale", "payout_published",
         "claim_confirmed", "invitation", "dispute_opened")
KIND_CHECKS = (("notifications", "ck_notifications_kind_known"),
               ("notification_preferences", "ck_notification_preferences_kind_known"))


def _kinds(kinds: tuple[str, ...]) -> None:
    for table, name in KIND_CHECKS:
        op.drop_constraint(op.f(name), table, type_="check")
        op.create_check_constraint("kind_known", table, f"kind in ({', '.join(repr(k) for k in kinds)})")


def upgrade() -> None:
    _kinds((*KINDS, "message"))
    op.create_index("ix_social_posts_created", "social_posts", ["created_at", "id"])
    op.create_index("ix_social_posts_gated", "social_posts", ["author_id", "edition_id"],
                    postgresql_where="visibility = 'holders' and deleted_at is null")
    op.create_index("ix_social_reposts_created", "social_reposts", ["created_at", "id"])
    op.create_index("ix_social_releases_released", "social_releases", ["released_at"])


def downgrade() -> None:
    op.execute("delete from notification_preferences where kind = 'message'")
    op.execute("delete from notifications where kind = 'message'")
    _kinds(KINDS)
    op.drop_index("ix_social_releases_released", table_name="social_releases")
    op.drop_index("ix_social_reposts_created", table_name="social_reposts")
    op.drop_index("ix_social_posts_gated", table_name="social_posts")
    op.drop_index("ix_social_posts_created", table_name="social_posts")
