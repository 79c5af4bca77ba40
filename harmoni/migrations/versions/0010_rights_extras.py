"""rights extras: payee invitations and the searchable metadata of registered assets

- `payee_invitations`: an e-mail named as a payee; a custodial wallet (`wallets.invitation_id`, no owner
  yet) is held for it until the invitee accepts. `email_outbox`: the e-mails to send (the invitation's).
- `asset_metadata`: titles of the metadata documents the platform stored, with a full-text vector
  (`simple` configuration: no extension needed).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payee_invitations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_payee_invitations_email_lower_case")),
        sa.ForeignKeyConstraint(["invited_by"], ["users.id"], name=op.f("fk_payee_invitations_invited_by_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["accepted_by"], ["users.id"], name=op.f("fk_payee_invitations_accepted_by_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payee_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_payee_invitations_token_hash")),
    )
    # One pending invitation (so one held wallet) per e-mail address.
    op.create_index(op.f("ix_payee_invitations_pending_email"), "payee_invitations", ["email"], unique=True,
                    postgresql_where=sa.text("accepted_at is null"))

    op.add_column("wallets", sa.Column("invitation_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(op.f("fk_wallets_invitation_id_payee_invitations"), "wallets", "payee_invitations",
                          ["invitation_id"], ["id"])
    op.create_unique_constraint(op.f("uq_wallets_invitation_id"), "wallets", ["invitation_id"])
    op.alter_column("wallets", "user_id", existing_type=sa.Uuid(), nullable=True)
    op.create_check_constraint(op.f("ck_wallets_owner"), "wallets",
                               "user_id is not null or (kind = 'custodial' and invitation_id is not null)")
    # The user's own custodial wallet stays unique; wallets of accepted invitations come on top.
    op.drop_index(op.f("ix_wallets_custodial_user"), table_name="wallets")
    op.create_index(op.f("ix_wallets_custodial_user"), "wallets", ["user_id"], unique=True,
                    postgresql_where=sa.text("kind = 'custodial' and invitation_id is null"))

    op.create_table(
        "email_outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("to_address", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_outbox")),
    )
    op.create_index(op.f("ix_email_outbox_unsent"), "email_outbox", ["created_at"],
                    postgresql_where=sa.text("sent_at is null"))

    op.create_table(
        "asset_metadata",
        sa.Column("metadata_uri", sa.String(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_words", postgresql.TSVECTOR(),
                  sa.Computed("to_tsvector('simple'::regconfig, title)", persisted=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("metadata_uri", name=op.f("pk_asset_metadata")),
    )
    op.create_index(op.f("ix_asset_metadata_title_words"), "asset_metadata", ["title_words"],
                    postgresql_using="gin")


def downgrade() -> None:
    op.drop_index(op.f("ix_asset_metadata_title_words"), table_name="asset_metadata")
    op.drop_table("asset_metadata")
    op.drop_index(op.f("ix_email_outbox_unsent"), table_name="email_outbox")
    op.drop_table("email_outbox")
    # Invitation wallets hold keys (and maybe money) that the old schema has no place for: refuse, never drop.
    held = op.get_bind().scalar(sa.text("select count(*) from wallets where invitation_id is not null"))
    if held:
        raise RuntimeError(f"{held} wallets were created for payee invitations; downgrading below 0010 would "
                           "lose their keys")
    op.drop_index(op.f("ix_wallets_custodial_user"), table_name="wallets")
    op.create_index(op.f("ix_wallets_custodial_user"), "wallets", ["user_id"], unique=True,
                    postgresql_where=sa.text("kind = 'custodial'"))
    op.drop_constraint(op.f("ck_wallets_owner"), "wallets", type_="check")
    op.alter_column("wallets", "user_id", existing_type=sa.Uuid(), nullable=False)
    op.drop_constraint(op.f("uq_wallets_invitation_id"), "wallets", type_="unique")
    op.drop_constraint(op.f("fk_wallets_invitation_id_payee_invitations"), "wallets", type_="foreignkey")
    op.drop_column("wallets", "invitation_id")
    op.drop_index(op.f("ix_payee_invitations_pending_email"), table_name="payee_invitations")
    op.drop_table("payee_invitations")
