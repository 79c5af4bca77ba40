"""Uploads in: the bytes, streamed to a temporary file while hashed, then stored under their CID.

Two ways in, both ending in `received` (every byte stored, a worker will process it):
- one request (`POST /v1/uploads` with the file as the body), for files a connection carries whole;
- tus 1.0 (creation, termination): `POST` with `Upload-Length` makes an `uploading` upload, `PATCH`es append
  at `Upload-Offset`, `HEAD` says how far it got. The partial bytes live in the data directory.

Refusals known before any work (format by magic bytes, size, quota) change nothing: no row, no object. The
artist's own re-upload of the same bytes answers the existing upload; another account's upload of the same
bytes is kept and flagged for rights review. Services flush but never commit: the request owns the transaction.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.cid import cid_of_sha256
from content.errors import (
    QuotaExceeded,
    UnsupportedFormat,
    UploadExpired,
    UploadNotFound,
    UploadNotReady,
    UploadNotResumable,
    UploadNotRetryable,
    UploadOffsetMismatch,
    UploadTooLarge,
    UploadUnderReview,
)
from content.media.artwork import sniff_image
from content.media.probe import sniff
from content.models import Upload, UploadKind, UploadMatch, UploadObject, UploadState
from content.objects import hold, release
from content.storage import ObjectStore
from harmoni.settings import Settings

CHUNK = 1 << 20
HEAD_BYTES = 64
MASTER_MIME = {"wav": "audio/wav", "aiff": "audio/aiff", "flac": "audio/flac", "m4a": "audio/mp4",
               "mp3": "audio/mpeg", "ogg": "audio/ogg", "JPEG": "image/jpeg", "PNG": "image/png",
               "WEBP": "image/webp", "pdf": "application/pdf", "zip": "application/zip"}
_ACCEPTED = {UploadKind.audio: "WAV, AIFF, FLAC, ALAC/M4A, MP3 or Ogg (Vorbis/Opus)",
             UploadKind.artwork: "JPEG, PNG or WebP",
             UploadKind.bonus: "audio (as above), JPEG/PNG/WebP, PDF or ZIP"}
# A finished upload holds its master; a refused or failed one holds nothing against the quota.
_COUNTED = (UploadState.uploading, UploadState.received, UploadState.processing, UploadState.ready,
            UploadState.failed)


@dataclass(frozen=True)
class Received:
    """A file now on local disk: where, its SHA-256 and size, and its first bytes (to tell its format)."""

    path: Path
    sha256: str
    size: int
    head: bytes


def incoming_dir(settings: Settings) -> Path:
    path = settings.data_dir / "incoming"
    path.mkdir(parents=True, exist_ok=True)
    return path


async def receive(chunks: AsyncIterator[bytes], target: Path, max_bytes: int) -> Received:
    """Stream `chunks` into `target`, hashing as they come; over `max_bytes` stops at once (nothing is kept)."""
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with target.open("wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge(f"the file is larger than the limit of {max_bytes} bytes", limit=max_bytes)
                if len(head) < HEAD_BYTES:
                    head += chunk[:HEAD_BYTES - len(head)]
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return Received(target, digest.hexdigest(), size, head)


def format_of(kind: UploadKind, head: bytes) -> str:
    """The file's format from its first bytes (never its name); UnsupportedFormat otherwise."""
    if kind is UploadKind.bonus:
        found = sniff(head) or sniff_image(head) or sniff_document(head)
    else:
        found = sniff(head) if kind is UploadKind.audio else sniff_image(head)
    if found is None:
        raise UnsupportedFormat(f"this is not a file HARMONI takes as {kind.value}: send {_ACCEPTED[kind]}",
                                field="body")
    return found


def sniff_document(head: bytes) -> str | None:
    """PDF and ZIP, the documents a bonus file may be besides audio and images."""
    if head[:5] == b"%PDF-":
        return "pdf"
    if head[:4] == b"PK\x03\x04":
        return "zip"
    return None


def used_bytes(db: Session, owner_id: uuid.UUID) -> int:
    """Bytes of the masters the account holds (uploads in progress count with their declared size)."""
    size = func.coalesce(Upload.declared_size, Upload.received_bytes)
    return int(db.scalar(select(func.coalesce(func.sum(size), 0))
                         .where(Upload.owner_id == owner_id, Upload.state.in_(_COUNTED))))


