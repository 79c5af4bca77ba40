"""The hand-written migration creates exactly the social tables the models declare."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from harmoni.db import Base, normalize_url
from social import models  # noqa: F401 -- registers the tables


def _social_object(obj, name, type_, reflected, compare_to) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name.startswith("social_")


def test_migration_matches_the_models(database_url):
    engine = create_engine(normalize_url(database_url))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _social_object})
        diffs = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diffs == []
