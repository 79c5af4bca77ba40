"""Security: verified e-mail addresses on accounts; SIWE nonces bound to their purpose (and account, to link)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03

`users.email_verified_at`: existing accounts start unverified (nothing ever proved their addresses), so an e-mail
payee naming one of them is invited like a stranger until its owner verifies or accepts the invitation.
`siwe_nonces.purpose`/`user_id`: existing nonces (valid ten minutes) become login nonces.
`royalty_periods.publish_failed_at`/`publish_error`: the last failed publish of a period, shown on it.
`royalty_revenue.voided_at`/`voided_by`/`void_reason`: an entry voided before close (with a journaled reversal).
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("siwe_nonces", sa.Column("purpose", sa.String(8), server_default="login", nullable=False))
    op.add_column("siwe_nonces", sa.Column("user_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(op.f("fk_siwe_nonces_user_id_users"), "siwe_nonces", "users", ["user_id"], ["id"],
                          ondelete="CASCADE")
    op.create_check_constraint(op.f("ck_siwe_nonces_purpose"), "siwe_nonces", "purpose in ('login', 'link')")
    op.create_check_constraint(op.f("ck_siwe_nonces_link_names_user"), "siwe_nonces",
                               "(purpose = 'link') = (user_id is not null)")
    op.add_column("royalty_periods", sa.Column("publish_failed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("royalty_periods", sa.Column("publish_error", sa.Text(), nullable=True))
    op.add_column("royalty_revenue", sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("royalty_revenue", sa.Column("voided_by", sa.Uuid(), nullable=True))
    op.add_column("royalty_revenue", sa.Column("void_reason", sa.Text(), nullable=True))
    op.create_foreign_key(op.f("fk_royalty_revenue_voided_by_users"), "royalty_revenue", "users", ["voided_by"],
                          ["id"], ondelete="SET NULL")


def downgrade() -> None:
    op.drop_constraint(op.f("fk_royalty_revenue_voided_by_users"), "royalty_revenue", type_="foreignkey")
    op.drop_column("royalty_revenue", "void_reason")
    op.drop_column("royalty_revenue", "voided_by")
    op.drop_column("royalty_revenue", "voided_at")
    op.drop_column("royalty_periods", "publish_error")
    op.drop_column("royalty_periods", "publish_failed_at")
    op.drop_constraint(op.f("ck_siwe_nonces_link_names_user"), "siwe_nonces", type_="check")
    op.drop_constraint(op.f("ck_siwe_nonces_purpose"), "siwe_nonces", type_="check")
    op.drop_constraint(op.f("fk_siwe_nonces_user_id_users"), "siwe_nonces", type_="foreignkey")
    op.drop_column("siwe_nonces", "user_id")
    op.drop_column("siwe_nonces", "purpose")
    op.drop_column("users", "email_verified_at")
