"""chain_operations: `included` before `confirmed`, and the hash of the block that included the transaction

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

`confirmed` now means "included and at least as final as the indexer's finality rule". Until then an operation is
`included`; the reconciler promotes it, or sends it again when its block left the canonical chain (a reorg, or a
node that lost state). The block hash is what tells a reorged inclusion from a kept one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_OLD = "status in ('pending', 'submitted', 'confirmed', 'failed')"
_NEW = "status in ('pending', 'submitted', 'included', 'confirmed', 'failed')"


def upgrade() -> None:
    op.add_column("chain_operations", sa.Column("block_hash", sa.String(66), nullable=True))
    op.drop_constraint(op.f("ck_chain_operations_status"), "chain_operations", type_="check")
    op.create_check_constraint(op.f("ck_chain_operations_status"), "chain_operations", _NEW)
    # The indexer looks for included operations at every step, and for the newest confirmed ones at start.
    op.create_index(op.f("ix_chain_operations_included"), "chain_operations", ["chain_id", "block_number"],
                    postgresql_where=sa.text("status = 'included'"))
    op.create_index(op.f("ix_chain_operations_confirmed"), "chain_operations", ["chain_id", "block_number"],
                    postgresql_where=sa.text("status = 'confirmed'"))


def downgrade() -> None:
    op.drop_index(op.f("ix_chain_operations_confirmed"), table_name="chain_operations")
    op.drop_index(op.f("ix_chain_operations_included"), table_name="chain_operations")
    op.execute("update chain_operations set status = 'confirmed' where status = 'included'")
    op.drop_constraint(op.f("ck_chain_operations_status"), "chain_operations", type_="check")
    op.create_check_constraint(op.f("ck_chain_operations_status"), "chain_operations", _OLD)
    op.drop_column("chain_operations", "block_hash")