def check_limits(db: Session, settings: Settings, owner_id: uuid.UUID, size: int) -> None:
    if size > settings.upload_max_bytes:
        raise UploadTooLarge(f"the file is larger than the limit of {settings.upload_max_bytes} bytes",
                             limit=settings.upload_max_bytes)
    used = used_bytes(db, owner_id)
    if used + size > settings.upload_quota_bytes:
        raise QuotaExceeded(f"the account holds {used} bytes of its {settings.upload_quota_bytes}: this file "
                            f"({size} bytes) does not fit; delete uploads you no longer need", used=used,
                            quota=settings.upload_quota_bytes)


def own_copy(db: Session, owner_id: uuid.UUID, kind: UploadKind, sha256: str) -> Upload | None:
    """The account's earlier upload of exactly these bytes that is still alive (not refused)."""
    return db.scalar(select(Upload).where(
        Upload.owner_id == owner_id, Upload.kind == kind.value, Upload.sha256 == sha256,
        Upload.state.not_in([UploadState.rejected, UploadState.uploading])).order_by(Upload.created_at).limit(1))


def _flag_exact_copies(db: Session, upload: Upload) -> None:
    """Other accounts' uploads of the same bytes: kept, flagged for rights review.

    They are locked (FOR KEY SHARE) so one deleted meanwhile either goes first (and is not flagged) or waits for
    this transaction (and its flags go with it).
    """
    others = db.scalars(select(Upload.id).where(
        Upload.sha256 == upload.sha256, Upload.owner_id != upload.owner_id, Upload.id != upload.id,
        Upload.state.not_in([UploadState.rejected, UploadState.uploading])).with_for_update(read=True, key_share=True))
    for other in others:
        db.add(UploadMatch(upload_id=upload.id, matched_upload_id=other, method="exact", similarity=1.0,
                           same_owner=False, status="flagged"))


def store_master(db: Session, store: ObjectStore, upload: Upload, received: Received, fmt: str) -> None:
    """Put the bytes in the object store under their CID; the upload is `received`, a worker's to process."""
    cid = cid_of_sha256(bytes.fromhex(received.sha256))
    key = f"masters/{cid}"
    mime = MASTER_MIME[fmt]
    hold(db, key)
    if store.size(key) != received.size:
        store.put_file(key, received.path, mime)
    upload.sha256, upload.cid, upload.master_key = received.sha256, cid, key
    upload.received_bytes = received.size
    upload.state = UploadState.received.value
    upload.updated_at = func.now()
    db.add(UploadObject(upload_id=upload.id, path="master", rendition="master", key=key, cid=cid,
                        sha256=received.sha256, size=received.size, mime=mime))
    db.flush()
    _flag_exact_copies(db, upload)


def accept_whole(db: Session, settings: Settings, store: ObjectStore, *, owner_id: uuid.UUID, kind: UploadKind,
                 received: Received, filename: str | None, preview_start_ms: int) -> tuple[Upload, bool]:
    """A file sent in one request: the new upload, or (False) the account's existing copy of the same bytes."""
    try:
        fmt = format_of(kind, received.head)
        existing = own_copy(db, owner_id, kind, received.sha256)
        if existing is not None:
            return existing, False
        check_limits(db, settings, owner_id, received.size)
        upload = Upload(id=uuid.uuid4(), owner_id=owner_id, kind=kind.value, state=UploadState.received.value,
                        filename=filename, preview_start_ms=preview_start_ms, progress=0, attempts=0,
                        received_bytes=received.size)
        db.add(upload)
        db.flush()
        store_master(db, store, upload, received, fmt)
        return upload, True
    finally:
        received.path.unlink(missing_ok=True)


def create_resumable(db: Session, settings: Settings, *, owner_id: uuid.UUID, kind: UploadKind, length: int,
                     filename: str | None, preview_start_ms: int) -> Upload:
    """tus creation: an `uploading` upload of `length` bytes, its partial file empty."""
    check_limits(db, settings, owner_id, length)
    upload = Upload(id=uuid.uuid4(), owner_id=owner_id, kind=kind.value, state=UploadState.uploading.value,
                    filename=filename, declared_size=length, received_bytes=0, preview_start_ms=preview_start_ms,
                    progress=0, attempts=0, updated_at=datetime.now(UTC))
    db.add(upload)
    db.flush()
    partial_path(settings, upload.id).touch()
    return upload


