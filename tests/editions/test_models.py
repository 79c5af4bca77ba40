"""Migration 0019 creates exactly what the edition models declare (and the settled-fee column of revenue)."""


import ledger.editions.models  # noqa: F401 -- registers the table on Base.metadata
from tests.schema_diff import model_drift


def _ours(obj, name, type_, reflected, compare_to) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    if table is None:
        return False
    if table.name == "royalty_revenue":  # only the column this migration adds
        return type_ == "table" or (type_ == "column" and name == "settled_fee")
    return table.name == "edition_listings"


def test_migration_matches_the_models(database_url):
    assert model_drift(database_url, _ours) == []
