"""The hand-written migration creates exactly the search tables (and the catalog column) the models declare."""


from discovery.search import models
from tests.schema_diff import model_drift

SEARCH_TABLES = {models.SearchOutbox.__tablename__, models.SearchDocument.__tablename__,
                 models.SearchTerm.__tablename__, "asset_metadata"}


def _search_object(obj, name, type_, reflected, compare_to) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name in SEARCH_TABLES


def test_migration_matches_models(database_url):
    assert model_drift(database_url, _search_object) == []
