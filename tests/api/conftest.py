import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from harmoni.settings import Settings


@pytest.fixture
def api_settings(database_url, anvil, tmp_path) -> Settings:
    return Settings(_env_file=None, env="test", database_url=database_url, rpc_url=anvil.url,
                    data_dir=tmp_path / "var", indexer_max_lag_blocks=2)


@pytest.fixture
def api(api_settings, sessions, anvil_client):
    """The app on the test database (rolled back after the test) and the session's anvil."""
    app = create_app(api_settings)
    app.state.context.sessions = sessions
    app.state.context.chain = anvil_client
    with TestClient(app) as client:
        yield client
