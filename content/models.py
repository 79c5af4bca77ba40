"""Content tables: uploads (the master and its state), their stored objects, and the fingerprint index.

Objects are content-addressed (`audio/<cid><suffix>`) and shared by reference: `upload_objects` says which
upload holds which key, so deleting an upload removes only the objects no other upload still names.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base
from identity import models as _identity_models  # noqa: F401 -- the `users` table an upload's owner names


class UploadKind(StrEnum):
    audio = "audio"
    artwork = "artwork"
    bonus = "bonus"  # a file delivered as it is (stems, a booklet, a lossless download), attached to a recording


class UploadState(StrEnum):
    uploading = "uploading"  # a resumable (tus) upload whose bytes have not all arrived
    received = "received"  # every byte is stored; waiting for a worker
    processing = "processing"  # a worker holds the lease
    ready = "ready"
    rejected = "rejected"  # the file is refused (its code says why); nothing of it is kept
    failed = "failed"  # our side failed (transcode-failed); POST /v1/uploads/{id}/retry runs it again


# Workers look for these: received, or processing with a lease that ran out (its worker died).
CLAIMABLE = (UploadState.received.value, UploadState.processing.value)


class Upload(Base):
    __tablename__ = "uploads"
    __table_args__ = (
        CheckConstraint("state in ('uploading', 'received', 'processing', 'ready', 'rejected', 'failed')",
                        name="state"),
        CheckConstraint("kind in ('audio', 'artwork', 'bonus')", name="kind"),
        CheckConstraint("progress between 0 and 100", name="progress"),
        Index("ix_uploads_owner_id_created_at", "owner_id", "created_at"),
        Index("ix_uploads_sha256", "sha256"),
        Index("ix_uploads_claimable", "created_at", postgresql_where=text("state in ('received', 'processing')")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str | None] = mapped_column(String(255))
    declared_size: Mapped[int | None] = mapped_column(BigInteger)  # tus Upload-Length
    received_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))  # hex, of the master as uploaded
    cid: Mapped[str | None] = mapped_column(String(64))
    master_key: Mapped[str | None] = mapped_column(String(255))  # object key of the original bytes
    preview_start_ms: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[int] = mapped_column(SmallInteger, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(String(1000))
    duplicate_of: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    probe: Mapped[dict | None] = mapped_column(JSONB)  # format, codec, duration_ms, sample_rate, channels, ...
    loudness: Mapped[dict | None] = mapped_column(JSONB)
    tags: Mapped[dict | None] = mapped_column(JSONB)  # read from the file, to pre-fill the registration
    renditions: Mapped[dict | None] = mapped_column(JSONB)  # name -> mime, codec, bitrate, duration_ms, main
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ready_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UploadObject(Base):
    """A stored file an upload holds: the original, each rendition's files, artwork sizes."""

    __tablename__ = "upload_objects"
    __table_args__ = (Index("ix_upload_objects_key", "key"),)

    upload_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True)
    path: Mapped[str] = mapped_column(String(255), primary_key=True)  # e.g. opus_160.opus, hls/256/seg_0001.m4s
    rendition: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(255))
    cid: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str] = mapped_column(String(100))


class UploadMatch(Base):
    """Another upload this one matches (same bytes, or the same recording by its acoustic fingerprint)."""

    __tablename__ = "upload_matches"
    __table_args__ = (CheckConstraint("method in ('exact', 'acoustic')", name="method"),
                      CheckConstraint("status in ('flagged', 'cleared', 'upheld')", name="status"))

    upload_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True)
    matched_upload_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"),
                                                         primary_key=True)
    method: Mapped[str] = mapped_column(String(16))
    similarity: Mapped[float] = mapped_column(Float)
    same_owner: Mapped[bool]
    status: Mapped[str] = mapped_column(String(16), default="flagged")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AudioFingerprint(Base):
    """Chromaprint of a ready upload's master; `terms` (GIN) finds the candidates to compare."""

    __tablename__ = "audio_fingerprints"
    __table_args__ = (Index("ix_audio_fingerprints_terms", "terms", postgresql_using="gin"),)

    upload_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True)
    duration_s: Mapped[float] = mapped_column(Float)
    items: Mapped[bytes] = mapped_column(LargeBinary)  # little-endian uint32 sub-fingerprints
    terms: Mapped[list[int]] = mapped_column(ARRAY(Integer))


class RecordingGate(Base):
    """A recording whose full streams only holders of an edition (HarmoniEditions token) may hear."""

    __tablename__ = "recording_gates"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    edition_id: Mapped[int] = mapped_column(BigInteger)
    set_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BonusFile(Base):
    """A bonus file of a recording: an upload of kind `bonus`, downloadable by whoever may hear the recording, or
    only by holders of its own edition."""

    __tablename__ = "bonus_files"
    __table_args__ = (Index("ix_bonus_files_recording", "chain_id", "asset_id", "upload_id", unique=True),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    asset_id: Mapped[int] = mapped_column(BigInteger)
    upload_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    edition_id: Mapped[int | None] = mapped_column(BigInteger)  # None: the recording's own gate (if any) applies
    added_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
