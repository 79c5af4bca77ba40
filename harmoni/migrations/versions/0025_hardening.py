"""Address claims: an account may sign up with an address an unverified account holds, and claim it

Revision ID: 0025_hardening
Revises: 0024_discovery
Create Date: 2026-12-03

`users.claimed_email`: the address an account signed up with while another, unverified account held it. The
claiming account gets the address (verified) once its owner follows the link e-mailed there, and the unverified
holder loses it (`identity.verification.confirm`).
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_hardening"
down_revision = "0024_discovery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("claimed_email", sa.String(320), nullable=True))
    op.create_check_constraint(op.f("ck_users_claimed_email_lower_case"), "users",
                               "claimed_email = lower(claimed_email)")
    op.create_index("ix_users_claimed_email", "users", ["claimed_email"])


def downgrade() -> None:
    op.drop_index("ix_users_claimed_email", table_name="users")
    op.drop_constraint(op.f("ck_users_claimed_email_lower_case"), "users", type_="check")
    op.drop_column("users", "claimed_email")
