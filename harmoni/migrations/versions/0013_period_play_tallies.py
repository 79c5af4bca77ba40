"""period_play_tallies: counted plays per period and asset, kept by triggers in the plays' own transactions

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25

A royalty close reads its period's tallies (one row per played asset) instead of counting every play of the period
(10M rows at the benchmark's size). The audit still counts the raw plays, so a tally that ever disagreed with them
would fail it. Statement-level triggers with transition tables: one upsert per statement, however many plays it
writes; updates and deletes are followed too. A play outside every period is counted when its period is opened
(`open_period`).
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# In key order, so two statements adding plays of several assets lock their tallies in the same order.
_COUNTS = """
SELECT p.period_id, r.chain_id, r.asset_id, count(*) AS plays
FROM {rows} r JOIN royalty_periods p ON r.played_at >= p.starts_at AND r.played_at < p.ends_at
WHERE r.counted GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
"""
_ADD = f"""
INSERT INTO period_play_tallies AS t (period_id, chain_id, asset_id, plays) {_COUNTS}
ON CONFLICT (period_id, chain_id, asset_id) DO UPDATE SET plays = t.plays + excluded.plays
"""
# The tally of a counted play exists (the play added to it), so taking plays away is an update.
_SUBTRACT = f"""
UPDATE period_play_tallies t SET plays = t.plays - gone.plays FROM ({_COUNTS}) gone
WHERE t.period_id = gone.period_id AND t.chain_id = gone.chain_id AND t.asset_id = gone.asset_id
"""  # noqa: S608 - constants only

_FUNCTION = f"""
CREATE FUNCTION tally_period_plays() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A period opened while this transaction waited for its lock on plays is visible only to a statement snapshot.
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'plays are written in READ COMMITTED transactions (this one is %)',
      current_setting('transaction_isolation');
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {_SUBTRACT.format(rows="old_plays")};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {_ADD.format(rows="new_plays")};
  END IF;
  RETURN NULL;
END $$
"""

# PostgreSQL allows transition tables only on single-event triggers: one trigger per event, one function.
_TRIGGERS = {
    "INSERT": "REFERENCING NEW TABLE AS new_plays",
    "UPDATE": "REFERENCING OLD TABLE AS old_plays NEW TABLE AS new_plays",
    "DELETE": "REFERENCING OLD TABLE AS old_plays",
}


def upgrade() -> None:
    op.create_table(
        "period_play_tallies",
        sa.Column("period_id", sa.BigInteger(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=False),
        sa.Column("plays", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("plays >= 0", name=op.f("ck_period_play_tallies_plays_not_negative")),
        sa.ForeignKeyConstraint(["period_id"], ["royalty_periods.period_id"],
                                name=op.f("fk_period_play_tallies_period_id_royalty_periods")),
        sa.PrimaryKeyConstraint("period_id", "chain_id", "asset_id", name=op.f("pk_period_play_tallies")),
    )
    op.execute(_FUNCTION)
    for event, referencing in _TRIGGERS.items():
        op.execute(f"CREATE TRIGGER tally_period_plays_{event.lower()} AFTER {event} ON plays {referencing} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION tally_period_plays()")
    # TRUNCATE fires no row or statement trigger of the events above: it empties the tallies with the plays.
    op.execute("CREATE FUNCTION forget_period_plays() RETURNS trigger LANGUAGE plpgsql AS $$ "
               "BEGIN DELETE FROM period_play_tallies; RETURN NULL; END $$")
    op.execute("CREATE TRIGGER tally_period_plays_truncate AFTER TRUNCATE ON plays "
               "FOR EACH STATEMENT EXECUTE FUNCTION forget_period_plays()")
    op.execute(_ADD.format(rows="plays"))


def downgrade() -> None:
    op.execute("DROP TRIGGER tally_period_plays_truncate ON plays")
    op.execute("DROP FUNCTION forget_period_plays()")
    for event in _TRIGGERS:
        op.execute(f"DROP TRIGGER tally_period_plays_{event.lower()} ON plays")
    op.execute("DROP FUNCTION tally_period_plays()")
    op.drop_table("period_play_tallies")
