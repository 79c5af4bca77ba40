"""Object stores against real backends: a temp directory and moto's S3 server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import os
import stat
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from content.cid import CHUNK, cid_v1_raw
from content.storage import (
    MULTIPART_THRESHOLD,
    TMP_PREFIX,
    FilesystemStore,
    ObjectStore,
    S3Store,
    ScrubFinding,
    StoredObject,
    check_key,
    object_store,
    put_content_addressed,
    put_file_content_addressed,
    scrub,
)
from harmoni.errors import ConfigurationError, NotFound
from harmoni.settings import Settings


@pytest.fixture(params=["filesystem", "s3"])
def store(request, tmp_path) -> ObjectStore:
    if request.param == "filesystem":
        return FilesystemStore(tmp_path / "objects")
    return request.getfixturevalue("s3_store")


def random_file(path: Path, size: int) -> bytes:
    data = os.urandom(size)
    path.write_bytes(data)
    return data


def tamper(store: ObjectStore, key: str, data: bytes) -> None:
    """Change an object's bytes behind the store's back (bit rot, a careless operator)."""
    if isinstance(store, FilesystemStore):
        store.local_path(key).write_bytes(data)
    else:
        store.client.put_object(Bucket=store.bucket, Key=key, Body=data)


def write_marker(store: ObjectStore, key: str) -> object:
    """Something that changes whenever the object is written again."""
    if isinstance(store, FilesystemStore):
        info = store.local_path(key).stat()
        return info.st_ino, info.st_mtime_ns  # os.replace gives a new inode
    versions = store.client.list_object_versions(Bucket=store.bucket, Prefix=key)["Versions"]
    return sorted(version["VersionId"] for version in versions)


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


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a/../../b", "", "a b", "audio/.tmp-x", "a/.tmp-b/c"])
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


def test_put_file_round_trips_a_large_file(store, tmp_path):
    data = random_file(tmp_path / "master.flac", MULTIPART_THRESHOLD + 512 * 1024)
    store.put_file("audio/master.flac", tmp_path / "master.flac", "audio/flac")
    assert store.size("audio/master.flac") == len(data)
    store.download("audio/master.flac", tmp_path / "back.flac")
    assert (tmp_path / "back.flac").read_bytes() == data
    if isinstance(store, S3Store):
        head = store.client.head_object(Bucket=store.bucket, Key="audio/master.flac")
        assert head["ETag"].strip('"').endswith("-2")  # two parts: the upload went multipart
        assert head["ContentType"] == "audio/flac"
    else:
        assert store.local_path("audio/master.flac").read_bytes() == data


def test_size_exists_delete(store, tmp_path):
    key = "audio/track.mp3"
    assert store.size(key) is None and not store.exists(key)
    store.put(key, b"ID3 not really", "audio/mpeg")
    assert store.size(key) == 14 and store.exists(key)
    store.delete(key)
    store.delete(key)  # deleting what is gone is not an error
    assert store.size(key) is None and not store.exists(key)
    with pytest.raises(NotFound):
        store.get(key)
    with pytest.raises(NotFound):
        store.open_stream(key)
    with pytest.raises(NotFound):
        store.download(key, tmp_path / "nothing")


def test_keys_lists_everything_under_a_prefix(store):
    stored = ["art/cover.jpg", "audio/a.flac", "audio/b/c.flac", "audio/b/d/e.flac", "audio2/x.flac", "audiobook.txt"]
    for key in stored:
        store.put(key, key.encode())
    assert sorted(store.keys("")) == stored
    assert sorted(store.keys("audio/")) == ["audio/a.flac", "audio/b/c.flac", "audio/b/d/e.flac"]
    assert sorted(store.keys("audio")) == ["audio/a.flac", "audio/b/c.flac", "audio/b/d/e.flac", "audio2/x.flac",
                                           "audiobook.txt"]
    assert sorted(store.keys("audio/b/")) == ["audio/b/c.flac", "audio/b/d/e.flac"]
    assert list(store.keys("video/")) == []
    with pytest.raises(ValueError, match="invalid object key"):
        list(store.keys("../"))


def test_open_stream_reads_byte_ranges(store, tmp_path):
    size = 2 * CHUNK + 4321
    data = random_file(tmp_path / "take.wav", size)
    store.put_file("audio/take.wav", tmp_path / "take.wav", "audio/wav")

    def read(start: int = 0, end: int | None = None) -> bytes:
        chunks = list(store.open_stream("audio/take.wav", start, end))
        assert all(len(chunk) <= CHUNK for chunk in chunks)  # streamed, never the whole object at once
        return b"".join(chunks)

    assert read() == data
    assert read(0, 1) == data[:1]
    assert read(size - 1, size) == data[-1:]
    assert read(CHUNK - 10, CHUNK + CHUNK // 2) == data[CHUNK - 10:CHUNK + CHUNK // 2]
    assert read(size - 100) == data[-100:]
    assert read(size - 10, size + 50) == data[-10:]  # an end past the object is clipped
    assert read(size + 5) == b"" and read(7, 7) == b""
    with pytest.raises(ValueError, match="invalid byte range"):
        read(10, 5)


def test_content_addressed_put_writes_once(store, tmp_path):
    if isinstance(store, S3Store):
        store.client.put_bucket_versioning(Bucket=store.bucket, VersioningConfiguration={"Status": "Enabled"})
    data = random_file(tmp_path / "song.flac", 300_000)
    first = put_file_content_addressed(store, "audio", tmp_path / "song.flac", ".flac", "audio/flac")
    cid = cid_v1_raw(data)
    assert first == StoredObject(key=f"audio/{cid}.flac", cid=cid, sha256_hex=hashlib.sha256(data).hexdigest(),
                                 size=len(data))
    assert first.uri == f"ipfs://{cid}" and store.get(first.key) == data
    marker = write_marker(store, first.key)
    time.sleep(0.01)  # a rewrite would now get a visibly later mtime
    assert put_file_content_addressed(store, "audio", tmp_path / "song.flac", ".flac", "audio/flac") == first
    assert write_marker(store, first.key) == marker
    # A truncated object is not the same object: it is written again.
    tamper(store, first.key, data[:1000])
    put_file_content_addressed(store, "audio", tmp_path / "song.flac", ".flac", "audio/flac")
    assert store.get(first.key) == data


def test_scrub_finds_changed_bytes_and_skips_keys_not_named_by_a_cid(store, tmp_path):
    random_file(tmp_path / "a.flac", 200_000)
    random_file(tmp_path / "b.flac", 3 * CHUNK)
    intact = put_file_content_addressed(store, "audio", tmp_path / "a.flac", ".flac", "audio/flac")
    rotten = put_file_content_addressed(store, "audio", tmp_path / "b.flac", ".flac", "audio/flac")
    document = put_content_addressed(store, "metadata", b'{"title":"Song"}', ".json", "application/json")
    store.put("audio/readme.txt", b"not content-addressed")
    store.put("audio/bogus.flac", b"starts with b, is no CID")
    assert scrub(store, ["audio/", "metadata/"]) == []

    raw = bytearray((tmp_path / "b.flac").read_bytes())
    raw[CHUNK + 17] ^= 0x01  # one flipped bit in the second chunk
    tamper(store, rotten.key, bytes(raw))
    tamper(store, "audio/readme.txt", b"changed, but nothing promised what it holds")
    assert scrub(store, ["audio/", "audio/b", "metadata/"]) == [ScrubFinding(rotten.key, "mismatch")]
    assert store.exists(intact.key) and store.exists(f"metadata/{document.removeprefix('ipfs://')}.json")


def test_s3_presigned_get_serves_ranges(s3_store):
    data = os.urandom(100)
    s3_store.put("audio/clip.mp3", data, "audio/mpeg")
    url = s3_store.presigned_get("audio/clip.mp3", 60, "audio/ogg")
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Expires"] == ["60"]
    request = urllib.request.Request(url, headers={"Range": "bytes=10-19"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 206
        assert response.headers["Content-Type"] == "audio/ogg"
        assert response.read() == data[10:20]
    with urllib.request.urlopen(s3_store.presigned_get("audio/clip.mp3", 60), timeout=10) as response:
        assert response.headers["Content-Type"] == "audio/mpeg" and response.read() == data
    assert s3_store.local_path("audio/clip.mp3") is None


@pytest.mark.xfail(strict=True, reason="moto 5.2.5 does not check X-Amz-Expires on presigned URLs (AWS does)")
def test_s3_expired_presigned_url_is_refused(s3_store):
    s3_store.put("audio/clip.mp3", b"x" * 100, "audio/mpeg")
    url = s3_store.presigned_get("audio/clip.mp3", 1)
    time.sleep(2)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)
    assert refused.value.code == 403


def test_s3_abandoned_multipart_upload_is_reported_by_scrub(s3_store):
    s3_store.client.create_multipart_upload(Bucket=s3_store.bucket, Key="audio/upload.flac")
    assert scrub(s3_store, ["audio/"], partial_age=timedelta(0)) == [ScrubFinding("audio/upload.flac", "partial")]
    assert list(s3_store.keys("audio/")) == []  # never visible as an object


def test_filesystem_local_path_and_no_urls(tmp_path):
    store = FilesystemStore(tmp_path)
    store.put("audio/x.opus", b"OggS")
    assert store.local_path("audio/x.opus") == tmp_path / "audio" / "x.opus"
    assert store.local_path("audio/x.opus").read_bytes() == b"OggS"
    assert store.presigned_get("audio/x.opus", 60) is None
    with pytest.raises(NotFound):
        store.local_path("audio/missing.opus")


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_filesystem_crash_mid_put_leaves_the_old_object_and_no_partial(tmp_path, monkeypatch, failing):
    store = FilesystemStore(tmp_path / "objects")
    store.put("audio/x.flac", b"old version")
    new = random_file(tmp_path / "new.flac", 3 * CHUNK)

    def power_cut(*args):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, failing, power_cut)
    with pytest.raises(OSError, match="Input/output"):
        store.put_file("audio/x.flac", tmp_path / "new.flac", "audio/flac")
    with pytest.raises(OSError, match="Input/output"):
        store.put("audio/y.flac", new)
    monkeypatch.undo()
    assert store.get("audio/x.flac") == b"old version"
    assert not store.exists("audio/y.flac")
    assert os.listdir(tmp_path / "objects" / "audio") == ["x.flac"]


@pytest.mark.parametrize("method", ["put", "put_file"])
def test_filesystem_writes_fsync_the_file_and_its_new_directories(tmp_path, monkeypatch, method):
    store = FilesystemStore(tmp_path / "objects")
    (tmp_path / "src").write_bytes(b"payload")
    synced: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append("dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    if method == "put":
        store.put("audio/deep/x.bin", b"payload")
    else:
        store.put_file("audio/deep/x.bin", tmp_path / "src")
    # objects/, objects/audio/, objects/audio/deep/ are new: each parent's entry, then the file, then its folder.
    assert synced == ["dir", "dir", "dir", "file", "dir"]
    assert store.get("audio/deep/x.bin") == b"payload"


def test_filesystem_temp_files_are_hidden_and_old_ones_reported(tmp_path):
    store = FilesystemStore(tmp_path)
    store.put("audio/kept.flac", b"x")
    stale, fresh = tmp_path / "audio" / f"{TMP_PREFIX}crashed", tmp_path / "audio" / f"{TMP_PREFIX}writing"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    assert list(store.keys("audio/")) == ["audio/kept.flac"]
    assert scrub(store, ["audio/"]) == [ScrubFinding(f"audio/{TMP_PREFIX}crashed", "partial")]
