"""Alembic environment: migrations are run by `harmoni db upgrade` (or tests) with a URL passed in."""

import importlib

from alembic import context
from sqlalchemy import engine_from_config, pool

from harmoni.db import Base

# Every package that declares tables; imported by name so the kernel depends on none of them.
MODEL_MODULES = ("harmoni.models", "indexer.models", "ledger.models", "ledger.operations", "identity.models",
                 "ledger.registration", "partners.models", "ledger.usage.models", "ledger.royalties.models",
                 "ledger.catalog", "ledger.disputes", "content.models", "ledger.editions.models", "payments.models",
                 "notifications.models", "discovery.search.models", "discovery.trending.models",
                 "discovery.recommendations.models", "discovery.analytics.models", "social.models")
for module in MODEL_MODULES:
    importlib.import_module(module)

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        context.configure(connection=connectable, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
