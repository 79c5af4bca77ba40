"""What content refuses, as typed errors; `api/errors.py` renders them as problem+json.

The slugs of refused files are the upload error codes (`unsupported-format`, `too-large`, `quota-exceeded`, ...),
so a client handles a refusal at upload time and a rejection found by the worker the same way.
"""

from __future__ import annotations

from harmoni.errors import Conflict, HarmoniError, NotFound


class UploadNotFound(NotFound):
    slug = "upload-not-found"
    title = "Upload not found"


class UnsupportedFormat(HarmoniError):
    status = 415
    slug = "unsupported-format"
    title = "Unsupported format"


class UploadTooLarge(HarmoniError):
    status = 413
    slug = "too-large"
    title = "File too large"


class QuotaExceeded(HarmoniError):
    status = 413
    slug = "quota-exceeded"
    title = "Storage quota exceeded"


class UploadOffsetMismatch(Conflict):
    """tus: the client's Upload-Offset is not where the upload stands (HEAD tells where)."""

    slug = "upload-offset-mismatch"
    title = "Upload offset mismatch"


class UploadNotResumable(Conflict):
    slug = "upload-not-resumable"
    title = "Upload is not taking bytes"


class UploadExpired(HarmoniError):
    """tus expiration: the unfinished upload waited too long for its next bytes and was dropped."""

    status = 410
    slug = "upload-expired"
    title = "Upload expired"


class UploadNotRetryable(Conflict):
    slug = "upload-not-retryable"
    title = "Upload cannot be retried"


class UploadNotReady(Conflict):
    slug = "upload-not-ready"
    title = "Upload is not ready"


class UploadUnderReview(Conflict):
    """Another account uploaded the same recording first: held until an admin clears the match."""

    slug = "upload-under-review"
    title = "Upload held for rights review"


class NotStreamable(Conflict):
    """A recording without a ready upload, or a frozen one: the detail says which."""

    slug = "not-streamable"
    title = "Recording cannot be streamed"


class RenditionNotFound(NotFound):
    slug = "rendition-not-found"
    title = "Rendition not found"


class StreamUrlInvalid(HarmoniError):
    """Expired, tampered with, signed by an unknown key, or for another listener."""

    status = 403
    slug = "stream-url-invalid"
    title = "Stream URL not valid"


class NotEditionHolder(HarmoniError):
    status = 403
    slug = "edition-holders-only"
    title = "Exclusive to edition holders"


class RecordingNotYours(HarmoniError):
    status = 403
    slug = "recording-not-yours"
    title = "Recording controlled by another wallet"