def expires_at(settings: Settings, upload: Upload) -> datetime:
    """When an unfinished resumable upload is dropped if no more bytes arrive (tus `Upload-Expires`)."""
    return upload.updated_at + timedelta(seconds=settings.upload_resumable_ttl_s)


def expire_abandoned(db: Session, settings: Settings, limit: int = 500) -> list[uuid.UUID]:
    """Drop resumable uploads no byte reached within the time to live; their ids (delete the partial files of
    these after the commit: a rollback keeps the rows, which still need their bytes)."""
    cutoff = func.now() - func.make_interval(0, 0, 0, 0, 0, 0, settings.upload_resumable_ttl_s)
    abandoned = list(db.scalars(select(Upload).where(Upload.state == UploadState.uploading,
                                                     Upload.updated_at < cutoff)
                                .order_by(Upload.updated_at).limit(limit).with_for_update(skip_locked=True)))
    for upload in abandoned:
        db.delete(upload)
    db.flush()
    return [upload.id for upload in abandoned]


def remove_partials(settings: Settings, upload_ids: list[uuid.UUID]) -> None:
    for upload_id in upload_ids:
        partial_path(settings, upload_id).unlink(missing_ok=True)


def partial_path(settings: Settings, upload_id: uuid.UUID) -> Path:
    return incoming_dir(settings) / f"{upload_id}.part"


def upload_of(db: Session, owner_id: uuid.UUID, upload_id: uuid.UUID, *, lock: bool = False) -> Upload:
    query = select(Upload).where(Upload.id == upload_id, Upload.owner_id == owner_id)
    upload = db.scalar(query.with_for_update() if lock else query)
    if upload is None:
        raise UploadNotFound(f"no upload {upload_id} of this account", field="upload_id")
    return upload


def resumable_for_append(db: Session, settings: Settings, owner_id: uuid.UUID, upload_id: uuid.UUID,
                         offset: int) -> Upload:
    """The upload a PATCH appends to, locked; its partial file cut back to the last acknowledged byte."""
    upload = upload_of(db, owner_id, upload_id, lock=True)
    if upload.state != UploadState.uploading:
        raise UploadNotResumable(f"upload {upload_id} is {upload.state}: it takes no more bytes")
    if expires_at(settings, upload) <= datetime.now(UTC):
        raise UploadExpired(f"upload {upload_id} received no bytes for {settings.upload_resumable_ttl_s} s and "
                            "expired: start the upload again")
    if offset != upload.received_bytes:
        raise UploadOffsetMismatch(f"Upload-Offset is {offset} but the upload stands at {upload.received_bytes}",
                                   field="Upload-Offset", offset=upload.received_bytes)
    path = partial_path(settings, upload.id)
    with path.open("ab") as handle:  # bytes of a PATCH that was cut off after its last acknowledgement
        handle.truncate(upload.received_bytes)
    return upload


def appended(upload: Upload, written: int) -> None:
    """Count bytes a PATCH stored; the upload's time to live starts again."""
    upload.received_bytes += max(0, written)
    upload.updated_at = datetime.now(UTC)


async def append(path: Path, chunks: AsyncIterator[bytes], room: int) -> int:
    """Append `chunks` to `path` (at most `room` bytes, else too-large); the bytes written, fsynced."""
    written = 0
    with path.open("ab") as out:
        try:
            async for chunk in chunks:
                if written + len(chunk) > room:
                    raise UploadTooLarge(f"more bytes than the Upload-Length declared ({room} left)",
                                         field="Upload-Length")
                out.write(chunk)
                written += len(chunk)
        finally:
            out.flush()
            os.fsync(out.fileno())
    return written


def hash_file(path: Path) -> Received:
    digest, size, head = hashlib.sha256(), 0, b""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            head = head or chunk[:HEAD_BYTES]
            digest.update(chunk)
            size += len(chunk)
    return Received(path, digest.hexdigest(), size, head)


