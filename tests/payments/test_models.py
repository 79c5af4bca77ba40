"""Migration 0028 creates exactly what the clawback, carry and tax rate models declare (and the invoice's note)."""


import ledger.royalties.models  # noqa: F401 -- registers the tables on Base.metadata
import payments.models  # noqa: F401
from tests.schema_diff import model_drift

TABLES = {"royalty_clawbacks", "royalty_adjustment_carry", "tax_rates"}


def _ours(obj, name, type_, reflected, compare_to) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    if table is None:
        return False
    if table.name == "payment_invoices":  # only the column this migration adds
        return type_ == "table" or (type_ == "column" and name == "payout_note")
    if table.name == "stripe_events":
        return type_ == "table" or (type_ == "index" and name == "ix_stripe_events_pending")
    return table.name in TABLES


def test_migration_matches_the_models(database_url):
    assert model_drift(database_url, _ours) == []
