"""social: profiles, counters, follows/blocks/mutes, likes, reposts, posts (with revisions), comments,
reactions, releases, direct messages and moderation reports

Revision ID: 0021_social
Revises: 0020_payments
Create Date: 2026-12-03 14:56:56.618801
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0021_social"
down_revision = "0020_payments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "social_counters",
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("counter", sa.String(length=32), nullable=False),
        sa.Column("n", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("subject_type", "subject_id", "counter", name=op.f("pk_social_counters")),
    )
    op.create_table(
        "social_blocks",
        sa.Column("blocker_id", sa.Uuid(), nullable=False),
        sa.Column("blocked_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("blocker_id <> blocked_id", name=op.f("ck_social_blocks_not_self")),
        sa.ForeignKeyConstraint(
            ["blocked_id"], ["users.id"], name=op.f("fk_social_blocks_blocked_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["blocker_id"], ["users.id"], name=op.f("fk_social_blocks_blocker_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id", name=op.f("pk_social_blocks")),
    )
    op.create_index("ix_social_blocks_blocked", "social_blocks", ["blocked_id"], unique=False)
    op.create_table(
        "social_comments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("root_id", sa.Uuid(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("entities", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("at_seconds", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("subject_type in ('recording', 'post')", name=op.f("ck_social_comments_subject_known")),
        sa.CheckConstraint(
            "at_seconds is null or at_seconds >= 0", name=op.f("ck_social_comments_at_seconds_positive")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_social_comments_author_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["social_comments.id"],
            name=op.f("fk_social_comments_parent_id_social_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_comments")),
    )
    op.create_index(
        "ix_social_comments_subject", "social_comments", ["subject_type", "subject_id", "created_at"], unique=False
    )
    op.create_index(op.f("ix_social_comments_root_id"), "social_comments", ["root_id"], unique=False)
    op.create_table(
        "social_conversations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_low", sa.Uuid(), nullable=False),
        sa.Column("user_high", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("user_low < user_high", name=op.f("ck_social_conversations_ordered_pair")),
        sa.ForeignKeyConstraint(
            ["user_high"], ["users.id"], name=op.f("fk_social_conversations_user_high_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_low"], ["users.id"], name=op.f("fk_social_conversations_user_low_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_conversations")),
        sa.UniqueConstraint("user_low", "user_high", name=op.f("uq_social_conversations_user_low_user_high")),
    )
    op.create_table(
        "social_follows",
        sa.Column("follower_id", sa.Uuid(), nullable=False),
        sa.Column("followee_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("follower_id <> followee_id", name=op.f("ck_social_follows_not_self")),
        sa.ForeignKeyConstraint(
            ["followee_id"], ["users.id"], name=op.f("fk_social_follows_followee_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["follower_id"], ["users.id"], name=op.f("fk_social_follows_follower_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("follower_id", "followee_id", name=op.f("pk_social_follows")),
    )
    op.create_index("ix_social_follows_followee", "social_follows", ["followee_id", "created_at"], unique=False)
    op.create_index("ix_social_follows_follower_created", "social_follows", ["follower_id", "created_at"], unique=False)
    op.create_table(
        "social_likes",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "subject_type in ('recording', 'edition', 'post')", name=op.f("ck_social_likes_subject_known")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_social_likes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "subject_type", "subject_id", name=op.f("pk_social_likes")),
    )
    op.create_index(
        "ix_social_likes_subject", "social_likes", ["subject_type", "subject_id", "created_at"], unique=False
    )
    op.create_table(
        "social_mutes",
        sa.Column("muter_id", sa.Uuid(), nullable=False),
        sa.Column("muted_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("muter_id <> muted_id", name=op.f("ck_social_mutes_not_self")),
        sa.ForeignKeyConstraint(
            ["muted_id"], ["users.id"], name=op.f("fk_social_mutes_muted_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["muter_id"], ["users.id"], name=op.f("fk_social_mutes_muter_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("muter_id", "muted_id", name=op.f("pk_social_mutes")),
    )
    op.create_table(
        "social_posts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("entities", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("attachments", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("visibility", sa.String(length=16), server_default="public", nullable=False),
        sa.Column("edition_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(visibility = 'holders') = (edition_id is not null)", name=op.f("ck_social_posts_holders_edition")
        ),
        sa.CheckConstraint(
            "visibility in ('public', 'followers', 'holders')", name=op.f("ck_social_posts_visibility_known")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_social_posts_author_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_posts")),
    )
    op.create_index("ix_social_posts_author_created", "social_posts", ["author_id", "created_at"], unique=False)
    op.create_table(
        "social_profiles",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("handle", sa.String(length=30), nullable=False),
        sa.Column("dm_policy", sa.String(length=16), server_default="everyone", nullable=False),
        sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "dm_policy in ('everyone', 'followers', 'nobody')", name=op.f("ck_social_profiles_dm_policy_known")
        ),
        sa.CheckConstraint("handle ~ '^[a-z0-9_]{2,30}$'", name=op.f("ck_social_profiles_handle_format")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_social_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_social_profiles")),
        sa.UniqueConstraint("handle", name=op.f("uq_social_profiles_handle")),
    )
    op.create_table(
        "social_reactions",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("emoji", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("subject_type in ('post', 'comment')", name=op.f("ck_social_reactions_subject_known")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_social_reactions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "subject_type", "subject_id", "emoji", name=op.f("pk_social_reactions")),
    )
    op.create_table(
        "social_releases",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("artist_id", sa.Uuid(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["artist_id"], ["users.id"], name=op.f("fk_social_releases_artist_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("chain_id", "asset_id", name=op.f("pk_social_releases")),
    )
    op.create_index("ix_social_releases_artist_released", "social_releases", ["artist_id", "released_at"], unique=False)
    op.create_table(
        "social_reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reporter_id", sa.Uuid(), nullable=True),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("action", sa.String(length=16), nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "action is null or action in ('hide', 'delete', 'suspend')", name=op.f("ck_social_reports_action_known")
        ),
        sa.CheckConstraint("status in ('open', 'actioned', 'dismissed')", name=op.f("ck_social_reports_status_known")),
        sa.CheckConstraint(
            "subject_type in ('post', 'comment', 'message', 'account')", name=op.f("ck_social_reports_subject_known")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_social_reports_reporter_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"], ["users.id"], name=op.f("fk_social_reports_resolved_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_reports")),
    )
    op.create_index(
        "ix_social_reports_open",
        "social_reports",
        ["created_at"],
        unique=False,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "social_reposts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "subject_type in ('recording', 'edition', 'post')", name=op.f("ck_social_reposts_subject_known")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_social_reposts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_reposts")),
        sa.UniqueConstraint(
            "user_id", "subject_type", "subject_id", name=op.f("uq_social_reposts_user_id_subject_type_subject_id")
        ),
    )
    op.create_index(
        "ix_social_reposts_subject", "social_reposts", ["subject_type", "subject_id", "created_at"], unique=False
    )
    op.create_index("ix_social_reposts_user_created", "social_reposts", ["user_id", "created_at"], unique=False)
    op.create_table(
        "social_conversation_members",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("folder", sa.String(length=16), server_default="inbox", nullable=False),
        sa.Column("last_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("folder in ('inbox', 'requests')", name=op.f("ck_social_conversation_members_folder_known")),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["social_conversations.id"],
            name=op.f("fk_social_conversation_members_conversation_id_social_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_social_conversation_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("conversation_id", "user_id", name=op.f("pk_social_conversation_members")),
    )
    op.create_index(
        "ix_social_conversation_members_user", "social_conversation_members", ["user_id", "folder"], unique=False
    )
    op.create_table(
        "social_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("sender_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["social_conversations.id"],
            name=op.f("fk_social_messages_conversation_id_social_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["users.id"], name=op.f("fk_social_messages_sender_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_messages")),
    )
    op.create_index(
        "ix_social_messages_conversation_created", "social_messages", ["conversation_id", "created_at"], unique=False
    )
    op.create_table(
        "social_post_revisions",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("entities", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["social_posts.id"],
            name=op.f("fk_social_post_revisions_post_id_social_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", "revision", name=op.f("pk_social_post_revisions")),
    )


def downgrade() -> None:
    op.drop_table("social_post_revisions")
    op.drop_index("ix_social_messages_conversation_created", table_name="social_messages")
    op.drop_table("social_messages")
    op.drop_index("ix_social_conversation_members_user", table_name="social_conversation_members")
    op.drop_table("social_conversation_members")
    op.drop_index("ix_social_reposts_user_created", table_name="social_reposts")
    op.drop_index("ix_social_reposts_subject", table_name="social_reposts")
    op.drop_table("social_reposts")
    op.drop_index("ix_social_reports_open", table_name="social_reports", postgresql_where=sa.text("status = 'open'"))
    op.drop_table("social_reports")
    op.drop_index("ix_social_releases_artist_released", table_name="social_releases")
    op.drop_table("social_releases")
    op.drop_table("social_reactions")
    op.drop_table("social_profiles")
    op.drop_index("ix_social_posts_author_created", table_name="social_posts")
    op.drop_table("social_posts")
    op.drop_table("social_mutes")
    op.drop_index("ix_social_likes_subject", table_name="social_likes")
    op.drop_table("social_likes")
    op.drop_index("ix_social_follows_follower_created", table_name="social_follows")
    op.drop_index("ix_social_follows_followee", table_name="social_follows")
    op.drop_table("social_follows")
    op.drop_table("social_conversations")
    op.drop_index(op.f("ix_social_comments_root_id"), table_name="social_comments")
    op.drop_index("ix_social_comments_subject", table_name="social_comments")
    op.drop_table("social_comments")
    op.drop_index("ix_social_blocks_blocked", table_name="social_blocks")
    op.drop_table("social_blocks")
    op.drop_table("social_counters")