def complete_resumable(db: Session, settings: Settings, store: ObjectStore, upload: Upload) -> None:
    """The last byte of a tus upload arrived: store it (`received`), or refuse it (`rejected`, nothing kept)."""
    received = hash_file(partial_path(settings, upload.id))
    try:
        kind = UploadKind(upload.kind)
        upload.sha256 = received.sha256
        try:
            fmt = format_of(kind, received.head)
        except UnsupportedFormat as err:
            reject(upload, "unsupported-format", err.detail)
            return
        existing = own_copy(db, upload.owner_id, kind, received.sha256)
        if existing is not None and existing.id != upload.id:
            upload.duplicate_of = existing.id
            reject(upload, "duplicate", f"the same file is already upload {existing.id}")
            return
        store_master(db, store, upload, received, fmt)
    finally:
        received.path.unlink(missing_ok=True)


def reject(upload: Upload, code: str, message: str) -> None:
    upload.state = UploadState.rejected.value
    upload.error_code, upload.error_message = code, message[:1000]
    upload.lease_owner = upload.lease_expires_at = None
    upload.updated_at = func.now()


def list_uploads(db: Session, owner_id: uuid.UUID, limit: int, before: uuid.UUID | None) -> list[Upload]:
    query = select(Upload).where(Upload.owner_id == owner_id)
    if before is not None:
        pivot = select(Upload.created_at).where(Upload.id == before).scalar_subquery()
        query = query.where((Upload.created_at, Upload.id) < (pivot, before))
    return list(db.scalars(query.order_by(Upload.created_at.desc(), Upload.id.desc()).limit(limit)))


def matches_of(db: Session, upload_id: uuid.UUID) -> list[UploadMatch]:
    return list(db.scalars(select(UploadMatch).where(UploadMatch.upload_id == upload_id)
                           .order_by(UploadMatch.similarity.desc())))


def retry(db: Session, owner_id: uuid.UUID, upload_id: uuid.UUID) -> Upload:
    """A failed upload goes back to `received` with a fresh set of attempts."""
    upload = upload_of(db, owner_id, upload_id, lock=True)
    if upload.state != UploadState.failed:
        raise UploadNotRetryable(f"upload {upload_id} is {upload.state}: only a failed upload can be retried"
                                 + (" (a rejected file is refused for good: fix the file and upload it again)"
                                    if upload.state == UploadState.rejected else ""))
    upload.state = UploadState.received.value
    upload.error_code = upload.error_message = None
    upload.attempts, upload.progress = 0, 0
    upload.updated_at = func.now()
    db.flush()
    return upload


def delete(db: Session, settings: Settings, store: ObjectStore, owner_id: uuid.UUID, upload_id: uuid.UUID) -> None:
    """The upload and every object no other upload still holds (tus termination, too)."""
    upload = upload_of(db, owner_id, upload_id, lock=True)
    keys = list(db.scalars(select(UploadObject.key).where(UploadObject.upload_id == upload.id)))
    db.delete(upload)
    db.flush()
    release(db, store, keys)
    partial_path(settings, upload_id).unlink(missing_ok=True)


def master_for_registration(db: Session, owner_id: uuid.UUID, upload_id: uuid.UUID) -> Upload:
    """The account's ready audio upload a recording registers (its SHA-256 is the content hash).

    Refused while another account's earlier upload of the same recording is flagged against it: who uploaded it
    first is the rights question an admin settles.
    """
    upload = upload_of(db, owner_id, upload_id)
    if upload.kind != UploadKind.audio or upload.state != UploadState.ready:
        raise UploadNotReady(f"upload {upload_id} is {upload.state}" + ("" if upload.kind == UploadKind.audio
                                                                        else " cover art")
                             + ": a recording registers a ready audio upload", field="upload_id",
                             state=upload.state)
    earlier = db.scalar(select(UploadMatch.matched_upload_id).join(Upload, Upload.id == UploadMatch.matched_upload_id)
                        .where(UploadMatch.upload_id == upload.id, UploadMatch.status == "flagged",
                               Upload.created_at < upload.created_at).limit(1))
    if earlier is not None:
        raise UploadUnderReview(f"another account uploaded this recording first (upload {earlier}): it is held "
                                "for rights review", field="upload_id")
    return upload
