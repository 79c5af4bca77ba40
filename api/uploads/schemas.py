"""Uploads as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

_ID = "0b6c8f8e-3a0f-4d55-9a43-6f1d0c3b2a10"


class UploadError(BaseModel):
    code: str = Field(description="unsupported-format, corrupt-audio, no-audio-stream, too-long, too-large, "
                                  "quota-exceeded, duplicate or transcode-failed")
    message: str


class UploadMatchOut(BaseModel):
    upload_id: uuid.UUID = Field(description="The other upload")
    method: Literal["exact", "acoustic"]
    similarity: float
    same_owner: bool
    status: Literal["flagged", "cleared", "upheld"] = Field(description="`flagged`: held for rights review")


class RenditionOut(BaseModel):
    mime: str
    codec: str | None = None
    bitrate: int | None = None
    duration_ms: int | None = None
    size: int


class UploadOut(BaseModel):
    id: uuid.UUID
    kind: Literal["audio", "artwork", "bonus"]
    state: Literal["uploading", "received", "processing", "ready", "rejected", "failed"]
    progress: int = Field(description="Percent of the processing done")
    filename: str | None
    size: int | None = Field(description="Bytes of the file (uploading: what it will be)")
    received_bytes: int
    sha256: str | None = Field(description="SHA-256 of the file: the recording's content hash (0x + hex)")
    cid: str | None = Field(description="CIDv1 (raw, sha2-256) of the file")
    error: UploadError | None = None
    duplicate_of: uuid.UUID | None = None
    attempts: int
    preview_start_ms: int
    audio: dict | None = Field(None, description="What the file is: format, codec, duration_ms, sample_rate, "
                                                 "channels, bit_depth, lossless, bitrate")
    loudness: dict | None = Field(None, description="integrated_lufs, true_peak_dbtp, lra_lu, gain_db (to -14 LUFS, "
                                                    "capped at -1 dBTP), ReplayGain 2.0 values")
    tags: dict | None = Field(None, description="Read from the file, to pre-fill the registration")
    renditions: dict[str, RenditionOut] = Field(default_factory=dict)
    matches: list[UploadMatchOut] = Field(default_factory=list,
                                          description="Other uploads of the same recording")
    created_at: datetime
    ready_at: datetime | None

    model_config = {"json_schema_extra": {"examples": [{
        "id": _ID, "kind": "audio", "state": "processing", "progress": 42, "filename": "blue-hour.wav",
        "size": 42336044, "received_bytes": 42336044, "sha256": "0x" + "ab" * 32,
        "cid": "bafkreiflvkyahq4d3itxmaaasjz4qfbhoyzd5pjivfzqy6ohnbtymzbymu", "error": None, "duplicate_of": None,
        "attempts": 1, "preview_start_ms": 60000, "audio": {"format": "wav", "codec": "pcm_s16le",
                                                          "duration_ms": 240000},
        "loudness": None, "tags": None, "renditions": {}, "matches": [], "created_at": "2026-12-03T10:00:00Z",
        "ready_at": None}]}}


class UploadPage(BaseModel):
    items: list[UploadOut]
    next: str | None = Field(description="Pass as `before` for the next page; null on the last")

    model_config = {"json_schema_extra": {"examples": [{
        "items": UploadOut.model_config["json_schema_extra"]["examples"], "next": None}]}}
