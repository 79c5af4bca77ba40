"""notifications: grouped notification rows, their actors, preferences, e-mail suppressions, data exports and
erasures; the outbox's sender

Revision ID: 0022_notifications
Revises: 0021_social
Create Date: 2026-12-03

One `notifications` row per (recipient, kind, subject, group key, 12 h window): concurrent events of one group
meet on its unique key and add to its counts. `email_outbox` gains what the SMTP sender needs: extra headers,
attempts, the next attempt's time, a lease, the last error and when the row was given up.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0022_notifications"
down_revision = "0021_social"
branch_labels = None
depends_on = None

KINDS = ("'follow', 'like', 'repost', 'comment', 'mention', 'reply', 'release', 'sale', 'payout_published', "
         "'claim_confirmed', 'invitation', 'dispute_opened'")


def upgrade() -> None:
    jsonb = postgresql.JSONB(astext_type=sa.Text())
    now = sa.text("now()")
    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("recipient_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject_type", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(128), nullable=False),
        sa.Column("group_key", sa.String(128), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("actor_count", sa.Integer(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("latest_actor_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("data", jsonb, nullable=False),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=now, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=now, nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("email_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"kind in ({KINDS})", name=op.f("ck_notifications_kind_known")),
        sa.ForeignKeyConstraint(["recipient_id"], ["users.id"], name=op.f("fk_notifications_recipient_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("recipient_id", "kind", "subject_type", "subject_id", "group_key", "window_start",
                            name="uq_notifications_group"),
    )
    op.create_index("ix_notifications_recipient_updated", "notifications", ["recipient_id", "updated_at", "id"])
    op.create_index("ix_notifications_unread", "notifications", ["recipient_id"],
                    postgresql_where=sa.text("read_at is null and in_app"))
    op.create_index("ix_notifications_email_due", "notifications", ["email_due_at"],
                    postgresql_where=sa.text("email_due_at is not null and emailed_at is null"))
    op.create_table(
        "notification_actors",
        sa.Column("notification_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=now, nullable=False),
        sa.ForeignKeyConstraint(["notification_id"], ["notifications.id"],
                                name=op.f("fk_notification_actors_notification_id_notifications"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_notification_actors_actor_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("notification_id", "actor_id", name=op.f("pk_notification_actors")),
    )
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("delivery", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=now, nullable=False),
        sa.CheckConstraint(f"kind in ({KINDS})", name=op.f("ck_notification_preferences_kind_known")),
        sa.CheckConstraint("channel in ('in_app', 'email')", name=op.f("ck_notification_preferences_channel_known")),
        sa.CheckConstraint("delivery in ('immediate', 'daily', 'off')",
                           name=op.f("ck_notification_preferences_delivery_known")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notification_preferences_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "kind", "channel", name=op.f("pk_notification_preferences")),
    )
    op.create_table(
        "email_suppressions",
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=now, nullable=False),
        sa.CheckConstraint("address = lower(address)", name=op.f("ck_email_suppressions_address_lower_case")),
        sa.CheckConstraint("reason in ('bounce', 'complaint', 'manual')",
                           name=op.f("ck_email_suppressions_reason_known")),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_email_suppressions")),
    )
    op.create_table(
        "data_exports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=now, nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        sa.CheckConstraint("status in ('pending', 'ready', 'failed')", name=op.f("ck_data_exports_status_known")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_data_exports_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_exports")),
    )
    op.create_index(op.f("ix_data_exports_user_id"), "data_exports", ["user_id"])
    op.create_table(
        "account_erasures",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), server_default=now, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_account_erasures_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_account_erasures")),
    )
    op.add_column("users", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("email_outbox", sa.Column("headers", jsonb, server_default=sa.text("'{}'::jsonb"), nullable=False))
    op.add_column("email_outbox", sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.add_column("email_outbox", sa.Column("next_attempt_at", sa.DateTime(timezone=True), server_default=now,
                                            nullable=True))
    op.add_column("email_outbox", sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("email_outbox", sa.Column("last_error", sa.String(500), nullable=True))
    op.add_column("email_outbox", sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_email_outbox_due", "email_outbox", ["next_attempt_at"],
                    postgresql_where=sa.text("sent_at is null and failed_at is null"))


def downgrade() -> None:
    op.drop_index("ix_email_outbox_due", table_name="email_outbox")
    for column in ("failed_at", "last_error", "lease_until", "next_attempt_at", "attempts", "headers"):
        op.drop_column("email_outbox", column)
    op.drop_column("users", "erased_at")
    op.drop_table("account_erasures")
    op.drop_index(op.f("ix_data_exports_user_id"), table_name="data_exports")
    op.drop_table("data_exports")
    op.drop_table("email_suppressions")
    op.drop_table("notification_preferences")
    op.drop_table("notification_actors")
    op.drop_table("notifications")
