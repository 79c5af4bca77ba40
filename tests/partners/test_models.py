"""The hand-written migration creates exactly the partner tables the models declare."""


from partners import models
from tests.schema_diff import model_drift

PARTNER_TABLES = {models.PartnerApiKey.__tablename__, models.WebhookEndpoint.__tablename__,
                  models.WebhookDelivery.__tablename__, models.WebhookDeliveryAttempt.__tablename__,
                  models.WebhookCursor.__tablename__}


def _partner_object(obj, name, type_, reflected, compare_to) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name in PARTNER_TABLES


def test_migration_matches_the_models(database_url):
    assert model_drift(database_url, _partner_object) == []
