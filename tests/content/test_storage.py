import pytest
from botocore.stub import Stubber

from content.storage import FilesystemStore, S3Store, check_key, object_store, s3_client
from harmoni.errors import ConfigurationError, NotFound
from harmoni.settings import Settings


def test_filesystem_store_round_trip(tmp_path):
    store = FilesystemStore(tmp_path)
    store.put("metadata/bafy123.json", b'{"a":1}')
    assert store.exists("metadata/bafy123.json")
    assert store.get("metadata/bafy123.json") == b'{"a":1}'
    assert [p.name for p in (tmp_path / "metadata").iterdir()] == ["bafy123.json"]  # no temp files left
    store.delete("metadata/bafy123.json")
    assert not store.exists("metadata/bafy123.json")
    with pytest.raises(NotFound):
        store.get("metadata/bafy123.json")


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a/../../b", "", "a b"])
def test_unsafe_keys_are_refused(key):
    with pytest.raises(ValueError, match="invalid object key"):
        check_key(key)


def test_settings_select_the_backend(tmp_path):
    fs = object_store(Settings(_env_file=None, data_dir=tmp_path))
    assert isinstance(fs, FilesystemStore) and fs.root == tmp_path / "objects"
    s3 = object_store(Settings(_env_file=None, storage_backend="s3", s3_bucket="media",
                               s3_endpoint_url="http://127.0.0.1:9000", s3_region="eu-west-1"))
    assert isinstance(s3, S3Store) and s3.bucket == "media"
    assert s3.client.meta.endpoint_url == "http://127.0.0.1:9000" and s3.client.meta.region_name == "eu-west-1"
    with pytest.raises(ConfigurationError, match="HARMONI_S3_BUCKET"):
        object_store(Settings(_env_file=None, storage_backend="s3"))


def test_s3_store_speaks_the_s3_protocol_offline():
    """botocore's Stubber checks each request against the real S3 API model, with no network."""
    client = s3_client(Settings(_env_file=None, s3_access_key_id="AKIDEXAMPLE", s3_secret_access_key="x" * 40))
    store = S3Store("media", client)
    with Stubber(client) as stub:
        stub.add_response("put_object", {}, {"Bucket": "media", "Key": "a/b.json", "Body": b"{}",
                                             "ContentType": "application/json"})
        stub.add_client_error("head_object", "404", http_status_code=404,
                              expected_params={"Bucket": "media", "Key": "missing"})
        store.put("a/b.json", b"{}", "application/json")
        assert store.exists("missing") is False
        stub.assert_no_pending_responses()
