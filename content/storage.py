"""Object storage: the filesystem by default, any S3-compatible service by settings (boto3).

Objects are whole files addressed by key. Audio is streamed in and out (never whole in memory);
content-addressed objects are named by their CID, so they are immutable and `scrub` can check them.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal, Protocol

from content.cid import CHUNK, cid_of_sha256, cid_v1_raw, file_digest, sha256_of_cid
from harmoni.errors import ConfigurationError, NotFound
from harmoni.settings import Settings, StorageBackend

if TYPE_CHECKING:  # boto3 is imported only when S3 is used: it costs a tenth of a second
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,1023}$")
TMP_PREFIX = ".tmp-"
MULTIPART_THRESHOLD = 8 * 1024 * 1024  # above this S3 uploads go in parts (retried part by part)
OCTET_STREAM = "application/octet-stream"


def check_key(key: str) -> str:
    """Keys are relative paths of safe characters: no `..`, no leading slash, no temp-file names."""
    parts = key.split("/")
    if not _SAFE_KEY.match(key) or ".." in parts or any(part.startswith(TMP_PREFIX) for part in parts):
        raise ValueError(f"invalid object key {key!r}")
    return key


def check_prefix(prefix: str) -> str:
    """A prefix is empty (everything) or the start of a safe key."""
    return check_key(prefix) if prefix else prefix


def _check_range(start: int, end: int | None) -> None:
    if start < 0 or (end is not None and end < start):
        raise ValueError(f"invalid byte range {start}-{end}")


class ObjectStore(Protocol):
    """What every backend offers; ranges are `start` inclusive, `end` exclusive."""

    def put(self, key: str, data: bytes, content_type: str = OCTET_STREAM) -> None: ...
    def put_file(self, key: str, path: Path, content_type: str = OCTET_STREAM) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int | None: ...
    def delete(self, key: str) -> None: ...
    def download(self, key: str, path: Path) -> None: ...
    def keys(self, prefix: str) -> Iterator[str]: ...
    def open_stream(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]: ...
    def local_path(self, key: str) -> Path | None: ...
    def presigned_get(self, key: str, expires_s: int, content_type: str | None = None) -> str | None: ...
    def partial_uploads(self, prefix: str) -> Iterator[tuple[str, datetime]]: ...


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_dirs(directory: Path) -> None:
    """mkdir -p, then fsync the parent of each new directory so its entry survives a power cut."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for created in reversed(missing):
        created.mkdir(exist_ok=True)
        _fsync_dir(created.parent)


def _read_range(handle: IO[bytes], start: int, end: int | None) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        remaining = None if end is None else end - start
        while remaining is None or remaining > 0:
            chunk = handle.read(CHUNK if remaining is None else min(CHUNK, remaining))
            if not chunk:
                return
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk


