"""Object storage: the filesystem by default, any S3-compatible service by settings (boto3)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from content.cid import cid_v1_raw
from harmoni.errors import ConfigurationError, NotFound
from harmoni.settings import Settings, StorageBackend

_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,1023}$")


def check_key(key: str) -> str:
    """Keys are relative paths of safe characters: no `..`, no leading slash."""
    if not _SAFE_KEY.match(key) or ".." in key.split("/"):
        raise ValueError(f"invalid object key {key!r}")
    return key


class ObjectStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...


class FilesystemStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half an object, a crash leaves no partial file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as err:
            raise NotFound(f"object {key} not found") from err

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Store:
    def __init__(self, bucket: str, client) -> None:
        self.bucket = bucket
        self.client = client

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.client.put_object(Bucket=self.bucket, Key=check_key(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=check_key(key))["Body"].read()
        except self.client.exceptions.NoSuchKey as err:
            raise NotFound(f"object {key} not found") from err

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=check_key(key))
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))


def s3_client(settings: Settings):
    import boto3

    kwargs = {"region_name": settings.s3_region}
    if settings.s3_endpoint_url:
        kwargs["endpoint_url"] = settings.s3_endpoint_url
    if settings.s3_access_key_id.get_secret_value():
        kwargs["aws_access_key_id"] = settings.s3_access_key_id.get_secret_value()
        kwargs["aws_secret_access_key"] = settings.s3_secret_access_key.get_secret_value()
    return boto3.client("s3", **kwargs)


def object_store(settings: Settings) -> ObjectStore:
    """The store the settings select."""
    if settings.storage_backend is StorageBackend.s3:
        if not settings.s3_bucket:
            raise ConfigurationError("HARMONI_S3_BUCKET must be set when HARMONI_STORAGE_BACKEND=s3")
        return S3Store(settings.s3_bucket, s3_client(settings))
    return FilesystemStore(settings.objects_path)


def put_content_addressed(store: ObjectStore, folder: str, data: bytes, suffix: str, content_type: str) -> str:
    """Store `data` under its CIDv1 (writing nothing when it is already there); return `ipfs://<cid>`."""
    cid = cid_v1_raw(data)
    key = f"{folder}/{cid}{suffix}"
    if not store.exists(key):
        store.put(key, data, content_type)
    return f"ipfs://{cid}"


def get_content_addressed(store: ObjectStore, folder: str, uri: str, suffix: str) -> bytes:
    """Read what `put_content_addressed` stored under `uri`."""
    return store.get(f"{folder}/{uri.removeprefix('ipfs://')}{suffix}")
