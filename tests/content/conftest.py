"""A real S3 endpoint for the suite: moto's server on 127.0.0.1, one fresh bucket per test.

Other test folders can use these fixtures with `from tests.content.conftest import s3_server, s3_store`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

from content.storage import S3Store, object_store
from harmoni.settings import Settings
from tests.conftest import free_port


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """The endpoint URL of an S3 server running for the whole session."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_store(s3_server) -> Iterator[S3Store]:
    """An S3Store on a bucket of its own, built from settings as the platform builds it."""
    bucket = f"harmoni-test-{uuid.uuid4().hex[:16]}"
    store = object_store(Settings(_env_file=None, storage_backend="s3", s3_bucket=bucket, s3_endpoint_url=s3_server,
                                  s3_access_key_id="test", s3_secret_access_key="test"))
    assert isinstance(store, S3Store)
    store.client.create_bucket(Bucket=bucket)
    yield store
    # Free the server's memory: moto keeps every object of the session otherwise.
    for key in store.keys(""):
        store.delete(key)