class FilesystemStore:
    """Objects as files under `root`; every write is atomic and durable once it returns."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _write(self, key: str, fill: Callable[[IO[bytes]], object]) -> None:
        path = self._path(key)
        _make_dirs(path.parent)
        # Temp file + fsync + rename + fsync(dir): readers see the old object or the whole new one.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as handle:
                fill(handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)

    def put(self, key: str, data: bytes, content_type: str = OCTET_STREAM) -> None:
        """Store `data` under `key` (the content type is not kept on the filesystem)."""
        self._write(key, lambda handle: handle.write(data))

    def put_file(self, key: str, path: Path, content_type: str = OCTET_STREAM) -> None:
        """Copy the local file at `path` into the store, 1 MiB at a time."""
        with open(path, "rb") as source:
            self._write(key, lambda handle: shutil.copyfileobj(source, handle, CHUNK))

    def get(self, key: str) -> bytes:
        """The whole object (small documents; stream audio with `open_stream`)."""
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as err:
            raise NotFound(f"object {key} not found") from err

    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""
        return self._path(key).is_file()

    def size(self, key: str) -> int | None:
        """The object's size in bytes, None when absent."""
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        """Remove the object (nothing happens when it is absent)."""
        self._path(key).unlink(missing_ok=True)

    def download(self, key: str, path: Path) -> None:
        """Copy the object to the local file `path` (the kernel copies, without passing through Python)."""
        try:
            shutil.copyfile(self._path(key), path)
        except FileNotFoundError as err:
            raise NotFound(f"object {key} not found") from err

    def _walk(self, prefix: str) -> Iterator[tuple[str, Path]]:
        # Prefixes are string prefixes as on S3 ("audio/ba" matches "audio/bafy..."): walk from their folder.
        folder, _, start = check_prefix(prefix).rpartition("/")
        top = self.root / folder
        for directory, dirs, files in os.walk(top):
            if directory == str(top):  # only the first level can fail to match the prefix
                dirs[:] = [name for name in dirs if name.startswith(start)]
                files = [name for name in files if name.startswith(start)]
            dirs.sort()
            for name in sorted(files):
                path = Path(directory, name)
                yield path.relative_to(self.root).as_posix(), path

    def keys(self, prefix: str) -> Iterator[str]:
        """Every key under `prefix`, skipping writes still in progress."""
        return (key for key, path in self._walk(prefix) if not path.name.startswith(TMP_PREFIX))

    def partial_uploads(self, prefix: str) -> Iterator[tuple[str, datetime]]:
        """Temp files under `prefix` with their last change: writes in progress or left by a crash."""
        for key, path in self._walk(prefix):
            if path.name.startswith(TMP_PREFIX):
                yield key, datetime.fromtimestamp(path.stat().st_mtime, UTC)

    def open_stream(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Chunks of bytes [start, end); the file is opened now, so a missing object fails here."""
        _check_range(start, end)
        try:
            handle = open(self._path(key), "rb")  # noqa: SIM115 - the generator owns and closes it
        except FileNotFoundError as err:
            raise NotFound(f"object {key} not found") from err
        return _read_range(handle, start, end)

    def local_path(self, key: str) -> Path | None:
        """The file holding the object, for zero-copy range serving (Starlette FileResponse)."""
        path = self._path(key)
        if not path.is_file():
            raise NotFound(f"object {key} not found")
        return path

    def presigned_get(self, key: str, expires_s: int, content_type: str | None = None) -> str | None:
        """None: the filesystem has no URLs of its own; serve `local_path` instead."""
        return None


def _missing(err: ClientError) -> bool:
    return err.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}


class S3Store:
    """Objects in one bucket of an S3-compatible service."""

    def __init__(self, bucket: str, client: BaseClient) -> None:
        self.bucket = bucket
        self.client = client

    def put(self, key: str, data: bytes, content_type: str = OCTET_STREAM) -> None:
        """Store `data` under `key` in one request."""
        self.client.put_object(Bucket=self.bucket, Key=check_key(key), Body=data, ContentType=content_type)

    def put_file(self, key: str, path: Path, content_type: str = OCTET_STREAM) -> None:
        """Upload the local file at `path`; above 8 MiB in parts, so a failed part is retried alone."""
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(multipart_threshold=MULTIPART_THRESHOLD, multipart_chunksize=MULTIPART_THRESHOLD)
        self.client.upload_file(str(path), self.bucket, check_key(key),
                                ExtraArgs={"ContentType": content_type}, Config=config)

    def get(self, key: str) -> bytes:
        """The whole object (small documents; stream audio with `open_stream`)."""
        try:
            return self.client.get_object(Bucket=self.bucket, Key=check_key(key))["Body"].read()
        except self.client.exceptions.NoSuchKey as err:
            raise NotFound(f"object {key} not found") from err

    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""
        return self.size(key) is not None

    def size(self, key: str) -> int | None:
        """The object's size in bytes, None when absent."""
        try:
            return self.client.head_object(Bucket=self.bucket, Key=check_key(key))["ContentLength"]
        except self.client.exceptions.ClientError as err:
            if _missing(err):
                return None
            raise

    def delete(self, key: str) -> None:
        """Remove the object (nothing happens when it is absent)."""
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def download(self, key: str, path: Path) -> None:
        """Stream the object to the local file `path` (in parallel ranges when it is large)."""
        try:
            self.client.download_file(self.bucket, check_key(key), str(path))
        except self.client.exceptions.ClientError as err:
            if _missing(err):
                raise NotFound(f"object {key} not found") from err
            raise

    def keys(self, prefix: str) -> Iterator[str]:
        """Every key under `prefix`, a page of up to 1000 at a time."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=check_prefix(prefix))
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"]

    def partial_uploads(self, prefix: str) -> Iterator[tuple[str, datetime]]:
        """Multipart uploads never completed nor aborted (their parts are billed) and when they began."""
        pages = self.client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=check_prefix(prefix))
        for page in pages:
            for upload in page.get("Uploads", []):
                yield upload["Key"], upload["Initiated"]

    def open_stream(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Chunks of bytes [start, end); the request is made now, so a missing object fails here."""
        _check_range(start, end)
        if end == start:
            return iter(())
        request = {"Bucket": self.bucket, "Key": check_key(key)}
        if start or end is not None:
            request["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
        try:
            body = self.client.get_object(**request)["Body"]
        except self.client.exceptions.ClientError as err:
            if _missing(err):
                raise NotFound(f"object {key} not found") from err
            if err.response.get("Error", {}).get("Code") == "InvalidRange":
                return iter(())  # starts past the end: nothing to read, as on the filesystem
            raise
        return body.iter_chunks(CHUNK)

    def local_path(self, key: str) -> Path | None:
        """None: S3 objects are not local files; hand out `presigned_get` or proxy `open_stream`."""
        return None

    def presigned_get(self, key: str, expires_s: int, content_type: str | None = None) -> str | None:
        """A URL anyone may GET (ranges included) until it expires; `content_type` overrides the stored one."""
        params = {"Bucket": self.bucket, "Key": check_key(key)}
        if content_type:
            params["ResponseContentType"] = content_type
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_s)


def s3_client(settings: Settings) -> BaseClient:
    """A boto3 S3 client for the configured endpoint, region and keys."""
    import boto3
    from botocore.config import Config

    # SigV4 everywhere: SigV2 presigned URLs are refused by newer AWS regions and most S3-compatible services.
    kwargs = {"region_name": settings.s3_region, "config": Config(signature_version="s3v4")}
    if settings.s3_endpoint_url:
        kwargs["endpoint_url"] = settings.s3_endpoint_url
    if settings.s3_access_key_id.get_secret_value():
        kwargs["aws_access_key_id"] = settings.s3_access_key_id.get_secret_value()
        kwargs["aws_secret_access_key"] = settings.s3_secret_access_key.get_secret_value()
    return boto3.client("s3", **kwargs)


_S3_STORES: dict[tuple, S3Store] = {}


def object_store(settings: Settings) -> ObjectStore:
    """The store the settings select (S3 clients are made once per configuration: each costs milliseconds)."""
    if settings.storage_backend is StorageBackend.s3:
        if not settings.s3_bucket:
            raise ConfigurationError("HARMONI_S3_BUCKET must be set when HARMONI_STORAGE_BACKEND=s3")
        key = (settings.s3_bucket, settings.s3_endpoint_url, settings.s3_region,
               settings.s3_access_key_id.get_secret_value(), settings.s3_secret_access_key.get_secret_value())
        if key not in _S3_STORES:
            _S3_STORES[key] = S3Store(settings.s3_bucket, s3_client(settings))
        return _S3_STORES[key]
    return FilesystemStore(settings.objects_path)


@dataclass(frozen=True)
class StoredObject:
    """A content-addressed object: where it is, what names it, how big it is."""

    key: str
    cid: str
    sha256_hex: str
    size: int

    @property
    def uri(self) -> str:
        return f"ipfs://{self.cid}"


def put_content_addressed(store: ObjectStore, folder: str, data: bytes, suffix: str, content_type: str) -> str:
    """Store `data` under its CIDv1 (writing nothing when it is already there); return `ipfs://<cid>`."""
    cid = cid_v1_raw(data)
    key = f"{folder}/{cid}{suffix}"
    if not store.exists(key):
        store.put(key, data, content_type)
    return f"ipfs://{cid}"


def put_file_content_addressed(store: ObjectStore, folder: str, path: Path, suffix: str,
                               content_type: str) -> StoredObject:
    """Store the file at `path` under its CIDv1, writing nothing when an object of that size is there.

    The file is read twice (to name it, then to copy it): it must not change in between.
    """
    stored = addressed(folder, path, suffix)
    if store.size(stored.key) != stored.size:
        store.put_file(stored.key, path, content_type)
    return stored


def addressed(folder: str, path: Path, suffix: str) -> StoredObject:
    """What the file at `path` would be stored as (key, CID, digest, size), without storing it."""
    digest, size = file_digest(path)
    cid = cid_of_sha256(digest)
    return StoredObject(key=f"{folder}/{cid}{suffix}", cid=cid, sha256_hex=digest.hex(), size=size)


def get_content_addressed(store: ObjectStore, folder: str, uri: str, suffix: str) -> bytes:
    """Read what `put_content_addressed` stored under `uri`."""
    return store.get(f"{folder}/{uri.removeprefix('ipfs://')}{suffix}")


@dataclass(frozen=True)
class ScrubFinding:
    """An object whose bytes no longer match its CID, or a write abandoned part way."""

    key: str
    problem: Literal["mismatch", "partial"]


def _named_digest(key: str) -> bytes | None:
    """The sha256 a key's file name promises (`<cid>.<suffix>`), None when it is not named by a CID."""
    cid = key.rpartition("/")[2].partition(".")[0]
    if not cid.startswith("b"):
        return None
    try:
        return sha256_of_cid(cid)
    except ValueError:
        return None


def scrub(store: ObjectStore, prefixes: list[str], partial_age: timedelta = timedelta(hours=1)) -> list[ScrubFinding]:
    """Re-hash every CID-named object under `prefixes`; report mismatches and writes abandoned before `partial_age`."""
    findings: dict[ScrubFinding, None] = {}  # ordered and without repeats when prefixes overlap
    checked: set[str] = set()
    cutoff = datetime.now(UTC) - partial_age
    for prefix in prefixes:
        for key in store.keys(prefix):
            expected = _named_digest(key)
            if key in checked or expected is None:
                continue
            checked.add(key)
            digest = hashlib.sha256()
            try:
                for chunk in store.open_stream(key):
                    digest.update(chunk)
            except NotFound:
                continue  # deleted while we were scrubbing
            if digest.digest() != expected:
                findings[ScrubFinding(key, "mismatch")] = None
        for key, started in store.partial_uploads(prefix):
            if started < cutoff:
                findings[ScrubFinding(key, "partial")] = None
    return list(findings)
