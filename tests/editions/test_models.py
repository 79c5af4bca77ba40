"""Migration 0019 creates exactly what the edition models declare (and the settled-fee column of revenue)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import ledger.editions.models  # noqa: F401 -- registers the table on Base.metadata
from harmoni.db import Base, normalize_url


def _ours(obj, name, type_, reflected, compare_to) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    if table is None:
        return False
    if table.name == "royalty_revenue":  # only the column this migration adds
        return type_ == "table" or (type_ == "column" and name == "settled_fee")
    return table.name == "edition_listings"


def test_migration_matches_the_models(database_url):
    engine = create_engine(normalize_url(database_url))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _ours})
        diffs = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diffs == []
