"""The hand-written migration creates exactly the search tables (and the catalog column) the models declare."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from discovery.search import models
from harmoni.db import Base, normalize_url

SEARCH_TABLES = {models.SearchOutbox.__tablename__, models.SearchDocument.__tablename__,
                 models.SearchTerm.__tablename__, "asset_metadata"}


def _search_object(obj, name, type_, reflected, compare_to) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name in SEARCH_TABLES


def test_migration_matches_models(database_url):
    engine = create_engine(normalize_url(database_url))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _search_object})
        diffs = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diffs == []
