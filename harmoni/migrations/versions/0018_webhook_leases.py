"""Webhook leases: a delivery in flight is marked by a lease instead of a row lock held during the HTTP call

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03

`webhook_deliveries.lease_until`: set when a worker claims a delivery for one attempt, cleared when it records
the outcome; the dispatcher does not hand out a leased delivery again until the lease runs out.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("webhook_deliveries", sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("webhook_deliveries", "lease_until")
