import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from api.app import create_app
from chain.rpc import JsonRpc
from harmoni.db import get_engine
from harmoni.settings import Settings, get_settings
from indexer.runner import INDEXED_CONTRACTS
from indexer.service import Indexer, IndexerConfig
from tests.content.conftest import s3_server, s3_store  # noqa: F401 -- fixtures for the content tests
from tests.payments.conftest import local_stripe  # noqa: F401 -- a Stripe-compatible server for the session


@pytest.fixture
def api_settings(database_url, anvil, tmp_path) -> Settings:
    # An SSE response ends after notification_stream_max_s: short here, so clients reading it to the end
    # (the authorization matrix, schemathesis) get their answer at once.
    return Settings(_env_file=None, env="test", database_url=database_url, rpc_url=anvil.url,
                    data_dir=tmp_path / "var", indexer_max_lag_blocks=2, notification_stream_max_s=0.2)


@pytest.fixture
def api(api_settings, sessions, anvil_client):
    """The app on the test database (rolled back after the test) and the session's anvil."""
    app = create_app(api_settings)
    app.state.context.sessions = sessions
    app.state.context.chain = anvil_client
    with TestClient(app) as client:
        yield client


@pytest.fixture
def live_api(fresh_db, chain, tmp_path, monkeypatch):
    """The app on a database of its own that really commits (jobs run eagerly, in sessions of their own)."""
    url = fresh_db()
    env = {"HARMONI_ENV": "test", "HARMONI_DATABASE_URL": url, "HARMONI_RPC_URL": chain.client.rpc_url,
           "HARMONI_DATA_DIR": str(chain.data_dir), "HARMONI_STORAGE_PATH": str(tmp_path / "objects"),
           "HARMONI_PERIOD_CLOSE_GRACE_S": "0"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("HARMONI_REDIS_URL", raising=False)
    get_settings.cache_clear()
    app = create_app(Settings(_env_file=None))
    with TestClient(app) as client:
        client.database_url = url
        yield client
    get_settings.cache_clear()


def index_chain(client, chain) -> None:
    """Mirror the chain into the live app's database up to its head."""
    # Every block is final at once here (anvil mines only on transactions), so operations settle as they are indexed.
    config = IndexerConfig(chain_id=31337, start_block=chain.deployment.start_block,
                           addresses={n: chain.deployment.address(n) for n in INDEXED_CONTRACTS}, finality_depth=0)
    Indexer(sessionmaker(bind=get_engine(client.database_url)), JsonRpc(chain.client.rpc_url),
            config).run_until_caught_up()
    # Answers may trail a new block by the checkpoint's time to live (0.25 s); the next request sees this one.
    client.app.state.context.mirror_cache.expire()


class ContentClient:
    """The live app with an artist signed in, and a content worker to run by hand."""

    def __init__(self, client, artist_headers: dict[str, str]) -> None:
        self.client = client
        self.headers = artist_headers
        self.sessions = sessionmaker(bind=get_engine(client.database_url), expire_on_commit=False)

    @property
    def settings(self) -> Settings:
        return self.client.app.state.context.settings

    def configure(self, **overrides) -> None:
        self.client.app.state.context.settings = self.settings.model_copy(update=overrides)

    def upload(self, data: bytes, headers: dict | None = None, **params):
        return self.client.post("/v1/uploads", content=data, params=params, headers={**self.headers, **(headers or {})})

    def work(self, upload_id=None) -> str | None:
        """Process the next claimable upload (or this one) as a worker would."""
        from content import processing
        from content.storage import object_store

        return processing.run_next(self.sessions, self.settings, object_store(self.settings), "test-worker",
                                   upload_id)


@pytest.fixture
def content_api(live_api) -> ContentClient:
    from tests.identity.factories import make_user

    sessions = sessionmaker(bind=get_engine(live_api.database_url), expire_on_commit=False)
    artist = make_user(sessions, live_api.app.state.context.settings, "artist")
    return ContentClient(live_api, artist.headers)
