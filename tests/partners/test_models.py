"""The hand-written migration creates exactly the partner tables the models declare."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from harmoni.db import Base, normalize_url
from partners import models

PARTNER_TABLES = {models.PartnerApiKey.__tablename__, models.WebhookEndpoint.__tablename__,
                  models.WebhookDelivery.__tablename__, models.WebhookDeliveryAttempt.__tablename__,
                  models.WebhookCursor.__tablename__}


def _partner_object(obj, name, type_, reflected, compare_to) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name in PARTNER_TABLES


def test_migration_matches_the_models(database_url):
    engine = create_engine(normalize_url(database_url))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _partner_object})
        diffs = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diffs == []
