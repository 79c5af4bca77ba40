import pytest

from harmoni.settings import Settings
from tests.api.conftest import api, api_settings, live_api  # noqa: F401 -- the app fixtures, for these tests too


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(_env_file=None, env="test", database_url=database_url, data_dir=tmp_path / "var")
