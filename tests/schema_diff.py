"""What the migrated database and the models disagree on, for the parts a test names (Alembic's autogenerate)."""

from __future__ import annotations

from collections.abc import Callable

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from harmoni.db import Base, normalize_url


def model_drift(database_url: str, include_object: Callable[..., bool]) -> list:
    """Alembic's differences between the database at `database_url` and `Base.metadata`, for the objects
    `include_object(obj, name, type_, reflected, compare_to)` keeps; [] when the migrations match the models."""
    engine = create_engine(normalize_url(database_url))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
