"""The hand-written migration creates exactly the social tables the models declare."""


from social import models  # noqa: F401 -- registers the tables
from tests.schema_diff import model_drift


def _social_object(obj, name, type_, reflected, compare_to) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name.startswith("social_")


def test_migration_matches_the_models(database_url):
    assert model_drift(database_url, _social_object) == []
